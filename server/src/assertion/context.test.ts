/**
 * ConText's rules one by one (context.ts), the lexicon's checks (lexicon.ts), the document tagger
 * (tagger.ts: sections, cache, clinical-only), and bad input: 5,000-word sentences, triggers in code,
 * overlapping triggers, odd capitalisation, spans outside the sentence, in linear time.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { AssertionStatus, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { ASSERTION_STATUSES } from '../annotations/types';
import { segmentDocument } from '../text/segment';
import { ContextTarget, findMatches, listBounds, runContext } from './context';
import { compileLexicon, defaultLexicon, expandPattern, LexiconError, phraseTokens, sectionOf } from './lexicon';
import lexiconFile from './lexicon.json';
import { AssertionTagger } from './tagger';

const lexicon = defaultLexicon();

function target(text: string, finding: string, medication = false, nth = 0): ContextTarget {
  let start = -1;
  for (let k = 0; k <= nth; k++) start = text.indexOf(finding, start + 1);
  assert.ok(start >= 0, `${finding} in ${text}`);
  return { start, end: start + finding.length, medication };
}

function statusOf(text: string, finding: string, medication = false): { status: AssertionStatus; trigger?: string } {
  const r = runContext({ text, targets: [target(text, finding, medication)] }, lexicon).targets[0];
  return { status: r.status, trigger: r.trigger && text.slice(r.trigger.start, r.trigger.end) };
}

test('the shipped lexicon compiles, and every group names a source it lists', () => {
  assert.ok(lexicon.phraseCount > 300, `${lexicon.phraseCount} phrases`);
  const sources = Object.keys(lexiconFile.sources);
  for (const g of [...lexiconFile.triggers, ...lexiconFile.pseudo, ...lexiconFile.terminations]) assert.ok(sources.includes(g.source), g.source);
  assert.deepEqual(expandPattern('(was |were |)ruled out'), ['was ruled out', 'were ruled out', 'ruled out']);
  assert.deepEqual(phraseTokens("Doesn’t"), ['does', "n't"]);
});

test('a broken lexicon fails when compiled, with the phrase named', () => {
  const base = JSON.parse(JSON.stringify(lexiconFile));
  const twice = { ...base, triggers: [...base.triggers, { status: 'possible', direction: 'forward', source: 'erlens', phrases: ['denies'] }] };
  assert.throws(() => compileLexicon(twice), (e: unknown) => e instanceof LexiconError && /'denies'/.test((e as Error).message));
  const pseudoTrigger = { ...base, pseudo: [{ source: 'erlens', phrases: ['denies'] }] };
  assert.throws(() => compileLexicon(pseudoTrigger), /both a pseudo-trigger and a trigger/);
  assert.throws(() => compileLexicon({ ...base, triggers: [{ status: 'maybe', direction: 'forward', source: 'erlens', phrases: ['x'] }] }), /unknown trigger status/);
  assert.throws(() => compileLexicon({ ...base, precedence: ['negated'] }), /precedence/);
  assert.throws(() => expandPattern('(a|(b))'), LexiconError);
  assert.throws(() => expandPattern('a|b'), LexiconError);
});

test('direction: forward triggers govern what follows, backward ones what precedes', () => {
  assert.deepEqual(statusOf('She denies chest pain.', 'chest pain'), { status: 'negated', trigger: 'denies' });
  assert.deepEqual(statusOf('Chest pain was ruled out.', 'Chest pain'), { status: 'negated', trigger: 'was ruled out' });
  // a forward trigger after the finding does nothing; nor does a backward one before it
  assert.equal(statusOf('Chest pain, denies fever.', 'Chest pain').status, 'present');
  assert.equal(statusOf('It was ruled out before the pneumonia.', 'pneumonia').status, 'present');
  assert.deepEqual(statusOf('Appendicitis versus torsion.', 'Appendicitis'), { status: 'possible', trigger: 'versus' });
});

test('scope: a termination term, the window and the sentence end stop it', () => {
  assert.equal(statusOf('Denies fever but reports cough.', 'cough').status, 'present');
  assert.equal(statusOf('No fever; cough for a week.', 'cough').status, 'present');
  const far = `No fever ${'and more words '.repeat(10)}then rash.`;
  assert.equal(statusOf(far, 'rash').status, 'present', 'past the 15-token window');
  assert.equal(statusOf('No fever, chills, night sweats, or rash.', 'rash').status, 'negated', 'a list stays inside it');
  // A list longer than the window: the window reaches its last item, and no further.
  const review = 'She denies fever, chills, night sweats, nausea, vomiting, diarrhea, dysuria, hematuria, or CVA tenderness and reports a mild cough.';
  assert.equal(statusOf(review, 'CVA tenderness').status, 'negated', 'the last item of a long list');
  assert.equal(statusOf(review, 'mild cough').status, 'present', 'a termination still ends it');
  const after = `No fever, chills, night sweats, nausea, vomiting, or diarrhea ${'since the visit she walked '.repeat(2)}with a limp.`;
  assert.equal(statusOf(after, 'limp').status, 'present', 'prose after the list is past the window');
  // Termination is per status: "reports" ends a negation, not a family history.
  assert.equal(statusOf('Her mother reports migraines.', 'migraines').status, 'family');
});

test('lists: runs of short items joined by commas and conjunctions, not clauses joined by "and"', () => {
  // Each token of a list knows the list's last token; the first item holds at most four tokens.
  const bounds = (text: string) => {
    const words = text.split(' ');
    const { first, last } = listBounds(words);
    return words.map((w, i) => (first[i] < 0 ? '' : `${words[first[i]]}..${words[last[i]]}`));
  };
  assert.deepEqual(bounds('she denies fever , chills , or rash . Cough'), [...Array(8).fill('she..rash'), '', '']);
  assert.deepEqual(bounds('today the patient denies fever , chills , or rash')[0], '', 'five words before the first comma: the first is not in it');
  assert.deepEqual(bounds('fever and more words and more words'), Array(7).fill(''), 'no comma: clauses, not a list');
  assert.deepEqual(bounds('pain , nausea'), ['', '', ''], 'two items are not a list');
});

test('pseudo-triggers block the trigger words inside them; the longest match wins where phrases overlap', () => {
  assert.equal(statusOf('No change in the effusion.', 'effusion').status, 'present');
  assert.equal(statusOf('Not only rash but also fever.', 'rash').status, 'present');
  assert.deepEqual(statusOf('Pneumonia not ruled out.', 'Pneumonia'), { status: 'possible', trigger: 'not ruled out' });
  assert.deepEqual(statusOf('No history of asthma.', 'asthma'), { status: 'negated', trigger: 'No history of' });
  const matches = findMatches(phraseTokens('no evidence of no history of asthma'), lexicon);
  assert.deepEqual(matches.map((m) => m.roles.phrase), ['no evidence of', 'no history of']);
});

test('two negations in a row cancel; a negated finding in a list after them does not', () => {
  assert.equal(statusOf('She does not deny chest pain.', 'chest pain').status, 'present');
  assert.equal(statusOf('He did not ever deny pain.', 'pain').status, 'present');
  assert.equal(statusOf('No fever, no rash.', 'rash').status, 'negated');
});

test('precedence: negated over family over hypothetical over possible over historical', () => {
  assert.equal(statusOf('Her mother does not have diabetes.', 'diabetes').status, 'negated');
  assert.equal(statusOf('Her father possibly had a stroke.', 'stroke').status, 'family');
  assert.equal(statusOf('If the possible rash spreads, call.', 'rash').status, 'hypothetical');
  assert.equal(statusOf('Possible history of asthma.', 'asthma').status, 'possible');
});

test('relations: the finding\'s status, unless a trigger between the arguments reaches the other one', () => {
  const rel = (text: string, finding: string, drug: string) => {
    const out = runContext({ text, targets: [target(text, finding), target(text, drug, true)], relations: [{ finding: 0, other: 1 }] }, lexicon);
    return { finding: out.targets[0].status, drug: out.targets[1].status, relation: out.relations[0].status };
  };
  assert.deepEqual(rel('No signs of anaphylaxis after amoxicillin.', 'anaphylaxis', 'amoxicillin'), { finding: 'negated', drug: 'present', relation: 'negated' });
  assert.deepEqual(rel('The rash was not caused by amoxicillin.', 'rash', 'amoxicillin'), { finding: 'present', drug: 'present', relation: 'negated' });
  assert.deepEqual(rel('Rash, possibly from the cefaclor.', 'Rash', 'cefaclor'), { finding: 'present', drug: 'possible', relation: 'possible' });
  assert.deepEqual(rel('Nausea unrelated to metformin.', 'Nausea', 'metformin'), { finding: 'present', drug: 'present', relation: 'negated' });
  assert.deepEqual(rel('She developed a rash after penicillin.', 'rash', 'penicillin'), { finding: 'present', drug: 'present', relation: 'present' });
  // the drug before the finding: the trigger between them reaches the finding across the causal connective
  assert.deepEqual(rel('Amoxicillin is not the cause of the rash.', 'rash', 'Amoxicillin'), { finding: 'present', drug: 'present', relation: 'negated' });
  assert.deepEqual(rel('Cefaclor, but a viral rash is likely.', 'rash', 'Cefaclor'), { finding: 'possible', drug: 'present', relation: 'possible' });
  assert.deepEqual(rel('If she develops hives on cefaclor, stop it.', 'hives', 'cefaclor'), { finding: 'hypothetical', drug: 'hypothetical', relation: 'hypothetical' });
});

test('section defaults: family and past history for all, plan for medications unless a current cue covers them', () => {
  const plan = sectionOf(lexicon, '## Plan')!;
  assert.equal(plan.name, 'plan');
  const run = (text: string, finding: string, medication: boolean, section = plan) => runContext({ text, targets: [target(text, finding, medication)], section }, lexicon).targets[0];
  assert.equal(run('Amoxicillin for ten days.', 'Amoxicillin', true).status, 'hypothetical');
  assert.equal(run('Amoxicillin for ten days.', 'Amoxicillin', true).section, plan);
  assert.equal(run('Continue amoxicillin for ten days.', 'amoxicillin', true).status, 'present');
  assert.equal(run('Rash should fade.', 'Rash', false).status, 'present', 'findings keep their status in a plan');
  const fam = sectionOf(lexicon, 'FAMILY HISTORY:')!;
  assert.equal(run('Diabetes.', 'Diabetes', false, fam).status, 'family');
  assert.equal(run('No diabetes.', 'diabetes', false, fam).status, 'negated', 'a trigger of higher precedence wins');
  assert.equal(sectionOf(lexicon, 'PAST MEDICAL/SURGICAL HISTORY:')?.status, 'historical');
  assert.equal(sectionOf(lexicon, 'Allergies:')?.name, 'allergies');
  assert.equal(sectionOf(lexicon, 'History of Present Illness'), undefined);
  assert.equal(sectionOf(lexicon, 'Social History'), undefined);
  assert.equal(sectionOf(lexicon, ''), undefined);
});

function clinicalEntity(doc: string, surface: string, type: string, sentences: ReturnType<typeof segmentDocument>, model = 'clinical'): EntityAnnotation {
  const start = doc.indexOf(surface);
  const sentence = sentences.find((s) => s.start <= start && start + surface.length <= s.end)!;
  return { id: surface, type, start, end: start + surface.length, text: surface, score: 1, model, sentence: sentence.index, assertion: { status: 'present' } };
}

test('the tagger: the nearest heading sets the section; trigger offsets are document offsets; other domains stay present', () => {
  const doc = '# Note\n\n## Family History\n\nColon cancer.\n\n## Plan\n\nStart aspirin. She denies chest pain. John works in Boston and denies it.\n';
  const sentences = segmentDocument(doc, 'markdown');
  const cancer = clinicalEntity(doc, 'Colon cancer', 'Adverse-Effect', sentences);
  const aspirin = clinicalEntity(doc, 'aspirin', 'Drug', sentences);
  const pain = clinicalEntity(doc, 'chest pain', 'Adverse-Effect', sentences);
  const boston = clinicalEntity(doc, 'Boston', 'Loc', sentences, 'news');
  const tagger = new AssertionTagger();
  tagger.tag(doc, sentences, [cancer, aspirin, pain, boston], [], (m) => m === 'clinical');
  assert.deepEqual(cancer.assertion, { status: 'family', section: 'Family History' });
  assert.equal(aspirin.assertion.status, 'hypothetical');
  assert.deepEqual(pain.assertion, { status: 'negated', trigger: { text: 'denies', start: doc.indexOf('denies'), end: doc.indexOf('denies') + 6 } });
  assert.deepEqual(boston.assertion, { status: 'present' });
  // Same sentences, same spans: the second run is answered from the cache.
  const hits = tagger.stats.cacheHits;
  tagger.tag(doc, sentences, [cancer, aspirin, pain], [], () => true);
  assert.equal(tagger.stats.cacheHits - hits, 3);
  assert.equal(pain.assertion.status, 'negated');
});

test('bad input: trigger words inside code are never applied', () => {
  for (const doc of ['She `denies` chest pain.\n', 'Chest pain `was ruled out` today.\n', '```\nno\n```\nchest pain at rest.\n', 'She <!-- denies --> has chest pain.\n']) {
    const sentences = segmentDocument(doc, 'markdown');
    const pain = clinicalEntity(doc, doc.includes('Chest') ? 'Chest pain' : 'chest pain', 'Adverse-Effect', sentences);
    new AssertionTagger().tag(doc, sentences, [pain], [], () => true);
    assert.equal(pain.assertion.status, 'present', doc);
  }
});

test('bad input: any capitalisation, overlapping triggers, spans off the tokens or outside the text give valid statuses', () => {
  for (const text of ['DENIES CHEST PAIN.', 'DeNiEs chest pain.', 'denies CHEST PAIN.']) assert.equal(statusOf(text, text.includes('CHEST') ? 'CHEST PAIN' : 'chest pain').status, 'negated', text);
  // "İ" lower-cases to two code units: offsets must still be the text's own
  assert.deepEqual(statusOf('İİİ İDENIES. DENIES chest pain.', 'chest pain'), { status: 'negated', trigger: 'DENIES' });
  const odd = [
    'no no no not without denies ruled out possible if history of mother rash',
    'rash no evidence of no history of family history of not ruled out versus vs. if if if',
    '',
    '   ;;; , , ',
    '😀 rash 👍🏽 denies',
  ];
  for (const text of odd) {
    const targets: ContextTarget[] = [
      { start: 0, end: Math.max(1, text.length), medication: false },
      { start: text.length, end: text.length + 5, medication: true }, // past the end
      { start: 3, end: 2, medication: false }, // reversed
      { start: -4, end: 1, medication: false },
    ];
    const out = runContext({ text, targets, relations: [{ finding: 0, other: 1 }, { finding: 5, other: 0 }] }, lexicon);
    assert.equal(out.targets.length, targets.length);
    for (const r of [...out.targets, ...out.relations]) assert.ok((ASSERTION_STATUSES as readonly string[]).includes(r.status), JSON.stringify(r));
  }
});

/** Median of a few runs, so one GC pause does not decide. */
function timeOf(f: () => void): number {
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

test('bad input: a 5,000-word sentence full of triggers and targets takes linear time', () => {
  const words = (n: number) => {
    const pool = ['no', 'fever', 'denies', 'rash', 'but', 'history', 'of', 'asthma', 'if', 'mother', 'possible', 'not', 'ruled', 'out', ',', 'pain'];
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(pool[(i * 7) % pool.length]);
    return out.join(' ');
  };
  const input = (n: number) => {
    const text = words(n);
    const targets: ContextTarget[] = [];
    for (const m of text.matchAll(/rash|pain|asthma/g)) targets.push({ start: m.index!, end: m.index! + m[0].length, medication: false });
    return { text, targets, relations: targets.slice(1).map((_, i) => ({ finding: i, other: i + 1 })) };
  };
  const small = input(5_000);
  const out = runContext(small, lexicon);
  assert.equal(out.targets.length, small.targets.length);
  assert.ok(out.targets.some((t) => t.status === 'negated') && out.targets.every((t) => (ASSERTION_STATUSES as readonly string[]).includes(t.status)));
  const big = input(40_000);
  const tSmall = timeOf(() => runContext(small, lexicon));
  const tBig = timeOf(() => runContext(big, lexicon));
  // 8x the words: linear is ~8x; quadratic would be ~64x. A generous factor for a busy machine.
  assert.ok(tBig < 8 * 4 * Math.max(tSmall, 1), `5,000 words ${tSmall.toFixed(1)} ms, 40,000 words ${tBig.toFixed(1)} ms`);
});

test('bad input: a 5,000-word document sentence goes through the segmenter and the tagger', () => {
  const doc = `She denies ${'chest pain and '.repeat(2500)}fatigue.\n`;
  const sentences = segmentDocument(doc, 'plaintext');
  const pain = clinicalEntity(doc, 'chest pain', 'Adverse-Effect', sentences);
  const fatigue = clinicalEntity(doc, 'fatigue', 'Adverse-Effect', sentences);
  const rel: RelationAnnotation = { id: 'R1', type: 'Adverse-Effect', head: pain, tail: fatigue, score: 1, model: 'clinical', sentence: pain.sentence, symmetric: false, assertion: { status: 'present' } };
  new AssertionTagger().tag(doc, sentences, [pain, fatigue], [rel], () => true);
  assert.equal(pain.assertion.status, 'negated');
  assert.equal(fatigue.assertion.status, 'present', 'far outside any window');
  assert.ok((ASSERTION_STATUSES as readonly string[]).includes(rel.assertion.status));
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { falseAlarms } from './falseAlarms';
import { segmentDocument } from '../text/segment';
import { byNote, checkNote, notesLine, parseNotesGold, scoreNotes } from './notesGold';

const note = '# Visit\n\nHer only medication is Allegra. She has no rash.\n\nPlan: start Tylenol.\n';
const at = (s: string) => note.indexOf(s);
const goldLine = (id: string, sentence: string, entities: Array<[string, string]>) => {
  const start = at(sentence);
  return JSON.stringify({
    id,
    note: 'n.md',
    start,
    end: start + sentence.length,
    text: sentence,
    entities: entities.map(([surface, type]) => ({ start: sentence.indexOf(surface), end: sentence.indexOf(surface) + surface.length, type, text: surface, assertion: 'present' })),
    relations: [],
  });
};
const goldText = [
  goldLine('s1', 'Her only medication is Allegra.', [['Allegra', 'Drug']]),
  goldLine('s2', 'She has no rash.', []),
  goldLine('s3', 'Plan: start Tylenol.', [['Tylenol', 'Drug']]),
].join('\n');

const E = (surface: string, type: string, shift = 0) => ({ start: at(surface) + shift, end: at(surface) + surface.length, type });

test('Drug strict and overlap scores, other marks and relations per 100 gold sentences', () => {
  const lines = parseNotesGold(goldText, 'g.jsonl');
  checkNote(lines, note, 'n.md');
  const allegra = E('Allegra', 'Drug');
  const rash = E('rash', 'Adverse-Effect');
  const predicted = {
    entities: [
      allegra,
      E('Tylenol', 'Drug', 1), // "ylenol": overlaps the gold Tylenol, not exact
      rash,
      E('medication', 'Drug'), // a false positive
      E('Visit', 'Other'), // outside every gold sentence: not counted
    ],
    relations: [{ head: rash, tail: allegra, type: 'Adverse-Effect' }],
  };
  const r = scoreNotes([...byNote(lines)].map(([n, l]) => ({ note: n, lines: l, predicted })));
  assert.equal(r.sentences, 3);
  assert.deepEqual([r.drug_strict.tp, r.drug_strict.fp, r.drug_strict.fn], [1, 2, 1]);
  assert.equal(r.drug_overlap.precision, 2 / 3);
  assert.equal(r.drug_overlap.recall, 1);
  assert.deepEqual(r.other_entities.by_type, { 'Adverse-Effect': 1 });
  assert.equal(r.other_entities.per_100_sentences, 100 / 3);
  // the relation's arguments sit in two different gold sentences: it lies in none of them
  assert.equal(r.relations.predicted, 0);
  assert.deepEqual(r.false_negatives.map((e) => [e.text, e.sentence, e.start, e.overlaps]), [['Tylenol', 's3', at('Tylenol'), true]]);
  assert.deepEqual(r.false_positives.map((e) => e.text).sort(), ['medication', 'ylenol']);
  // Allegra is found exactly but carries no status: scored, and wrong.
  assert.deepEqual([r.assertion.scored, r.assertion.right, r.assertion.confusion], [1, 0, { present: { none: 1 } }]);
  assert.equal(notesLine(r), 'drug_p=33.33 drug_r=50.00 drug_f1=40.00 rel_per_100=0.00 assertion_acc=0.00');
  assert.match(notesLine(scoreNotes([{ note: 'n.md', lines, predicted: { entities: [], relations: [] } }])), /assertion_acc=n\/a$/);

  const inOne = { entities: [allegra, E('medication', 'Adverse-Effect')], relations: [{ head: E('medication', 'Adverse-Effect'), tail: allegra, type: 'Adverse-Effect' }] };
  const r2 = scoreNotes([{ note: 'n.md', lines, predicted: inOne }]);
  assert.deepEqual([r2.relations.predicted, r2.adverse_effect_relations.predicted, r2.relations.gold], [1, 1, 0]);
  assert.equal(r2.relations.per_100_sentences, 100 / 3);
});

test('gold lines are validated against themselves and against their note', () => {
  assert.throws(() => parseNotesGold('{"id":"a","note":"n.md","start":0,"end":3,"text":"abcd"}', 'g'), /g:1: expected/);
  assert.throws(() => parseNotesGold('{"note":"n.md","start":0,"end":2,"text":"ab","entities":[{"start":0,"end":2,"type":"Drug","text":"xy"}]}', 'g'), /entity 0 says "xy"/);
  assert.throws(() => parseNotesGold('{"note":"n.md","start":0,"end":2,"text":"ab","entities":[],"relations":[{"head":0,"tail":1,"type":"R"}]}', 'g'), /relation 0 points outside/);
  assert.throws(() => parseNotesGold('nope', 'g'), /g:1: not valid JSON/);
  const lines = parseNotesGold(goldText, 'g');
  assert.throws(() => checkNote(lines, note.replace('Allegra', 'Claritin'), 'n.md'), /gold sentence s1: n\.md does not hold its text/);
});

test('false alarms: deduplicated items per 100 units and the share of units with a relation', () => {
  const a = [0, 3, 'X'] as const;
  const b = [4, 6, 'X'] as const;
  const f = falseAlarms([
    { entities: [a, b, a], relations: [{ head: a, tail: b, type: 'R' }, { head: a, tail: b, type: 'R' }] },
    { entities: [], relations: [] },
    { entities: [a], relations: [] },
    { entities: [], relations: [] },
  ]);
  assert.deepEqual([f.predicted_entities, f.predicted_relations, f.sentences_with_relation], [3, 1, 1]);
  assert.equal(f.entities_per_100_sentences, 75);
  assert.equal(f.relations_per_100_sentences, 25);
  assert.equal(f.share_sentences_with_relation, 0.25);
  assert.equal(falseAlarms([]).relations_per_100_sentences, 0);
});

test('assertion accuracy: on the gold Drugs found exactly, per gold class; and ConText alone on every gold Drug span', () => {
  const text = '## Plan\n\nStart Tylenol. She takes Allegra.\n';
  const sentence = (x: string, entities: Array<[string, string]>, id: string) => {
    const start = text.indexOf(x);
    return JSON.stringify({ id, note: 'p.md', start, end: start + x.length, text: x, entities: entities.map(([surface, assertion]) => ({ start: x.indexOf(surface), end: x.indexOf(surface) + surface.length, type: 'Drug', text: surface, assertion })) });
  };
  const lines = parseNotesGold([sentence('Start Tylenol.', [['Tylenol', 'hypothetical']], 'p1'), sentence('She takes Allegra.', [['Allegra', 'present']], 'p2')].join('\n'), 'g');
  const at = (s: string) => ({ start: text.indexOf(s), end: text.indexOf(s) + s.length, type: 'Drug' });
  const predicted = {
    entities: [
      { ...at('Tylenol'), assertion: { status: 'present' as const } }, // wrong
      { ...at('Allegra'), assertion: { status: 'present' as const } }, // right
    ],
    relations: [],
  };
  const r = scoreNotes([{ note: 'p.md', lines, predicted, text, sentences: segmentDocument(text, 'markdown') }]);
  assert.deepEqual([r.assertion.scored, r.assertion.right], [2, 1]);
  assert.deepEqual(r.assertion.per_class, { hypothetical: { gold: 1, right: 0, accuracy: 0 }, present: { gold: 1, right: 1, accuracy: 1 } });
  assert.deepEqual(r.assertion.errors.map((e) => [e.text, e.gold, e.predicted]), [['Tylenol', 'hypothetical', 'present']]);
  // The tagger itself, on the gold spans: "Start" and the Plan section make Tylenol hypothetical; "takes" keeps Allegra present.
  assert.deepEqual([r.assertion_gold_spans!.scored, r.assertion_gold_spans!.right, r.assertion_gold_spans!.not_in_one_sentence], [2, 2, 0]);
  assert.match(notesLine(r), / assertion_acc=50\.00$/);
});

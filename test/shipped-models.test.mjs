// The shipped packages on real sentences: sensible output, through the same Annotator the editor uses —
// MGE on news and clinical text, and every other architecture's CoNLL04 package on news. Skipped (with the
// reason printed) only while a package has not been exported into models/ yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { Annotator } = require(path.join(root, 'server', 'out', 'pipeline', 'annotator.js'));
const { sharedRoot } = require(path.join(root, 'server', 'out', 'paths.js'));

function skipReason(id) {
  const dir = path.join(root, 'models', id);
  if (fs.existsSync(path.join(dir, 'model.json'))) return false;
  const reason = `models/${id} is not installed yet`;
  console.log(`skipping: ${reason}`);
  return reason;
}

/** The packages (one id or several) on a Markdown text, through the editor's Annotator. */
async function annotate(ids, text) {
  const annotator = new Annotator([ids].flat(), { executionProvider: 'cpu', extensionRoot: root });
  try {
    const doc = await annotator.annotate('file:///example.md', 1, text, 'markdown');
    assert.deepEqual(annotator.errors.map((e) => e.message), []);
    return doc;
  } finally {
    await annotator.dispose();
  }
}

const has = (doc, type, text) => doc.entities.some((e) => e.type === type && e.text.includes(text));
const CONLL04_ENTITY_TYPES = ['Loc', 'Org', 'Other', 'Peop'];
const CONLL04_RELATION_TYPES = ['Kill', 'Live_In', 'Located_In', 'OrgBased_In', 'Work_For'];

test('mge-conll04 finds people, places and organisations in news sentences', { skip: skipReason('mge-conll04') }, async () => {
  const text = [
    'John Wilkes Booth, who assassinated President Abraham Lincoln, was an actor.',
    '',
    'Maria Gonzalez, a spokeswoman for the United Nations in Geneva, said the talks would resume.',
    '',
    'The Smithsonian Institution is located in Washington.',
  ].join('\n');
  const doc = await annotate('mge-conll04', text);
  assert.ok(has(doc, 'Peop', 'Booth') || has(doc, 'Peop', 'Lincoln'), JSON.stringify(doc.entities.map((e) => [e.text, e.type])));
  assert.ok(has(doc, 'Loc', 'Geneva') || has(doc, 'Loc', 'Washington'), JSON.stringify(doc.entities.map((e) => [e.text, e.type])));
  assert.ok(doc.relations.length > 0, 'at least one relation (Kill, Work_For, Located_In, ...)');
  for (const r of doc.relations) assert.ok(CONLL04_RELATION_TYPES.includes(r.type));
  for (const e of doc.entities) assert.equal(text.slice(e.start, e.end), e.text);
});

// The mix (a MiniLM hybrid and the wordchar model in one graph, averaged) reads subwords and words at once:
// the server's hybrid featurizer feeds both members.
test('mge-conll04-mix finds people, places, organisations and their relations in news sentences', { skip: skipReason('mge-conll04-mix') }, async () => {
  const text = [
    'John Wilkes Booth, who assassinated President Abraham Lincoln, was an actor.',
    '',
    'Maria Gonzalez, a spokeswoman for the United Nations in Geneva, said the talks would resume.',
  ].join('\n');
  const doc = await annotate('mge-conll04-mix', text);
  const show = JSON.stringify([doc.entities.map((e) => [e.text, e.type]), doc.relations.map((r) => [r.head.text, r.type, r.tail.text])]);
  assert.ok(has(doc, 'Peop', 'Booth') && has(doc, 'Peop', 'Lincoln'), show);
  assert.ok(has(doc, 'Loc', 'Geneva') && has(doc, 'Org', 'United Nations'), show);
  assert.ok(doc.relations.some((r) => r.type === 'Kill' && r.head.text.includes('Booth') && r.tail.text.includes('Lincoln')), show);
  for (const r of doc.relations) assert.ok(CONLL04_RELATION_TYPES.includes(r.type));
  for (const e of doc.entities) {
    assert.ok(CONLL04_ENTITY_TYPES.includes(e.type));
    assert.equal(text.slice(e.start, e.end), e.text);
  }
});

// Its MiniLM member's int8 weights quantise activations per token (not over the ORT call's batch, as
// quantize_dynamic did), so the runner batches it: a sentence's result must still not depend on its batch mates.
test('mge-conll04-mix: each dev sentence gets the same result alone as batched with 39 others', { skip: skipReason('mge-conll04-mix') }, async () => {
  const { ModelRunner, batchLimit } = require(path.join(root, 'server', 'out', 'model', 'runner.js'));
  const dev = path.join(sharedRoot, 'data', 'conll04', 'dev.jsonl');
  const sentences = fs.readFileSync(dev, 'utf8').trim().split('\n').slice(0, 40).map((l) => JSON.parse(l).tokens);
  const runner = await ModelRunner.load(path.join(root, 'models', 'mge-conll04-mix'), { executionProvider: 'cpu' });
  try {
    assert.ok(batchLimit(runner.meta, undefined) > 1, 'the shipped mix is batched (encoder.activations per-token)');
    const batched = await runner.run(sentences);
    for (let i = 0; i < sentences.length; i++) {
      const [alone] = await runner.run([sentences[i]]);
      assert.deepEqual(alone, batched[i], `dev sentence ${i}: ${sentences[i].join(' ')}`);
    }
  } finally {
    await runner.release();
  }
});

// The default general model's bad input (issue 11): a sentence past the encoder's subword window, words its
// vocabulary never saw, other scripts. Valid results (offsets on the text, known types), the names still found.
test('mge-conll04-mix: a 600-subword sentence, unknown words and other scripts give valid results', { skip: skipReason('mge-conll04-mix') }, async () => {
  const filler = Array.from({ length: 130 }, (_, i) => `zxqvb${i}wqjk`).join(' '); // ~5 subwords each
  const text = [
    `John Wilkes Booth, who assassinated President Abraham Lincoln, ${filler} was an actor in Washington.`,
    '',
    'Ελληνικά κείμενα και 中文文本 και نص عربي 🙂 Maria Gonzalez works for the United Nations in Geneva.',
  ].join('\n');
  const { loadPackage } = require(path.join(root, 'server', 'out', 'model', 'package.js'));
  const { loadFeaturizer } = require(path.join(root, 'server', 'out', 'model', 'featurizer.js'));
  const featurizer = loadFeaturizer(await loadPackage(path.join(root, 'models', 'mge-conll04-mix')));
  const subwords = featurizer.subwordCounts(filler.split(' ')).reduce((a, b) => a + b, 0);
  assert.ok(subwords > Math.max(featurizer.maxSubwords, 512), `${subwords} subwords: past the ${featurizer.maxSubwords}-subword window and MiniLM's 512`);
  const doc = await annotate('mge-conll04-mix', text);
  const show = JSON.stringify(doc.entities.map((e) => [e.text, e.type]));
  assert.ok(has(doc, 'Peop', 'Booth') && has(doc, 'Peop', 'Lincoln'), show); // before the unknown words
  assert.ok(has(doc, 'Loc', 'Washington'), show); // after them: a later window
  assert.ok(has(doc, 'Loc', 'Geneva'), show); // after other scripts
  for (const e of doc.entities) {
    assert.ok(CONLL04_ENTITY_TYPES.includes(e.type));
    assert.equal(text.slice(e.start, e.end), e.text);
  }
  for (const r of doc.relations) assert.ok(CONLL04_RELATION_TYPES.includes(r.type));
});

test('mge-clinical links drugs to adverse effects in clinical sentences', { skip: skipReason('mge-clinical') }, async () => {
  const text = [
    'A 45-year-old man developed severe hepatotoxicity after treatment with isoniazid.',
    '',
    'Stevens-Johnson syndrome associated with carbamazepine therapy is described.',
  ].join('\n');
  const doc = await annotate('mge-clinical', text);
  const show = JSON.stringify(doc.entities.map((e) => [e.text, e.type]));
  assert.ok(has(doc, 'Drug', 'isoniazid') && has(doc, 'Drug', 'carbamazepine'), show);
  assert.ok(has(doc, 'Adverse-Effect', 'hepatotoxicity') || has(doc, 'Adverse-Effect', 'Stevens-Johnson'), show);
  assert.ok(doc.relations.some((r) => r.type === 'Adverse-Effect' && r.head.type === 'Adverse-Effect' && r.tail.type === 'Drug'), 'effect -> drug relation');
});

// What a user opening a real note sees: the medications of a list are Drugs (the DDI data taught every
// drug mention, not only those blamed for an effect), the section heading is not an entity, and a
// sentence that blames no drug for anything shows no relation (ADE's negatives taught "nothing").
test('mge-clinical on a note: every listed medication is a Drug, no heading entity, no relation where none is stated', { skip: skipReason('mge-clinical') }, async () => {
  const text = [
    '# MEDICATIONS',
    '',
    '1. Metformin 500 mg twice daily.',
    '2. Lisinopril 10 mg daily.',
    '3. Aspirin 81 mg daily.',
    '',
    'The patient tolerated the procedure well and was discharged home in stable condition.',
    '',
    'He was started on warfarin for atrial fibrillation.',
    '',
    // Words the ADE-only model (mge-ade, before it) marked as Drug or Adverse-Effect, and linked, in real notes.
    'HISTORY OF PRESENT ILLNESS: She had a lap band placed 3 years ago and her BMI is 42.',
    '',
    'A Foley catheter was placed and 7 mL of saline was injected.',
  ].join('\n');
  const doc = await annotate('mge-clinical', text);
  const show = JSON.stringify({ entities: doc.entities.map((e) => [e.text, e.type]), relations: doc.relations.map((r) => [r.head.text, r.type, r.tail.text]) });
  for (const drug of ['Metformin', 'Lisinopril', 'Aspirin', 'warfarin']) assert.ok(has(doc, 'Drug', drug), `${drug}: ${show}`);
  assert.ok(doc.entities.every((e) => !/MEDICATIONS|HISTORY|lap|ago|BMI|Foley|mL/.test(e.text)), show);
  assert.deepEqual(doc.relations, [], show);
  for (const e of doc.entities) assert.equal(text.slice(e.start, e.end), e.text);
});

// Both defaults on a real note whose words alone read as mixed (a city, brand names): its section
// headings route it to the clinical model, so the news model no longer calls Claritin a person and
// Allegra a place (it did before the headings counted).
test('the default models on a short real note with a city and brand names: clinical by its headings, no person or place', { skip: skipReason('mge-clinical') || skipReason('mge-conll04') }, async () => {
  const file = path.join(sharedRoot, 'notes', '000-allergic-rhinitis.md');
  const doc = await annotate(['mge-clinical', 'mge-conll04'], fs.readFileSync(file, 'utf8'));
  const show = JSON.stringify(doc.entities.map((e) => [e.text, e.type]));
  assert.match(doc.stats.routing.reason, /^clinical \(\d+ clinical section headings/);
  assert.deepEqual(doc.stats.routing.notRun, ['mge-conll04']);
  assert.ok(doc.entities.every((e) => e.type === 'Drug' || e.type === 'Adverse-Effect'), show);
});

// Each architecture's CoNLL04 package, as a user selects it in the editor (STSN's two graph stages,
// Table-Sequence's 2-D recurrence and TablERT-CNN's table convolutions all run here from models/).
const news = [
  'John Wilkes Booth, who assassinated President Abraham Lincoln, was an actor.',
  '',
  'Maria Gonzalez, a spokeswoman for the United Nations in Geneva, said the talks would resume.',
].join('\n');
for (const architecture of ['pfn', 'stsn', 'tablert-cnn', 'table-sequence']) {
  const id = `${architecture}-conll04`;
  test(`${id} annotates news sentences with the CoNLL04 schema`, { skip: skipReason(id) }, async () => {
    const doc = await annotate(id, news);
    const show = JSON.stringify({ entities: doc.entities.map((e) => [e.text, e.type]), relations: doc.relations.map((r) => [r.head.text, r.type, r.tail.text]) });
    assert.ok(has(doc, 'Peop', 'Booth') && has(doc, 'Peop', 'Gonzalez'), show);
    assert.ok(has(doc, 'Loc', 'Geneva'), show);
    assert.ok(doc.relations.some((r) => r.head.text === 'Maria Gonzalez' && r.type === 'Work_For'), show);
    for (const e of doc.entities) {
      assert.ok(CONLL04_ENTITY_TYPES.includes(e.type), show);
      assert.equal(news.slice(e.start, e.end), e.text);
    }
    for (const r of doc.relations) assert.ok(CONLL04_RELATION_TYPES.includes(r.type), show);
  });
}

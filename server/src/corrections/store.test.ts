import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { feedbackRecord } from './feedbackRecord';
import { CorrectionStore } from './store';
import { USER_MODEL } from './types';

// Two sentences; the second repeats the first, so a correction of that sentence's text holds in both.
const S1 = 'Warfarin caused bleeding in Boston.';
const TEXT = `${S1} Then ${S1}`;
const second = TEXT.lastIndexOf(S1);

function annotations(): DocumentAnnotations {
  const sentences = [
    { index: 0, text: S1, start: 0, end: S1.length, tokens: [], kind: 'sentence' as const },
    { index: 1, text: 'Then', start: S1.length + 1, end: S1.length + 5, tokens: [], kind: 'sentence' as const },
    { index: 2, text: S1, start: second, end: second + S1.length, tokens: [], kind: 'sentence' as const },
  ];
  const entities: EntityAnnotation[] = [];
  const relations: RelationAnnotation[] = [];
  for (const s of [sentences[0], sentences[2]]) {
    const e = (start: number, end: number, type: string): EntityAnnotation => ({ id: `T${entities.length}`, type, start: s.start + start, end: s.start + end, text: S1.slice(start, end), score: 0.9, model: 'm', sentence: s.index, assertion: { status: 'present' } });
    const drug = e(0, 8, 'Drug');
    const effect = e(16, 24, 'Adverse-Effect');
    const city = e(28, 34, 'Drug'); // the model's mistake
    entities.push(drug, effect, city);
    relations.push({ id: `R${relations.length}`, type: 'Adverse-Effect', head: effect, tail: drug, score: 0.8, model: 'm', sentence: s.index, symmetric: false, assertion: { status: 'present' } });
    relations.push({ id: `R${relations.length}`, type: 'Adverse-Effect', head: effect, tail: city, score: 0.6, model: 'm', sentence: s.index, symmetric: false, assertion: { status: 'present' } });
  }
  return { uri: 'file:///n.md', version: 3, sentences, entities, relations, stats: { sentences: 3, inferred: 3, cacheHits: 0, models: ['m'] } };
}

const texts = (a: DocumentAnnotations) => a.entities.map((e) => `${e.text}/${e.type}`);
const triples = (a: DocumentAnnotations) => a.relations.map((r) => `${r.head.text}>${r.type}>${r.tail.text}`);

test('without corrections the annotations pass through untouched', () => {
  const a = annotations();
  assert.equal(new CorrectionStore().apply(a, TEXT), a);
});

test('"not an entity" removes it and its relations in every copy of the sentence', () => {
  const store = new CorrectionStore();
  store.add({ sentence: S1, correction: { kind: 'not-entity', entity: { start: 28, end: 34, type: 'Drug' } } });
  const view = store.apply(annotations(), TEXT);
  assert.deepEqual(texts(view), ['Warfarin/Drug', 'bleeding/Adverse-Effect', 'Warfarin/Drug', 'bleeding/Adverse-Effect']);
  assert.deepEqual(triples(view), ['bleeding>Adverse-Effect>Warfarin', 'bleeding>Adverse-Effect>Warfarin']);
  // the same entity in another sentence text is not touched
  const other = new CorrectionStore();
  other.add({ sentence: 'Another sentence.', correction: { kind: 'not-entity', entity: { start: 28, end: 34, type: 'Drug' } } });
  assert.equal(other.apply(annotations(), TEXT).entities.length, 6);
});

test('"change type" retypes the entity and keeps its relations pointing at it', () => {
  const store = new CorrectionStore();
  store.add({ sentence: S1, correction: { kind: 'retype-entity', entity: { start: 28, end: 34, type: 'Drug' }, type: 'Loc' } });
  const view = store.apply(annotations(), TEXT);
  const boston = view.entities.filter((e) => e.text === 'Boston');
  assert.deepEqual(boston.map((e) => [e.type, e.model, e.score]), [['Loc', USER_MODEL, 1], ['Loc', USER_MODEL, 1]]);
  const rel = view.relations.find((r) => r.tail.text === 'Boston')!;
  assert.equal(rel.tail, boston[0]);
});

test('relations: refuse, add, and the last word on a triple counts', () => {
  const store = new CorrectionStore();
  const drug = { start: 0, end: 8, type: 'Drug' };
  const effect = { start: 16, end: 24, type: 'Adverse-Effect' };
  const city = { start: 28, end: 34, type: 'Drug' };
  store.add({ sentence: S1, correction: { kind: 'not-relation', relation: { head: effect, tail: city, type: 'Adverse-Effect' } } });
  assert.deepEqual(triples(store.apply(annotations(), TEXT)), ['bleeding>Adverse-Effect>Warfarin', 'bleeding>Adverse-Effect>Warfarin']);
  store.add({ sentence: S1, correction: { kind: 'add-relation', relation: { head: city, tail: drug, type: 'Adverse-Effect' } } });
  const added = store.apply(annotations(), TEXT);
  assert.equal(added.relations.filter((r) => r.model === USER_MODEL && r.head.text === 'Boston').length, 2);
  store.add({ sentence: S1, correction: { kind: 'add-relation', relation: { head: effect, tail: city, type: 'Adverse-Effect' } } });
  assert.equal(store.apply(annotations(), TEXT).relations.length, 6, 'refused, then added back: shown again');
  store.add({ sentence: S1, correction: { kind: 'not-relation', relation: { head: city, tail: drug, type: 'Adverse-Effect' } } });
  assert.equal(store.apply(annotations(), TEXT).relations.filter((r) => r.model === USER_MODEL).length, 0);
});

test('an added relation whose argument is gone is not shown', () => {
  const store = new CorrectionStore();
  const drug = { start: 0, end: 8, type: 'Drug' };
  const city = { start: 28, end: 34, type: 'Drug' };
  store.add({ sentence: S1, correction: { kind: 'add-relation', relation: { head: city, tail: drug, type: 'Adverse-Effect' } } });
  store.add({ sentence: S1, correction: { kind: 'not-entity', entity: city } });
  assert.ok(!triples(store.apply(annotations(), TEXT)).some((t) => t.includes('Boston')));
});

test('ignored texts go everywhere (any case, any spacing); the view is cached until the store changes', () => {
  const store = new CorrectionStore();
  assert.equal(store.ignore('  boston '), true);
  assert.equal(store.ignore('BOSTON'), false);
  const a = annotations();
  const view = store.apply(a, TEXT);
  assert.ok(!texts(view).some((t) => t.startsWith('Boston')));
  assert.equal(view.relations.length, 2);
  assert.equal(store.apply(a, TEXT), view, 'same annotations, same store: the cached view');
  store.add({ sentence: S1, correction: { kind: 'not-entity', entity: { start: 0, end: 8, type: 'Drug' } } });
  assert.notEqual(store.apply(a, TEXT), view);
  assert.deepEqual(store.ignoredTexts(), ['boston']);
});

test('a feedback record is the corrected sentence in the shared data format, with the prediction', () => {
  const prediction = { entities: [{ start: 0, end: 8, type: 'Drug' }, { start: 16, end: 24, type: 'Adverse-Effect' }, { start: 28, end: 34, type: 'Drug' }], relations: [] };
  const corrected = { entities: [{ start: 0, end: 8, type: 'Drug' }, { start: 16, end: 24, type: 'Adverse-Effect' }, { start: 3, end: 9, type: 'Drug' }], relations: [{ head: { start: 16, end: 24, type: 'Adverse-Effect' }, tail: { start: 0, end: 8, type: 'Drug' }, type: 'Adverse-Effect' }] };
  const r = feedbackRecord(S1, prediction, corrected, { kind: 'not-entity', entity: { start: 28, end: 34, type: 'Drug' } }, 'file:///n.md', new Date(0));
  assert.deepEqual(r.tokens, ['Warfarin', 'caused', 'bleeding', 'in', 'Boston', '.']);
  // the span 3..9 does not start at a word: it cannot be training data and is left out
  assert.deepEqual(r.entities, [{ type: 'Drug', start: 0, end: 1 }, { type: 'Adverse-Effect', start: 2, end: 3 }]);
  assert.deepEqual(r.relations, [{ type: 'Adverse-Effect', head: 1, tail: 0 }]);
  assert.equal(r.prediction, prediction);
  assert.match(r.id, /^feedback-[0-9a-f]{8}$/);
  assert.equal(feedbackRecord(S1, prediction, corrected, r.correction).id, r.id, 'one sentence, one id');
  assert.equal(r.time, '1970-01-01T00:00:00.000Z');
});

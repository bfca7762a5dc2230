import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { specFixture } from '../testing/fixtures';
import type { GoldDocument } from './charGold';
import { PredictedDocument, scoreDocuments, unitAt } from './charScore';
import { detokenize } from './detokenize';
import { score } from './metrics';

const E = (start: number, end: number, type: string) => ({ start, end, type });

function doc(text: string, units: Array<[number, number]>, entities: ReturnType<typeof E>[], relations: Array<[number, number, string]> = []): GoldDocument {
  return {
    name: 'd',
    source: 'd.txt',
    text,
    language: 'plaintext',
    units: units.map(([start, end], i) => ({ id: `u${i}`, start, end })),
    entities,
    relations: relations.map(([head, tail, type]) => ({ head, tail, type })),
  };
}

test('character scoring reproduces token scoring on spec/fixtures/metrics.json', () => {
  // The token-level fixture, laid out as text (one sentence per line, every token a word): scoring the
  // same items on character offsets must give exactly the token-mode report.
  const fx = specFixture('metrics.json');
  const lengths = [...fx.gold, ...fx.predicted].map((s: any) => Math.max(0, ...s.entities.map((e: number[]) => e[1])));
  const n = Math.max(...lengths);
  const tokens = Array.from({ length: n }, (_, i) => `w${i}`);
  const { text: line, spans } = detokenize(tokens);
  let text = '';
  const units: Array<[number, number]> = [];
  fx.gold.forEach(() => {
    units.push([text.length, text.length + line.length]);
    text += line + '\n';
  });
  const toChars = (sentences: any[]) => {
    const entities: ReturnType<typeof E>[] = [];
    const relations: Array<[number, number, string]> = [];
    sentences.forEach((s, k) => {
      const first = entities.length;
      for (const [a, b, t] of s.entities) entities.push(E(units[k][0] + spans[a][0], units[k][0] + spans[b - 1][1], t));
      for (const [h, t, type] of s.relations) relations.push([first + h, first + t, type]);
    });
    return { entities, relations };
  };
  const g = toChars(fx.gold);
  const p = toChars(fx.predicted);
  const gold = doc(text, units, g.entities, g.relations);
  const predicted: PredictedDocument = {
    entities: p.entities,
    relations: p.relations.map(([h, t, type]) => ({ head: p.entities[h], tail: p.entities[t], type })),
  };
  const toSentence = (s: any) => ({
    entities: s.entities.map(([start, end, type]: any[]) => ({ start, end, type })),
    relations: s.relations.map(([head, tail, type]: any[]) => ({ head, tail, type })),
  });
  const tokenReport = score(fx.gold.map(toSentence), fx.predicted.map(toSentence));
  assert.deepEqual(scoreDocuments([{ gold, predicted }], new Set()).report, tokenReport);
});

test('exact offsets and type match; a shifted span is a false positive and a miss', () => {
  const text = 'Aspirin caused rash.\nIbuprofen too.\n';
  const gold = doc(text, [[0, 20], [21, 35]], [E(0, 7, 'Drug'), E(15, 19, 'AE'), E(21, 30, 'Drug')], [[1, 0, 'Adverse-Effect']]);
  const aspirin = E(0, 7, 'Drug');
  const rash = E(15, 20, 'AE'); // takes the period: wrong
  const r = scoreDocuments([{ gold, predicted: { entities: [aspirin, rash, E(21, 30, 'Drug')], relations: [{ head: rash, tail: aspirin, type: 'Adverse-Effect' }] } }], new Set()).report;
  assert.deepEqual([r.ner.micro.tp, r.ner.micro.fp, r.ner.micro.fn], [2, 1, 1]);
  assert.deepEqual([r.re_strict.micro.tp, r.re_strict.micro.fp, r.re_strict.micro.fn], [0, 1, 1]);
  assert.equal(r.sentences, 2);
});

test('direction counts, except for relation types declared symmetric', () => {
  const text = 'Alice met Bob.\n';
  const gold = doc(text, [[0, 14]], [E(0, 5, 'Peop'), E(10, 13, 'Peop')], [[0, 1, 'Meets']]);
  const a = E(0, 5, 'Peop');
  const b = E(10, 13, 'Peop');
  const reversed = { entities: [a, b], relations: [{ head: b, tail: a, type: 'Meets' }] };
  assert.equal(scoreDocuments([{ gold, predicted: reversed }], new Set()).report.re_strict.micro.tp, 0);
  assert.equal(scoreDocuments([{ gold, predicted: reversed }], new Set(['Meets'])).report.re_strict.micro.tp, 1);
  // the annotator's own flag (from the producing model) is honoured as well
  const flagged = { entities: [a, b], relations: [{ head: b, tail: a, type: 'Meets', symmetric: true }] };
  assert.equal(scoreDocuments([{ gold, predicted: flagged }], new Set()).report.re_strict.micro.tp, 1);
});

test('a prediction across two gold sentences is counted, and is a false positive', () => {
  const text = 'Smith lives in\nBoston today.\n';
  const gold = doc(text, [[0, 14], [15, 28]], [E(0, 5, 'Peop'), E(15, 21, 'Loc')]);
  const smith = E(0, 5, 'Peop');
  const boston = E(15, 21, 'Loc');
  const across = E(9, 21, 'Loc');
  const s = scoreDocuments([{ gold, predicted: { entities: [smith, boston, across], relations: [{ head: smith, tail: boston, type: 'Live_In' }] } }], new Set());
  assert.deepEqual(s.crossing_predictions, { entities: 1, relations: 1 });
  assert.deepEqual([s.report.ner.micro.tp, s.report.ner.micro.fp], [2, 1]);
  assert.equal(s.report.re_strict.micro.fp, 1);
  // per-unit predictions for false-alarm rates: the relation goes to the unit where it starts
  assert.deepEqual(s.predicted.map((u) => u.relations.length), [1, 0]);
});

test('units group items but never change what matches', () => {
  const text = 'A b. C d.\n';
  const entities = [E(0, 1, 'X'), E(5, 6, 'X')];
  const predicted = { entities: [E(0, 1, 'X'), E(5, 8, 'X')], relations: [] };
  const two = scoreDocuments([{ gold: doc(text, [[0, 4], [5, 9]], entities), predicted }], new Set()).report;
  const one = scoreDocuments([{ gold: doc(text, [[0, 9]], entities), predicted }], new Set()).report;
  assert.deepEqual({ ...two, sentences: 0 }, { ...one, sentences: 0 });
  assert.equal(two.sentences, 2);
});

test('unitAt: the last unit starting at or before the offset', () => {
  const units = [{ id: 'a', start: 0, end: 4 }, { id: 'b', start: 6, end: 9 }];
  assert.deepEqual([0, 3, 5, 6, 100].map((p) => unitAt(units, p)), [0, 0, 0, 1, 1]);
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mergeWindowResults, planWindows } from './windows';
import type { SentenceResult } from '../decoders/types';

test('windows cover every word, overlap, and respect both budgets', () => {
  const w = planWindows(new Array(300).fill(1), 128);
  assert.deepEqual(w[0], { start: 0, end: 128 });
  assert.equal(w[w.length - 1].end, 300);
  for (let k = 1; k < w.length; k++) {
    assert.ok(w[k].start < w[k - 1].end, 'consecutive windows overlap');
    assert.ok(w[k].end - w[k].start <= 128);
  }
  assert.equal(w[1].start, 128 - 32, 'stride is max_words - 32');
  // subword budget: words costing 3 pieces each, 30 pieces allowed -> 10 words per window
  const pw = planWindows(new Array(25).fill(3), 128, 30);
  assert.ok(pw.every((x) => (x.end - x.start) * 3 <= 30));
  assert.equal(pw[pw.length - 1].end, 25);
  assert.deepEqual(planWindows([], 10), []);
  assert.deepEqual(planWindows([1, 1, 1], 10), [{ start: 0, end: 3 }]);
});

test('merge: the window that sees a span with most context decides it; relations need both arguments', () => {
  // 20 words, windows [0,12) and [8,20): overlap 8..12, boundary near 10
  const windows = [{ start: 0, end: 12 }, { start: 8, end: 20 }];
  const r0: SentenceResult = {
    entities: [
      { start: 1, end: 2, type: 'A', score: 0.9 }, // word 1: core of window 0
      { start: 9, end: 10, type: 'A', score: 0.6 }, // word 9: both windows see it; window 0 has more context
      { start: 11, end: 12, type: 'B', score: 0.7 }, // word 11: at window 0's edge -> window 1 decides
    ],
    relations: [
      { head: 0, tail: 1, type: 'r', score: 0.8 },
      { head: 0, tail: 2, type: 'r', score: 0.8 }, // tail not in the merged set -> dropped
    ],
  };
  const r1: SentenceResult = {
    entities: [
      { start: 1, end: 2, type: 'A', score: 0.5 }, // word 9 again (local 1): not this window's decision
      { start: 4, end: 6, type: 'B', score: 0.8 }, // words 12-13
      { start: 10, end: 11, type: 'A', score: 0.9 }, // word 18
    ],
    relations: [{ head: 1, tail: 2, type: 'r', score: 0.6 }],
  };
  const m = mergeWindowResults(windows, [r0, r1], 20, ['A', 'B']);
  assert.deepEqual(m.entities.map((e) => [e.start, e.end, e.type, e.score]), [
    [1, 2, 'A', 0.9],
    [9, 10, 'A', 0.6],
    [12, 14, 'B', 0.8],
    [18, 19, 'A', 0.9],
  ]);
  assert.deepEqual(m.relations.map((r) => [r.head, r.tail, r.type]), [
    [0, 1, 'r'],
    [2, 3, 'r'],
  ]);
});

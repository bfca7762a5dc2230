/**
 * Idle compaction: when it fires (enough churn, then a quiet pause; an analysis publishing results is
 * not quiet) and that a collection really gives the dead objects back.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CHURN_BEFORE_COMPACTION, COMPACT_AFTER_IDLE_MS, IdleCompactor, collectGarbage, openingChurn } from './compaction';

test('compaction waits for enough churn and a quiet pause; publishing results postpones it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let compactions = 0;
  const compactor = new IdleCompactor(() => compactions++);
  compactor.activity(CHURN_BEFORE_COMPACTION - 1);
  t.mock.timers.tick(COMPACT_AFTER_IDLE_MS * 5);
  assert.equal(compactions, 0, 'too little churn: no collection');

  compactor.activity(1);
  t.mock.timers.tick(COMPACT_AFTER_IDLE_MS - 1);
  compactor.activity(0); // an analysis still publishing: the pause starts again
  t.mock.timers.tick(COMPACT_AFTER_IDLE_MS - 1);
  assert.equal(compactions, 0, 'not idle yet');
  t.mock.timers.tick(1);
  assert.equal(compactions, 1, 'one collection after the pause');

  t.mock.timers.tick(COMPACT_AFTER_IDLE_MS * 5);
  assert.equal(compactions, 1, 'the churn was spent: nothing more until the next');
  compactor.activity(0);
  t.mock.timers.tick(COMPACT_AFTER_IDLE_MS * 5);
  assert.equal(compactions, 1, 'results alone are no churn');
  compactor.dispose();
});

test('opening a large note counts as churn, a small one hardly', () => {
  assert.ok(openingChurn(128_000) >= CHURN_BEFORE_COMPACTION, 'a 2,000-sentence note is worth a collection');
  assert.equal(openingChurn(999), 0);
  assert.equal(openingChurn(5_000), 5);
});

test('collectGarbage frees what nothing references', () => {
  const before = process.memoryUsage().heapUsed;
  let garbage: string[][] | undefined = Array.from({ length: 200 }, (_, i) => Array.from({ length: 1000 }, (_, j) => `${i}:${j}`));
  const grown = process.memoryUsage().heapUsed;
  assert.ok(grown - before > 5 * 2 ** 20, `the garbage takes room (${grown - before} bytes)`);
  assert.equal(garbage.length, 200);
  garbage = undefined;
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  assert.ok(after < grown - 4 * 2 ** 20, `freed: ${grown} -> ${after} bytes`);
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { calibratedThresholds, chattyTinyPackage, conllTrain, copyPackage, tinyBertPackageDir, tinyPackageDir } from '../testing/fixtures';
import { batchLimit, DEFAULT_MAX_BATCH, ModelRunner } from './runner';
import type { SentenceResult } from '../decoders/types';

function checkShape(r: SentenceResult, nWords: number, entityTypes: string[]) {
  for (const e of r.entities) {
    assert.ok(0 <= e.start && e.start < e.end && e.end <= nWords, 'entity inside the sentence');
    assert.ok(entityTypes.includes(e.type));
    assert.ok(e.score >= 0 && e.score <= 1);
  }
  for (const rel of r.relations) assert.ok(rel.head < r.entities.length && rel.tail < r.entities.length && rel.head !== rel.tail);
}

test('runner: batched results equal one-by-one results, empty sentences skip the graph', async () => {
  const runner = await ModelRunner.load(await chattyTinyPackage(), { executionProvider: 'cpu' });
  try {
    const sentences = conllTrain(12).map((s) => s.tokens);
    const batched = await runner.run([[], ...sentences]);
    assert.deepEqual(batched[0], { entities: [], relations: [] });
    const callsBefore = runner.graphCalls;
    const single: SentenceResult[] = [];
    for (const s of sentences) single.push((await runner.run([s]))[0]);
    assert.equal(runner.graphCalls - callsBefore, sentences.length);
    const round = (r: SentenceResult) => ({
      entities: r.entities.map((e) => [e.start, e.end, e.type, Math.round(e.score * 1e5)]),
      relations: r.relations.map((x) => [x.head, x.tail, x.type, Math.round(x.score * 1e5)]),
    });
    assert.deepEqual(batched.slice(1).map(round), single.map(round), 'padding and batch-mates do not change results');
    batched.forEach((r, i) => checkShape(r, i === 0 ? 0 : sentences[i - 1].length, runner.meta.entity_types));
    assert.ok(batched.some((r) => r.entities.length > 0), 'the low-threshold copy yields some entities');
    const before = runner.graphCalls;
    assert.deepEqual(await runner.run([[], []]), [{ entities: [], relations: [] }, { entities: [], relations: [] }]);
    assert.equal(runner.graphCalls, before, 'no ORT call for empty sentences');
  } finally {
    await runner.release();
  }
});

test('runner: calls that overlap in time share ORT calls and get the results they would alone; a stopped one drops out', async () => {
  const runner = await ModelRunner.load(await chattyTinyPackage(), { executionProvider: 'cpu', maxBatch: 32, maxBatchCells: 1e7 });
  try {
    const docs = [conllTrain(3), conllTrain(7).slice(3), conllTrain(12).slice(7)].map((d) => d.map((s) => s.tokens));
    const alone: SentenceResult[][] = [];
    let callsAlone = 0;
    for (const d of docs) {
      const before = runner.graphCalls;
      alone.push(await runner.run(d));
      callsAlone += runner.graphCalls - before;
    }
    assert.equal(callsAlone, 3, 'one ORT call per document when each runs alone');
    const before = runner.graphCalls;
    const together = await Promise.all(docs.map((d) => runner.run(d)));
    assert.equal(runner.graphCalls - before, 1, 'the three documents share one ORT call');
    const round = (r: SentenceResult) => ({
      entities: r.entities.map((e) => [e.start, e.end, e.type, Math.round(e.score * 1e5)]),
      relations: r.relations.map((x) => [x.head, x.tail, x.type, Math.round(x.score * 1e5)]),
    });
    assert.deepEqual(together.map((d) => d.map(round)), alone.map((d) => d.map(round)));
    // A caller that stopped gets AbortError; the others still get their results.
    const stopped = runner.run(docs[0], { aborted: true });
    const kept = runner.run(docs[1]);
    await assert.rejects(stopped, { name: 'AbortError' });
    assert.deepEqual((await kept).map(round), alone[1].map(round));
  } finally {
    await runner.release();
  }
});

test('runner: a sentence longer than max_words is windowed, not truncated', async () => {
  const thresholds = await calibratedThresholds();
  const dir = copyPackage(tinyPackageDir, 'tiny-window-16', (m) => {
    m.max_words = 16;
    m.thresholds = thresholds;
    m.pair_policy = 'best';
  });
  const runner = await ModelRunner.load(dir, { executionProvider: 'cpu', maxBatch: 4 });
  try {
    const long = conllTrain(6).flatMap((s) => s.tokens); // well over 16 words
    assert.ok(long.length > 100);
    const calls = runner.graphCalls;
    const [r] = await runner.run([long]);
    assert.ok(runner.graphCalls - calls >= 2, 'several ORT calls for the windows');
    checkShape(r, long.length, runner.meta.entity_types);
    assert.ok(r.entities.some((e) => e.start >= 16), 'entities beyond the first window are found');
  } finally {
    await runner.release();
  }
});

test('runner: the WordPiece test package runs end to end', { skip: !fs.existsSync(tinyBertPackageDir) && 'tiny-bert-mge not present' }, async () => {
  const thresholds = await calibratedThresholds(tinyBertPackageDir);
  const dir = copyPackage(tinyBertPackageDir, 'tiny-bert-chatty', (m) => {
    m.thresholds = thresholds;
    m.pair_policy = 'best';
  });
  const runner = await ModelRunner.load(dir, { executionProvider: 'cpu' });
  try {
    const sentences = conllTrain(4).map((s) => s.tokens);
    const out = await runner.run(sentences);
    out.forEach((r, i) => checkShape(r, sentences[i].length, runner.meta.entity_types));
    assert.ok(out.some((r) => r.entities.length > 0));
  } finally {
    await runner.release();
  }
});

test('batchLimit: int8 encoders quantising activations per call get one window per ORT call, others the requested batch', () => {
  const meta = (weights?: string, activations?: string) =>
    ({ encoder: { kind: 'hybrid', ...(weights ? { weights } : {}), ...(activations ? { activations } : {}) } }) as any;
  assert.equal(batchLimit(meta('int8'), 32), 1);
  assert.equal(batchLimit(meta('int8'), undefined), 1);
  assert.equal(batchLimit(meta('int8', 'per-token'), 32), 32);
  assert.equal(batchLimit(meta('int8', 'per-token'), undefined), DEFAULT_MAX_BATCH);
  assert.equal(batchLimit(meta('fp16'), 8), 8);
  assert.equal(batchLimit(meta(), undefined), DEFAULT_MAX_BATCH);
  assert.equal(batchLimit(meta(), 0), 1);
});

// The tiny packages of every architecture through the ModelRunner (real ONNX Runtime): memorised
// sentences come back with their entities, batching and padding change nothing (for STSN also the
// padded pair index of the second stage), and odd input gives valid, possibly empty results.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { spanPairsDecoder } from '../decoders/spanPairs';
import { conllTrain, copyPackage, runOnSentence, tempDir, tinyArchitectures, tinyPackageOf } from '../testing/fixtures';
import type { SentenceResult } from '../decoders/types';
import { batchInputs, loadFeaturizer } from './featurizer';
import { loadPackage, ModelPackageError } from './package';
import { ModelRunner } from './runner';

function checkShape(r: SentenceResult, nWords: number, entityTypes: string[], relationTypes: string[]) {
  for (const e of r.entities) {
    assert.ok(Number.isInteger(e.start) && 0 <= e.start && e.start < e.end && e.end <= nWords, `entity ${JSON.stringify(e)} inside ${nWords} words`);
    assert.ok(entityTypes.includes(e.type));
    assert.ok(e.score >= 0 && e.score <= 1, `score ${e.score}`);
  }
  for (const rel of r.relations) {
    assert.ok(r.entities[rel.head] && r.entities[rel.tail] && rel.head !== rel.tail);
    assert.ok(relationTypes.includes(rel.type));
    assert.ok(rel.score >= 0 && rel.score <= 1, `score ${rel.score}`);
  }
}

const round = (r: SentenceResult) => ({
  entities: r.entities.map((e) => [e.start, e.end, e.type, Math.round(e.score * 1e5)]),
  relations: r.relations.map((x) => [x.head, x.tail, x.type, Math.round(x.score * 1e5)]),
});

/** Odd input: one token, punctuation only, and a 300-word run-on sentence (over max_words: windowed). */
function oddSentences(): string[][] {
  return [['Smith'], ['.', ',', ';', ':', '!', '?', '--', '(', ')', '"', "'", '...'], runOnSentence()];
}

for (const arch of tinyArchitectures) {
  const dir = tinyPackageOf(arch);

  test(`${arch}: memorised sentences give their entities; batched equals one by one`, async () => {
    const runner = await ModelRunner.load(dir, { executionProvider: 'cpu' });
    try {
      assert.equal(runner.meta.architecture, arch);
      const gold = conllTrain(12);
      const sentences = gold.map((s) => s.tokens);
      const batched = await runner.run([[], ...sentences]);
      assert.deepEqual(batched[0], { entities: [], relations: [] });
      const single: SentenceResult[] = [];
      for (const s of sentences) single.push((await runner.run([s]))[0]);
      assert.deepEqual(batched.slice(1).map(round), single.map(round), 'padding and batch-mates do not change results');
      batched.slice(1).forEach((r, i) => checkShape(r, sentences[i].length, runner.meta.entity_types, runner.meta.relation_types));
      let found = 0;
      let total = 0;
      gold.forEach((g, i) => {
        const predicted = new Set(batched[i + 1].entities.map((e) => `${e.start}:${e.end}:${e.type}`));
        for (const e of g.entities) {
          total++;
          if (predicted.has(`${e.start}:${e.end}:${e.type}`)) found++;
        }
      });
      assert.ok(found >= total / 2, `${found} of ${total} gold entities found on memorised sentences`);
      if (arch === 'stsn') assert.ok(runner.stageCalls > 0, 'the pairs stage ran');
      else assert.equal(runner.stageCalls, 0);
    } finally {
      await runner.release();
    }
  });

  test(`${arch}: one token, punctuation only and an over-long sentence give valid results`, async () => {
    const runner = await ModelRunner.load(dir, { executionProvider: 'cpu', maxBatch: 4 });
    try {
      const odd = oddSentences();
      assert.ok(odd[2].length > runner.meta.max_words);
      const calls = runner.graphCalls - runner.stageCalls;
      const out = await runner.run(odd);
      assert.ok(runner.graphCalls - runner.stageCalls - calls >= 2, 'the long sentence is windowed');
      out.forEach((r, i) => checkShape(r, odd[i].length, runner.meta.entity_types, runner.meta.relation_types));
    } finally {
      await runner.release();
    }
  });

  test(`${arch}: a memorised sentence longer than max_words is windowed and still annotated`, async () => {
    const copy = copyPackage(dir, `tiny-${arch}-window-12`, (m) => (m.max_words = 12));
    const runner = await ModelRunner.load(copy, { executionProvider: 'cpu' });
    try {
      const sentences = conllTrain(8).map((s) => s.tokens).filter((s) => s.length > 20);
      const out = await runner.run(sentences);
      out.forEach((r, i) => checkShape(r, sentences[i].length, runner.meta.entity_types, runner.meta.relation_types));
      assert.ok(out.some((r) => r.entities.some((e) => e.start >= 12)), 'entities beyond the first window');
    } finally {
      await runner.release();
    }
  });
}

const stsn = tinyPackageOf('stsn');

test('stsn: a pair axis split over several stage calls gives the same results', async () => {
  const whole = await ModelRunner.load(stsn, { executionProvider: 'cpu' });
  // a budget of one [B, P, N, D] cell: one pair per stage call
  const split = await ModelRunner.load(stsn, { executionProvider: 'cpu', pairStageCells: 1 });
  try {
    const sentences = conllTrain(10).map((s) => s.tokens);
    const a = await whole.run(sentences);
    const b = await split.run(sentences);
    assert.deepEqual(b, a);
    assert.ok(split.stageCalls > whole.stageCalls, `${split.stageCalls} stage calls split vs ${whole.stageCalls}`);
    assert.ok(a.some((r) => r.relations.length > 0), 'some relations on memorised sentences');
  } finally {
    await whole.release();
    await split.release();
  }
});

test('stsn: a missing or replaced stage graph is a package error naming the file', async () => {
  const isPackageError = (re: RegExp) => (err: unknown) => err instanceof ModelPackageError && re.test((err as Error).message);
  const parent = tempDir();
  const gone = copyPackage(stsn, 'no-pairs', () => undefined, parent);
  fs.rmSync(path.join(gone, 'pairs.onnx'));
  await assert.rejects(loadPackage(gone), isPackageError(/'no-pairs': missing file pairs\.onnx/));
  const replaced = copyPackage(stsn, 'bad-pairs', () => undefined, parent);
  fs.appendFileSync(path.join(replaced, 'pairs.onnx'), 'x');
  await assert.rejects(loadPackage(replaced), isPackageError(/'bad-pairs': checksum mismatch for pairs\.onnx/));
  const noStage = copyPackage(stsn, 'no-stage', (m) => delete m.stages, parent);
  await assert.rejects(ModelRunner.load(noStage, { executionProvider: 'cpu' }), isPackageError(/'no-stage': .*needs a 'pairs' stage/));
  const pkg = await loadPackage(stsn);
  assert.equal(pkg.stagePaths.pairs, path.join(stsn, 'pairs.onnx'));
});

test('stsn: the feeds that probe the pairs stage on a GPU provider run on the real graphs', async () => {
  // Probes only run on non-CPU providers (session.ts), so run the same feeds here on CPU.
  const pkg = await loadPackage(stsn);
  const featurizer = loadFeaturizer(pkg);
  const main = await ort.InferenceSession.create(pkg.graphPath, { executionProviders: ['cpu'] });
  const pairs = await ort.InferenceSession.create(pkg.stagePaths.pairs, { executionProviders: ['cpu'] });
  try {
    const mainOut = await main.run(batchInputs([featurizer.encode(['ERlens'])], main.inputNames));
    const out = await pairs.run(spanPairsDecoder.probeStage!('pairs', mainOut, pkg.meta));
    assert.deepEqual(out.relation_probs.dims, [1, 1, pkg.meta.relation_types.length]);
  } finally {
    await main.release();
    await pairs.release();
  }
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { specFixture } from '../testing/fixtures';
import { ModelPackageError } from './manifest';
import type { DecodeContext } from './decoder';
import { decoderFor } from './index';
import { spanPairsDecoder } from './spanPairs';

const fx = specFixture('span-pairs-decoder.json');
const R = fx.relation_types.length;

function meta(suppress: boolean, threshold: number): any {
  return {
    id: 'fx', decoder: 'span-pairs', entity_types: fx.entity_types, relation_types: fx.relation_types, symmetric_relations: [],
    outputs: ['span_probs', 'relation_features'], thresholds: { relation: threshold },
    decoding: { rel_threshold: threshold, suppress_overlaps: suppress },
    stages: { pairs: { file: 'pairs.onnx', sha256: '0', inputs: ['relation_features', 'pair_index'], outputs: ['relation_probs'] } },
  };
}

/** The main graph's outputs for cases placed at batch rows 0.. (a case may be null: an empty row), padded to N words. */
function mainOutputs(cases: Array<any | null>, N: number) {
  const W = fx.max_width;
  const C = fx.entity_types.length + 1;
  const D = 3;
  const spans = new Float32Array(cases.length * N * W * C);
  cases.forEach((c, b) => {
    for (let i = 0; i < (c?.n_words ?? 0); i++) {
      for (let w = 0; w < W; w++) for (let k = 0; k < C; k++) spans[((b * N + i) * W + w) * C + k] = c.span_probs[i][w][k];
    }
  });
  const features = new ort.Tensor('float32', new Float32Array(cases.length * N * D).map((_, x) => x), [cases.length, N, D]);
  return { span_probs: new ort.Tensor('float32', spans, [cases.length, N, W, C]), relation_features: features };
}

/**
 * A stand-in for the pairs graph: answers every row from the case's pair_probs (as float32, like ORT),
 * fails on a pair it does not know, and records the pairs each batch row asked for. Rows past a
 * sentence's own pairs must be the [0,0,0,0] padding.
 */
function fakeStage(cases: Array<any | null>, outputs: Record<string, ort.Tensor>, m: any, pairStageCells?: number) {
  const asked: number[][][] = cases.map(() => []);
  let calls = 0;
  const ctx: DecodeContext = {
    meta: m,
    pairStageCells,
    async runStage(name, feeds) {
      calls++;
      assert.equal(name, 'pairs');
      assert.equal(feeds.relation_features, outputs.relation_features, 'the main graph\'s relation_features tensor is passed on');
      const index = feeds.pair_index;
      assert.equal(index.type, 'int64');
      const [B, P, four] = index.dims;
      assert.equal(B, cases.length);
      assert.equal(four, 4);
      const data = index.data as BigInt64Array;
      const probs = new Float32Array(B * P * R);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < P; k++) {
          const row = Array.from(data.subarray((b * P + k) * 4, (b * P + k + 1) * 4), Number);
          const known = cases[b]?.pair_probs.find((p: any) => p.pair.join() === row.join());
          if (!known) {
            assert.deepEqual(row, [0, 0, 0, 0], `unknown pair ${JSON.stringify(row)} in batch row ${b}`);
            continue;
          }
          asked[b].push(row);
          probs.set(known.probs, (b * P + k) * R);
        }
      }
      return { relation_probs: new ort.Tensor('float32', probs, [B, P, R]) };
    },
  };
  return { ctx, asked, calls: () => calls };
}

const plain = (r: any) => ({ entities: r.entities.map((e: any) => [e.start, e.end, e.type, e.score]), relations: r.relations.map((x: any) => [x.head, x.tail, x.type, x.score]) });

for (const c of fx.cases) {
  for (const exp of c.expected) {
    test(`span-pairs decoder reproduces the fixture: ${c.name} (suppress_overlaps ${exp.suppress_overlaps}, threshold ${exp.rel_threshold})`, async () => {
      const m = meta(exp.suppress_overlaps, exp.rel_threshold);
      const outputs = mainOutputs([c], c.n_words);
      const stage = fakeStage([c], outputs, m);
      const [result] = await decoderFor(m).decode(outputs, [c.n_words], stage.ctx);
      assert.deepStrictEqual(stage.asked[0], exp.pair_index);
      assert.equal(stage.calls(), exp.pair_index.length ? 1 : 0, 'one stage call, none without pairs');
      assert.deepStrictEqual(plain(result), { entities: exp.entities, relations: exp.relations });
    });
  }
}

test('span-pairs: one batch of every case (padded words and pairs, an empty row) decodes like each case alone', async () => {
  for (const suppress of [false, true]) {
    const cases = [...fx.cases, null];
    const N = Math.max(...fx.cases.map((c: any) => c.n_words)) + 3;
    const nWords = cases.map((c) => c?.n_words ?? 0);
    const m = meta(suppress, 0.4);
    const expected = cases.map((c) => c && c.expected.find((e: any) => e.suppress_overlaps === suppress && e.rel_threshold === 0.4));
    for (const cells of [undefined, cases.length * N * 3 * 5]) {
      // the second run allows 5 pairs per stage call: the pair axis is scored in several calls
      const outputs = mainOutputs(cases, N);
      const stage = fakeStage(cases, outputs, m, cells);
      const results = await spanPairsDecoder.decode(outputs, nWords, stage.ctx);
      const pairsOf = cases.map((c) => c?.expected.find((e: any) => e.suppress_overlaps === suppress).pair_index ?? []);
      const maxPairs = Math.max(...pairsOf.map((p) => p.length));
      assert.equal(stage.calls(), cells ? Math.ceil(maxPairs / 5) : 1);
      cases.forEach((c, b) => {
        if (!c) return assert.deepEqual(results[b], { entities: [], relations: [] });
        assert.deepStrictEqual(stage.asked[b], pairsOf[b], c.name);
        if (!expected[b]) return; // this case has no expectation at threshold 0.4
        assert.deepStrictEqual(plain(results[b]), { entities: expected[b].entities, relations: expected[b].relations }, c.name);
      });
    }
  }
});

test('span-pairs: thresholds.relation wins over decoding.rel_threshold; settings are checked as package problems', async () => {
  const c = fx.cases.find((x: any) => x.name === 'nested');
  const low = c.expected.find((e: any) => !e.suppress_overlaps && e.rel_threshold === 0.4);
  const high = c.expected.find((e: any) => !e.suppress_overlaps && e.rel_threshold === 0.6);
  const m = { ...meta(false, 0.4), thresholds: { relation: 0.6 } };
  const outputs = mainOutputs([c], c.n_words);
  const [r] = await decoderFor(m).decode(outputs, [c.n_words], fakeStage([c], outputs, m).ctx);
  assert.deepStrictEqual(plain(r).relations, high.relations);
  const fromDecoding = { ...meta(false, 0.4), thresholds: undefined };
  const [r2] = await decoderFor(fromDecoding).decode(outputs, [c.n_words], fakeStage([c], outputs, fromDecoding).ctx);
  assert.deepStrictEqual(plain(r2).relations, low.relations);

  const isPackageError = (re: RegExp) => (err: unknown) => err instanceof ModelPackageError && re.test((err as Error).message);
  assert.throws(() => decoderFor({ ...meta(false, 0.4), stages: undefined }), isPackageError(/needs a 'pairs' stage/));
  assert.throws(() => decoderFor({ ...meta(false, 0.4), thresholds: undefined, decoding: {} }), isPackageError(/no relation threshold/));
  assert.throws(() => decoderFor({ ...meta(false, 0.4), decoding: { rel_threshold: 0.4, suppress_overlaps: 'yes' } }), isPackageError(/suppress_overlaps must be true or false/));
});

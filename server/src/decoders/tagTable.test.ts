import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { specFixture } from '../testing/fixtures';
import { ModelPackageError } from './manifest';
import { decoderFor } from './index';
import { tagTableDecoder } from './tagTable';

const fx = specFixture('tag-table-decoder.json');

/** A fixture case's probabilities as the [B,N,T] and [B,N,N,K] float32 tensors ORT returns, at batch row `row` of `batch`. */
function tensors(c: any, batch = 1, row = 0, pad = 0) {
  const n = c.n_words;
  const N = n + pad;
  const T = c.tag_probs[0].length;
  const K = c.table_probs[0][0].length;
  const tags = new Float32Array(batch * N * T);
  const table = new Float32Array(batch * N * N * K);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) tags[(row * N + i) * T + t] = c.tag_probs[i][t];
    for (let j = 0; j < n; j++) for (let k = 0; k < K; k++) table[((row * N + i) * N + j) * K + k] = c.table_probs[i][j][k];
  }
  return { tag_probs: new ort.Tensor('float32', tags, [batch, N, T]), table_probs: new ort.Tensor('float32', table, [batch, N, N, K]) };
}

function meta(c: any): any {
  return {
    id: 'fx', decoder: 'tag-table', entity_types: fx.entity_types, relation_types: fx.relation_types, symmetric_relations: [],
    outputs: ['tag_probs', 'table_probs'], decoding: { tagging: c.tagging, relation_cells: c.relation_cells },
  };
}

const noStages = { runStage: async () => assert.fail('tag-table has no further stages') };

async function decode(c: any, batch = 1, row = 0, pad = 0) {
  const m = meta(c);
  const results = await decoderFor(m).decode(tensors(c, batch, row, pad), Array.from({ length: batch }, (_, b) => (b === row ? c.n_words : 0)), { meta: m, ...noStages });
  const r = results[row];
  return { entities: r.entities.map((e) => [e.start, e.end, e.type, e.score]), relations: r.relations.map((x) => [x.head, x.tail, x.type, x.score]) };
}

for (const c of fx.cases) {
  test(`tag-table decoder reproduces the fixture: ${c.name} (${c.tagging}, ${c.relation_cells})`, async () => {
    assert.deepStrictEqual(await decode(c), c.expected);
  });
}

test('tag-table: a sentence at batch row > 0 among padding decodes the same', async () => {
  for (const c of fx.cases) assert.deepStrictEqual(await decode(c, 3, 2, 4), c.expected, c.name);
});

test('tag-table: settings and output shapes are checked as package problems', async () => {
  const c = fx.cases[0];
  assert.equal(decoderFor(meta(c)), tagTableDecoder);
  const isPackageError = (re: RegExp) => (err: unknown) => err instanceof ModelPackageError && re.test((err as Error).message);
  assert.throws(() => decoderFor({ ...meta(c), decoding: { tagging: 'IOB2', relation_cells: 'block' } }), isPackageError(/decoding\.tagging must be 'BIO' or 'BILOU'/));
  assert.throws(() => decoderFor({ ...meta(c), decoding: { tagging: 'BIO' } }), isPackageError(/decoding\.relation_cells/));
  assert.throws(() => decoderFor({ ...meta(c), decoding: undefined }), isPackageError(/decoding\.tagging/));
  // BILOU settings on a BIO graph: the tag axis has the wrong size
  const m = { ...meta(c), decoding: { tagging: 'BILOU', relation_cells: 'block' } };
  assert.throws(() => decoderFor(m).decode(tensors(c), [c.n_words], { meta: m, ...noStages }), isPackageError(/output 'tag_probs' has shape \[1,9,7\], expected 3 axes ending in 13/));
});

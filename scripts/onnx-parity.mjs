#!/usr/bin/env node
// PyTorch-vs-ONNX Runtime parity for an exported package.
// Usage: node scripts/onnx-parity.mjs <parity.json written by `erlens-train export --parity`>
// Runs the batch as exported, then every sentence alone (batch of 1, no padding): a graph whose
// output depends on its batch-mates or on padding fails here. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const parity = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(join(parity.package, 'model.onnx'), { executionProviders: ['cpu'] });

function tensorFrom(nested) {
  const shape = [];
  for (let a = nested; Array.isArray(a); a = a[0]) shape.push(a.length);
  const flat = nested.flat(Infinity);
  return new ort.Tensor('int64', BigInt64Array.from(flat.map((x) => BigInt(x))), shape);
}


const feeds = Object.fromEntries(Object.entries(parity.inputs).map(([k, v]) => [k, tensorFrom(v)]));
const out = await session.run(feeds);
let maxBatch = 0;
for (const [name, expected] of Object.entries(parity.outputs)) {
  const got = out[name].data;
  const flat = expected.flat(Infinity);
  if (flat.length !== got.length) throw new Error(`${name}: ${got.length} values, expected ${flat.length}`);
  for (let i = 0; i < flat.length; i++) maxBatch = Math.max(maxBatch, Math.abs(flat[i] - got[i]));
}

// Each sentence alone, unpadded: compare with the same sentence's cells in the padded batch.
let maxSingle = 0;
const B = parity.inputs.word_mask.length;
for (let b = 0; b < B; b++) {
  const nWords = parity.inputs.word_mask[b].reduce((s, x) => s + x, 0);
  const nSub = parity.inputs.attention_mask[b].reduce((s, x) => s + x, 0);
  const one = {};
  for (const [k, v] of Object.entries(parity.inputs)) {
    const row = v[b];
    const n = k === 'input_ids' || k === 'attention_mask' ? nSub : nWords;
    let r = row.slice(0, n);
    if (k === 'char_ids') {
      const C = Math.max(1, ...r.map((c) => c.filter((x) => x !== 0).length));
      r = r.map((c) => c.slice(0, C));
    }
    one[k] = tensorFrom([r]);
  }
  const res = await session.run(one);
  for (const [name, expected] of Object.entries(parity.outputs)) {
    const t = res[name];
    const L = t.dims[t.dims.length - 1];
    for (let i = 0; i < nWords; i++)
      for (let j = 0; j < nWords; j++)
        for (let l = 0; l < L; l++)
          maxSingle = Math.max(maxSingle, Math.abs(expected[b][i][j][l] - t.data[(i * nWords + j) * L + l]));
  }
}
console.log(JSON.stringify({ max_abs_diff_batch: maxBatch, max_abs_diff_single: maxSingle, sentences: B }));

#!/usr/bin/env node
// PyTorch-vs-ONNX Runtime parity for an exported package.
// Usage: node scripts/onnx-parity.mjs <parity.json written by `erlens-train export --parity`>
// Runs the batch as exported, then every sentence alone (batch of 1, no padding): a graph whose
// output depends on its batch-mates or on padding fails here. Further stages (STSN's pairs.onnx) are
// replayed the same way from the inputs PyTorch gave them. Prints one JSON line; `batch_vs_single` is
// ONNX against ONNX (a sentence batched against the same sentence alone), which an int8 graph must keep
// near float rounding: its activations are quantised per token, never over the batch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const parity = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function shapeOf(nested) {
  const shape = [];
  for (let a = nested; Array.isArray(a); a = a[0]) shape.push(a.length);
  return shape;
}

function tensorFrom(nested, dtype = 'int64') {
  const flat = nested.flat(Infinity);
  const data = dtype === 'int64' ? BigInt64Array.from(flat.map((x) => BigInt(x))) : Float32Array.from(flat);
  return new ort.Tensor(dtype, data, shapeOf(nested));
}

/** Largest |expected - got| over the cells of `got`; `expected` may be larger on its word axes (padding). */
function maxDiff(expected, got) {
  const dims = got.dims;
  let worst = 0;
  const index = new Array(dims.length).fill(0);
  for (let flat = 0; flat < got.data.length; flat++) {
    let e = expected;
    for (const i of index) e = e[i];
    worst = Math.max(worst, Math.abs(e - got.data[flat]));
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++index[d] < dims[d]) break;
      index[d] = 0;
    }
  }
  return worst;
}

/** Row `b` of every input, cut to the sentence's own length on its word axes. */
function sentenceInputs(inputs, b, wordAxes, lengthOf) {
  const one = {};
  for (const [k, v] of Object.entries(inputs)) {
    let row = v[b];
    for (const axis of wordAxes[k] ?? []) {
      if (axis !== 1) throw new Error(`${k}: only the first axis after the batch can be a word axis`);
      row = row.slice(0, lengthOf(k));
    }
    one[k] = [row];
  }
  return one;
}

/** Row `b` of a tensor as nested arrays (to compare with a sentence run alone). */
function rowOf(tensor, b) {
  const [, ...rest] = tensor.dims;
  const size = rest.reduce((a, d) => a * d, 1);
  const build = (offset, dims) => (dims.length === 0 ? tensor.data[offset]
    : Array.from({ length: dims[0] }, (_, i) => build(offset + i * dims.slice(1).reduce((a, d) => a * d, 1), dims.slice(1))));
  return build(b * size, rest);
}

async function replay(graph, inputs, dtypes, outputs, wordAxes, lengthOf, trim) {
  const session = await ort.InferenceSession.create(join(parity.package, graph), { executionProviders: ['cpu'] });
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tensorFrom(v, dtypes[k] ?? 'int64')]));
  const out = await session.run(feeds);
  let batch = 0;
  for (const [name, expected] of Object.entries(outputs)) batch = Math.max(batch, maxDiff(expected, out[name]));
  let single = 0;
  let batchVsSingle = 0;
  const B = shapeOf(Object.values(inputs)[0])[0];
  for (let b = 0; b < B; b++) {
    const one = sentenceInputs(inputs, b, wordAxes, (k) => lengthOf(k, b));
    if (trim) trim(one);
    const res = await session.run(Object.fromEntries(Object.entries(one).map(([k, v]) => [k, tensorFrom(v, dtypes[k] ?? 'int64')])));
    for (const [name, expected] of Object.entries(outputs)) {
      single = Math.max(single, maxDiff([expected[b]], res[name]));
      batchVsSingle = Math.max(batchVsSingle, maxDiff([rowOf(out[name], b)], res[name]));
    }
  }
  await session.release();
  return { batch, single, batchVsSingle };
}

const words = (b) => parity.inputs.word_mask[b].reduce((s, x) => s + x, 0);
const subwords = (b) => parity.inputs.attention_mask[b].reduce((s, x) => s + x, 0);
const mainAxes = { input_ids: [1], attention_mask: [1], word_first_subword: [1], word_mask: [1], char_ids: [1], word_ids: [1], gazetteer_ids: [1] };
const main = await replay('model.onnx', parity.inputs, {}, parity.outputs, mainAxes,
  (k, b) => (k === 'input_ids' || k === 'attention_mask' ? subwords(b) : words(b)),
  (one) => {
    // char rows padded to the batch's longest word: cut to this sentence's longest
    if (!one.char_ids) return;
    const rows = one.char_ids[0];
    const C = Math.max(1, ...rows.map((c) => c.filter((x) => x !== 0).length));
    one.char_ids = [rows.map((c) => c.slice(0, C))];
  });
const result = {
  max_abs_diff_batch: main.batch, max_abs_diff_single: main.single, max_abs_diff_batch_vs_single: main.batchVsSingle,
  sentences: parity.inputs.word_mask.length,
};
for (const stage of parity.stages ?? []) {
  const r = await replay(stage.file, stage.inputs, stage.input_dtypes, stage.outputs, stage.input_word_axes, (k, b) => words(b));
  result.max_abs_diff_batch = Math.max(result.max_abs_diff_batch, r.batch);
  result.max_abs_diff_single = Math.max(result.max_abs_diff_single, r.single);
  result.max_abs_diff_batch_vs_single = Math.max(result.max_abs_diff_batch_vs_single, r.batchVsSingle);
  result[`stage_${stage.file}`] = r;
}
console.log(JSON.stringify(result));

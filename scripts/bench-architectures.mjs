#!/usr/bin/env node
// The architecture comparison: for every model package, dev scores (strict) and throughput through
// ONNX Runtime (`erlens eval`, the server's code path) and through PyTorch (`erlens-train bench` on the
// run the package was exported from), on the same dev sentences and the same machine. Writes one JSON
// report and prints the README's results table.
//
//   npm run bench:architectures [-- --out bench/architectures.json --packages models,runs/packages]
//   npm run bench:architectures -- --only pfn-conll04,pfn-conll04-15ep
//
// A package without its training run (a fresh clone has packages, not runs) gets ONNX numbers only.
// --only re-measures the named packages and keeps every other row of the existing report as it was
// measured (candidates live in ignored folders, so a later checkout may no longer have them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/architectures.json' },
    packages: { type: 'string', default: 'models,runs/packages' },
    'no-pytorch': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const only = values.only ? new Set(values.only.split(',').map((id) => id.trim()).filter(Boolean)) : undefined;

const ORDER = ['mge', 'pfn', 'table-sequence', 'tablert-cnn', 'stsn'];
const packages = [];
for (const dir of values.packages.split(',').map((d) => resolve(root, d))) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const metaPath = join(dir, name, 'model.json');
    if (!existsSync(metaPath)) continue;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    // A candidate that was shipped (same id in an earlier folder, models/ first) is measured once, as shipped.
    if (packages.some((p) => p.meta.id === meta.id)) continue;
    if (!only || only.has(meta.id)) packages.push({ dir: join(dir, name), meta });
  }
}

function packageBytes(dir) {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

const round = (x, d = 2) => (x === undefined || x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
const out = resolve(root, values.out);
if (only) {
  const missing = [...only].filter((id) => !packages.some((p) => p.meta.id === id));
  if (missing.length) throw new Error(`--only: no package ${missing.join(', ')} under ${values.packages}`);
}
const rows = only && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).rows.filter((r) => !only.has(r.id)) : [];
for (const { dir, meta } of packages) {
  const dev = resolve(root, meta.training?.dev ?? '');
  if (!existsSync(dev)) {
    process.stderr.write(`skip ${meta.id}: dev data ${dev} not found\n`);
    continue;
  }
  const reportPath = join(root, '.work', 'bench', `${meta.id}.onnx.json`);
  mkdirSync(dirname(reportPath), { recursive: true });
  execFileSync('node', [join(root, 'bin', 'erlens'), 'eval', '--model', dir, '--data', dev, '--report', reportPath, '--execution-provider', 'cpu', '--threads', '2'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const onnx = JSON.parse(readFileSync(reportPath, 'utf8'));
  const run = join(root, 'runs', meta.id);
  let pytorch = null;
  if (!values['no-pytorch'] && existsSync(join(run, 'best.pt'))) {
    const out = execFileSync(join(root, 'models', 'train', 'erlens-train'), ['bench', '--run', run, '--data', dev], { encoding: 'utf8' });
    pytorch = JSON.parse(out.trim().split('\n').pop());
  }
  const h = onnx.headline ?? {};
  rows.push({
    id: meta.id,
    architecture: meta.architecture,
    dataset: meta.training?.dataset,
    averaging: meta.training?.averaging,
    epochs: meta.training?.epochs_run,
    dev: { ner_micro: h.ner_micro, re_micro: h.re_micro, ner_macro: h.ner_macro, re_macro: h.re_macro },
    parameters: meta.parameters,
    package_mb: round(packageBytes(dir) / 2 ** 20, 1),
    shipped: dir.startsWith(join(root, 'models')),
    sentences: onnx.sentences,
    onnx_sentences_per_second: round(onnx.sentences_per_second, 1),
    pytorch_sentences_per_second: pytorch?.sentences_per_second ?? null,
    onnx_over_pytorch: pytorch ? round(onnx.sentences_per_second / pytorch.sentences_per_second) : null,
  });
}
// Same dataset and architecture (e.g. an equal-budget reference run): longest training first.
rows.sort((a, b) => (a.dataset ?? '').localeCompare(b.dataset ?? '') || ORDER.indexOf(a.architecture) - ORDER.indexOf(b.architecture) || (b.epochs ?? 0) - (a.epochs ?? 0));

const report = {
  command: 'npm run bench:architectures',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
  note: 'dev split, strict scores through the ONNX package (erlens eval); sentences/s over the whole dev file, batch 16, CPU',
  rows,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');

const f = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));
const lines = [
  '| dataset | architecture | package | NER micro | RE micro | NER macro | RE macro | epochs | parameters | package MB | sent/s ONNX | sent/s PyTorch | shipped |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.dataset} | ${r.architecture} | \`${r.id}\` | ${f(r.dev.ner_micro)} | ${f(r.dev.re_micro)} | ${r.averaging === 'macro' ? f(r.dev.ner_macro) : '–'} | ${r.averaging === 'macro' ? f(r.dev.re_macro) : '–'} | ${r.epochs ?? '–'} | ${(r.parameters / 1e6).toFixed(1)}M | ${r.package_mb} | ${r.onnx_sentences_per_second} | ${r.pytorch_sentences_per_second ?? '–'} | ${r.shipped ? 'yes' : 'no'} |`),
];
console.log(lines.join('\n'));
process.stderr.write(`wrote ${out}\n`);

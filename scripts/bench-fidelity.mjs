#!/usr/bin/env node
// What a user sees, beside the benchmark: for every shipped package, dev scores on the dataset's own
// tokens and on raw text through the editor's path (one sentence per line, and five per paragraph),
// false alarms where the answer is nothing (ADE negatives, for clinical packages), and the default
// models on the clinical-note gold (whole notes, as a user opens them). Writes one JSON report and
// prints the README's "what users see" table.
//
//   npm run bench:fidelity [-- --out bench/fidelity.json --packages models --only ID,...]   (--only keeps the other rows)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/fidelity.json' },
    packages: { type: 'string', default: 'models' },
    only: { type: 'string' },
  },
});
const only = values.only ? new Set(values.only.split(',')) : undefined;
const shared = resolve(root, '..', 'shared');
const work = join(root, '.work', 'bench');
mkdirSync(work, { recursive: true });

function erlensEval(args, name) {
  const report = join(work, `${name}.json`);
  execFileSync('node', [join(root, 'bin', 'erlens'), 'eval', ...args, '--report', report, '--execution-provider', 'cpu', '--threads', '2'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(report, 'utf8'));
}
const pick = (r) => ({ ...r.headline, relations_per_100: r.false_alarms?.relations_per_100_sentences ?? null, entities_per_100: r.false_alarms?.entities_per_100_sentences ?? null });

const rows = [];
for (const dir of values.packages.split(',').map((d) => resolve(root, d))) {
  for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const metaPath = join(dir, name, 'model.json');
    if (!existsSync(metaPath)) continue;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (only && !only.has(meta.id)) continue;
    const dev = resolve(root, meta.training?.dev ?? '');
    const pkg = join(dir, name);
    const row = { id: meta.id, architecture: meta.architecture, domain: meta.domain ?? null, dataset: meta.training?.dataset, averaging: meta.training?.averaging ?? 'micro' };
    row.tokens = pick(erlensEval(['--model', pkg, '--data', dev], `${meta.id}.tokens`));
    for (const layout of ['lines', 'paragraphs']) {
      const r = erlensEval(['--model', pkg, '--data', dev, '--layout', layout], `${meta.id}.${layout}`);
      row[layout] = {
        ...pick(r),
        periods_trimmed: r.ends_with_split_period ? r.headline_periods_trimmed : null,
        ends_with_split_period: r.ends_with_split_period ?? 0,
        unrepresentable: r.unrepresentable?.entities ?? null,
        trailing_period: r.unrepresentable?.trailing_period ?? null,
        merged_sentences: r.merged_sentences ?? null,
      };
    }
    if (meta.domain === 'clinical') {
      const negatives = join(shared, 'data', 'ade_neg', 'dev.jsonl');
      row.ade_neg = { tokens: pick(erlensEval(['--model', pkg, '--data', negatives], `${meta.id}.ade_neg`)), lines: pick(erlensEval(['--model', pkg, '--data', negatives, '--layout', 'lines'], `${meta.id}.ade_neg.lines`)) };
    }
    rows.push(row);
  }
}
// With --only, the other packages' rows of an existing report stay (measured before, not re-run), in
// package order, so one re-measured package does not drop the rest from the README's table.
const outPath = resolve(root, values.out);
if (only && existsSync(outPath)) {
  const measured = new Map(rows.map((r) => [r.id, r]));
  const before = JSON.parse(readFileSync(outPath, 'utf8')).rows ?? [];
  const merged = before.map((r) => measured.get(r.id) ?? r);
  for (const r of rows) if (!before.some((b) => b.id === r.id)) merged.push(r);
  rows.splice(0, rows.length, ...merged.sort((a, b) => a.id.localeCompare(b.id)));
}
const notes = erlensEval(['--notes-gold'], 'notes-gold.defaults');
const report = {
  command: 'npm run bench:fidelity',
  note: 'dev splits, strict; raw layouts go through the editor path (segmentation, tokenizer, routing, models, merge) and are scored on character offsets; notes: the default models on whole notes',
  rows,
  notes_gold: {
    models: notes.models,
    drug_strict: notes.drug_strict,
    drug_overlap: notes.drug_overlap,
    other_entities_per_100: notes.other_entities.per_100_sentences,
    adverse_effect_relations_per_100: notes.adverse_effect_relations.per_100_sentences,
    relations_per_100: notes.relations.per_100_sentences,
    summary: notes.summary,
  },
};
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(report, null, 2) + '\n');

const f = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));
const re = (r, avg) => f(avg === 'macro' ? r.re_macro : r.re_micro);
const ner = (r, avg) => f(avg === 'macro' ? r.ner_macro : r.ner_micro);
// Raw-text cells: strict, then (in brackets) with gold entities that end in a split-off period scored
// without it, where the dev set has such entities (CoNLL04's glued "Kosovo.").
const raw = (cell, avg, metric) => `${metric(cell, avg)}${cell.periods_trimmed ? ` (${metric(cell.periods_trimmed, avg)})` : ''}`;
console.log('| package | F1 | NER tokens | NER lines | NER paragraphs | RE tokens | RE lines | RE paragraphs | ADE negatives: relations / 100 sentences |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| \`${r.id}\` | ${r.averaging} | ${ner(r.tokens, r.averaging)} | ${raw(r.lines, r.averaging, ner)} | ${raw(r.paragraphs, r.averaging, ner)} | ${re(r.tokens, r.averaging)} | ${raw(r.lines, r.averaging, re)} | ${raw(r.paragraphs, r.averaging, re)} | ${r.ade_neg ? `${f(r.ade_neg.tokens.relations_per_100)} (lines ${f(r.ade_neg.lines.relations_per_100)})` : '–'} |`);
}
const d = notes.drug_strict;
console.log(`\nClinical-note gold, default models (${notes.models.map((m) => m.id ?? m).join(', ')}), whole notes: Drug strict P ${f(100 * d.precision)} R ${f(100 * d.recall)} F1 ${f(100 * d.f1)}; ` +
  `Adverse-Effect relations ${f(notes.adverse_effect_relations.per_100_sentences)} per 100 sentences (gold 0); other entity types ${f(notes.other_entities.per_100_sentences)} per 100 sentences`);
process.stderr.write(`wrote ${values.out}\n`);

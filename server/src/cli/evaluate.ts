/**
 * `erlens predict` and `erlens eval`: gold JSONL (tokens taken as given) through ModelRunner, the
 * same runner the editor's Annotator uses, then the strict scores of spec/evaluation.md.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../export/atomicWrite';
import { formatJsonl, JsonlSentence, readJsonl } from '../eval/jsonl';
import { headline, headlineLine, score, ScoreReport } from '../eval/metrics';
import { loadPackage, packageRoots, resolvePackageRef } from '../model/package';
import { ModelRunner } from '../model/runner';
import type { SentenceResult } from '../pipeline/types';
import { UsageError } from './errors';
import type { CommonOptions, Values } from './main';

function oneModel(opts: CommonOptions, command: string): string {
  if (opts.models.length !== 1) throw new UsageError(`${command} needs exactly one --model ID|DIR`);
  return opts.models[0];
}

function required(values: Values, name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`${command} needs --${name} PATH`);
  return v;
}

async function loadRunner(ref: string, opts: CommonOptions): Promise<ModelRunner> {
  const dir = resolvePackageRef(ref, packageRoots(opts.extensionRoot, opts.modelsDirs));
  return ModelRunner.load(await loadPackage(dir, ref), { executionProvider: opts.executionProvider, intraOpNumThreads: opts.threads });
}

/** Predictions for every gold sentence, in batches so memory stays flat on large files. */
async function predictAll(runner: ModelRunner, gold: readonly JsonlSentence[], batch = 64): Promise<SentenceResult[]> {
  const out: SentenceResult[] = [];
  for (let i = 0; i < gold.length; i += batch) out.push(...(await runner.run(gold.slice(i, i + batch).map((s) => s.tokens))));
  return out;
}

export async function runPredict(values: Values, opts: CommonOptions): Promise<number> {
  const ref = oneModel(opts, 'predict');
  const input = required(values, 'input', 'predict');
  const output = required(values, 'output', 'predict');
  const gold = readJsonl(input);
  const runner = await loadRunner(ref, opts);
  try {
    const t0 = performance.now();
    const preds = await predictAll(runner, gold);
    const lines: JsonlSentence[] = gold.map((g, i) => ({
      ...g,
      entities: preds[i].entities.map((e) => ({ type: e.type, start: e.start, end: e.end, score: round(e.score) })),
      relations: preds[i].relations.map((r) => ({ type: r.type, head: r.head, tail: r.tail, score: round(r.score) })),
    }));
    await writeFileAtomic(output, formatJsonl(lines));
    process.stderr.write(`erlens predict: ${gold.length} sentences with ${runner.id} on ${runner.provider} in ${((performance.now() - t0) / 1000).toFixed(1)} s; wrote ${output}\n`);
    return 0;
  } finally {
    await runner.release();
  }
}

export async function runEval(values: Values, opts: CommonOptions): Promise<number> {
  const ref = oneModel(opts, 'eval');
  const data = required(values, 'data', 'eval');
  const reportPath = values.report as string | undefined;
  const gold = readJsonl(data);
  const runner = await loadRunner(ref, opts);
  try {
    const t0 = performance.now();
    const preds = await predictAll(runner, gold);
    const seconds = (performance.now() - t0) / 1000;
    const report = score(gold, preds);
    if (reportPath) {
      const json = {
        model: runner.id,
        package: runner.pkg.dir,
        architecture: runner.meta.architecture,
        execution_provider: runner.provider,
        data: path.resolve(data),
        sentences: gold.length,
        seconds: round(seconds),
        sentences_per_second: round(gold.length / Math.max(seconds, 1e-9)),
        headline: headline(report),
        averaging: runner.meta.training?.averaging ?? null,
        report,
      };
      await writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n');
    }
    process.stdout.write(summary(runner, data, gold.length, seconds, report) + headlineLine(report) + '\n');
    return 0;
  } finally {
    await runner.release();
  }
}

function summary(runner: ModelRunner, data: string, n: number, seconds: number, r: ScoreReport): string {
  const pct = (x: number) => (100 * x).toFixed(2).padStart(6);
  const row = (name: string, t: ScoreReport['ner']) => `${name.padEnd(12)} P ${pct(t.micro.precision)}  R ${pct(t.micro.recall)}  F1 ${pct(t.micro.f1)}  macro-F1 ${pct(t.macro_f1)}\n`;
  return (
    `${runner.id} (${runner.meta.architecture}, ${runner.provider}) on ${data}: ${n} sentences in ${seconds.toFixed(1)} s\n` +
    row('NER', r.ner) +
    row('RE strict', r.re_strict) +
    row('RE boundary', r.re_boundary)
  );
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * `erlens predict` and `erlens eval`.
 *
 * Token layout (the default): gold JSONL, tokens taken as given, through ModelRunner (the runner the
 * editor's Annotator uses), then the strict scores of spec/evaluation.md. Raw layouts (`lines`,
 * `paragraphs`), `--brat` and `--notes-gold`: documents through the Annotator exactly as the editor
 * runs it (segmentation, tokenizer, every model, merge), scored on character offsets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../export/atomicWrite';
import { readBratDir, writeBrat } from '../eval/brat';
import { languageOfPath } from '../workspace/proseFiles';
import type { GoldDocument } from '../eval/charGold';
import { falseAlarmLine, falseAlarms } from '../eval/falseAlarms';
import { DataError, formatJsonl, JsonlSentence, readJsonl } from '../eval/jsonl';
import { headline, headlineLine, keyed, score } from '../eval/metrics';
import { byNote, checkNote, notesLine, readNotesGold, scoreNotes, ScoredNote } from '../eval/notesGold';
import { isLayout, Layout, LAYOUTS, layOut, RawLayout } from '../eval/rawLayout';
import { rawEvaluation } from '../eval/rawReport';
import { notesSummary, rawSummary, scoreRows } from '../eval/summary';
import { loadPackage } from '../model/package';
import { ModelRunner } from '../model/runner';
import { sharedRoot } from '../paths';
import type { Annotator } from '../pipeline/annotator';
import type { DocumentAnnotations } from '../annotations/types';
import type { SentenceResult } from '../decoders/types';
import { UsageError } from './errors';
import { loadAnnotator } from './loadModels';
import type { CommonOptions, Values } from './options';
import { chooseModels, catalogueFor } from './modelSelection';

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
  const dir = catalogueFor(opts).resolve(ref);
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

/** `--notes-gold` without a file: the shared clinical-note gold. */
export const DEFAULT_NOTES_GOLD = path.join(sharedRoot, 'notes', 'gold', 'dev.jsonl');

/**
 * parseArgs has no optional values, so a bare `--notes-gold` (last, or followed by another option)
 * gets the default file spliced in before parsing.
 */
export function withDefaultNotesGold(args: readonly string[]): string[] {
  const out = [...args];
  const i = out.indexOf('--notes-gold');
  if (i >= 0 && (i === out.length - 1 || out[i + 1].startsWith('-'))) out.splice(i + 1, 0, DEFAULT_NOTES_GOLD);
  return out;
}

type EvalPlan =
  | { kind: 'tokens'; data: string }
  | { kind: 'layout'; data: string; layout: RawLayout; writeBrat?: string }
  | { kind: 'brat'; dir: string }
  | { kind: 'notes'; gold: string; notesDir: string };

/** Which evaluation the options ask for; every contradiction is a usage error before anything loads. */
function evalPlan(values: Values): EvalPlan {
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const sources = (['data', 'brat', 'notes-gold'] as const).filter((n) => str(n) !== undefined);
  if (sources.length !== 1) throw new UsageError('eval needs one of --data GOLD.jsonl, --brat DIR or --notes-gold [FILE]');
  const layout = str('layout');
  if (layout !== undefined && !isLayout(layout)) throw new UsageError(`--layout must be ${LAYOUTS.slice(0, -1).join(', ')} or ${LAYOUTS[LAYOUTS.length - 1]}, not '${layout}'`);
  const only = (opt: string, needs: string) => {
    if (str(opt) !== undefined) throw new UsageError(`--${opt} goes with ${needs}`);
  };
  if (sources[0] !== 'data') only('layout', '--data (--brat and --notes-gold documents are already raw text)');
  if (sources[0] !== 'notes-gold') only('notes-dir', '--notes-gold');
  const wb = str('write-brat');
  if (wb !== undefined && (sources[0] !== 'data' || layout === undefined || layout === 'tokens')) {
    throw new UsageError('--write-brat needs --data and --layout lines or paragraphs (it writes the raw document that layout builds)');
  }
  if (sources[0] === 'brat') return { kind: 'brat', dir: str('brat')! };
  if (sources[0] === 'notes-gold') {
    const gold = str('notes-gold')!;
    return { kind: 'notes', gold, notesDir: str('notes-dir') ?? path.dirname(path.dirname(path.resolve(gold))) };
  }
  const data = str('data')!;
  if (!layout || layout === 'tokens') return { kind: 'tokens', data };
  return { kind: 'layout', data, layout, ...(wb !== undefined ? { writeBrat: wb } : {}) };
}

export async function runEval(values: Values, opts: CommonOptions): Promise<number> {
  const plan = evalPlan(values);
  const reportPath = values.report as string | undefined;
  switch (plan.kind) {
    case 'tokens':
      return runTokenEval(plan.data, reportPath, opts);
    case 'layout': {
      const sentences = readJsonl(plan.data);
      const stem = path.basename(plan.data).replace(/\.jsonl$/i, '') || 'gold';
      const source = path.join(path.dirname(path.resolve(plan.data)), `${stem}-${plan.layout}.txt`);
      const laid = layOut(sentences, plan.layout, `${stem}-${plan.layout}`, source);
      const written = plan.writeBrat ? await writeBrat(laid.document, plan.writeBrat) : [];
      const extra = { data: path.resolve(plan.data), text_field: { used: laid.fromTextField, not_matching_tokens: laid.textFieldMismatches.length }, ...(written.length ? { wrote_brat: written } : {}) };
      if (written.length) process.stderr.write(`erlens eval: wrote ${written.join(', ')}\n`);
      return runRawEval([laid.document], plan.layout, plan.data, extra, reportPath, opts);
    }
    case 'brat':
      return runRawEval(readBratDir(plan.dir), 'brat', plan.dir, { brat: path.resolve(plan.dir) }, reportPath, opts);
    case 'notes':
      return runNotesEval(plan.gold, plan.notesDir, reportPath, opts);
  }
}

async function runTokenEval(data: string, reportPath: string | undefined, opts: CommonOptions): Promise<number> {
  const ref = oneModel(opts, 'eval');
  const gold = readJsonl(data);
  const runner = await loadRunner(ref, opts);
  try {
    const t0 = performance.now();
    const preds = await predictAll(runner, gold);
    const seconds = (performance.now() - t0) / 1000;
    const report = score(gold, preds);
    const alarms = falseAlarms(preds.map(keyed));
    if (reportPath) {
      const json = {
        layout: 'tokens' as Layout,
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
        false_alarms: alarms,
        report,
      };
      await writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n');
    }
    const head = `${runner.id} (${runner.meta.architecture}, ${runner.provider}) on ${data}: ${gold.length} sentences in ${seconds.toFixed(1)} s\n`;
    process.stdout.write(head + scoreRows(report) + falseAlarmLine(alarms) + '\n' + headlineLine(report) + '\n');
    return 0;
  } finally {
    await runner.release();
  }
}

/** Annotate documents as the editor would, warning about skipped documents and failed batches. */
async function annotateAll(annotator: Annotator, docs: ReadonlyArray<{ source: string; text: string; language: string }>): Promise<{ annotations: DocumentAnnotations[]; seconds: number }> {
  const annotations: DocumentAnnotations[] = [];
  const t0 = performance.now();
  for (const doc of docs) {
    const reported = annotator.errors.length;
    const a = await annotator.annotate(pathToFileURL(doc.source).href, 0, doc.text, doc.language);
    if (a.skipped) process.stderr.write(`erlens eval: ${doc.source}: ${a.skipped}\n`);
    for (const e of annotator.errors.slice(reported)) process.stderr.write(`erlens: warning: ${doc.source}: ${e.message}\n`);
    annotations.push(a);
  }
  return { annotations, seconds: (performance.now() - t0) / 1000 };
}

function modelsOf(annotator: Annotator) {
  return annotator.loadedModels().map((m) => ({ id: m.id, package: m.dir, architecture: m.architecture, execution_provider: m.provider }));
}

/** Relation types any loaded model declares symmetric: those compare their arguments unordered. */
function symmetricTypes(annotator: Annotator): Set<string> {
  return new Set(annotator.loadedModels().flatMap((m) => m.symmetricRelations));
}

async function runRawEval(docs: GoldDocument[], layout: RawLayout | 'brat', input: string, extra: Record<string, unknown>, reportPath: string | undefined, opts: CommonOptions): Promise<number> {
  const annotator = await loadAnnotator(chooseModels(opts), opts);
  try {
    const { annotations, seconds } = await annotateAll(annotator, docs);
    const e = rawEvaluation(docs, annotations, symmetricTypes(annotator));
    const models = modelsOf(annotator);
    if (reportPath) {
      const json = {
        layout,
        models,
        ...extra,
        documents: docs.length,
        characters: docs.reduce((s, d) => s + d.text.length, 0),
        sentences: e.report.sentences,
        editor_sentences: e.editor_sentences,
        seconds: round(seconds),
        sentences_per_second: round(e.report.sentences / Math.max(seconds, 1e-9)),
        headline: headline(e.report),
        headline_periods_trimmed: headline(e.report_periods_trimmed),
        false_alarms: e.false_alarms,
        gold_entities: e.gold_entities,
        gold_relations: e.gold_relations,
        unrepresentable: e.unrepresentable,
        crossing_sentences: e.crossing_sentences,
        merged_sentences: e.merged_sentences,
        merged_examples: e.merged_examples,
        ends_with_split_period: e.ends_with_split_period,
        crossing_predictions: e.crossing_predictions,
        report: e.report,
        report_periods_trimmed: e.report_periods_trimmed,
      };
      await writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n');
    }
    const names = models.map((m) => `${m.id} (${m.architecture}, ${m.execution_provider})`).join(' + ');
    const header = `${names}, layout ${layout}, on ${input}: ${e.report.sentences} gold sentences (${e.editor_sentences} editor sentences) in ${docs.length} document(s), ${seconds.toFixed(1)} s`;
    process.stdout.write(rawSummary(header, e));
    return 0;
  } finally {
    await annotator.dispose();
  }
}

async function runNotesEval(goldFile: string, notesDir: string, reportPath: string | undefined, opts: CommonOptions): Promise<number> {
  const groups = byNote(readNotesGold(goldFile));
  // Every note is read and checked against its gold before any model loads, so bad input fails fast.
  const notes = [...groups].map(([note, lines]) => {
    const file = path.join(notesDir, note);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new DataError(`note file not found: ${file} (named by ${goldFile}; give the notes folder with --notes-dir)`);
    }
    checkNote(lines, text, file);
    return { note, lines, source: file, text, language: languageOfPath(file) };
  });
  const annotator = await loadAnnotator(chooseModels(opts), opts);
  try {
    const { annotations, seconds } = await annotateAll(annotator, notes);
    const scored: ScoredNote[] = notes.map((n, i) => ({ note: n.note, lines: n.lines, predicted: annotations[i], text: n.text, sentences: annotations[i].sentences }));
    const report = scoreNotes(scored);
    const models = modelsOf(annotator);
    if (reportPath) {
      const json = { layout: 'notes', models, gold: path.resolve(goldFile), notes_dir: path.resolve(notesDir), seconds: round(seconds), summary: notesLine(report), ...report };
      await writeFileAtomic(reportPath, JSON.stringify(json, null, 2) + '\n');
    }
    const names = models.map((m) => `${m.id} (${m.architecture}, ${m.execution_provider})`).join(' + ');
    const header = `${names} on ${goldFile}: ${report.sentences} gold sentences in ${report.notes} whole notes (${notesDir}), ${seconds.toFixed(1)} s`;
    process.stdout.write(notesSummary(header, report));
    return 0;
  } finally {
    await annotator.dispose();
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

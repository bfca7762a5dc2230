/**
 * `erlens bench`: whole-document throughput through the editor's pipeline, per model and per
 * execution provider that can actually run here, and memory.
 *
 * The document is the concatenation of the example notes (../shared/notes/*.md when present, else
 * examples/), repeated or cut to `--sentences N`. For each model x provider: load time, resident set
 * after load, cold-cache annotation (every sentence inferred: sentences/s), warm-cache annotation (all
 * hits), a one-sentence edit (how many sentences re-ran, how long), the resident set after the
 * large document, and the cost of assertion status (ConText) per sentence, uncached and cached.
 * Providers that fall back to another are reported as unavailable with the reason.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../export/atomicWrite';
import { knownProviders, ExecutionProvider } from '../model/session';
import { AssertionTagger } from '../assertion/tagger';
import { Annotator } from '../pipeline/annotator';
import type { DocumentAnnotations } from '../annotations/types';
import { sharedRoot } from '../paths';
import { segmentDocument } from '../text/segment';
import { UsageError } from './errors';
import type { CommonOptions, Values } from './options';
import { chooseModels } from './modelSelection';

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const rss = () => mb(process.memoryUsage().rss);

/** The benchmark document: notes concatenated, repeated or cut to `sentences` sentences. */
export function benchDocument(notesDir: string, sentences?: number): { text: string; sentences: number } {
  const files = fs.existsSync(notesDir) ? fs.readdirSync(notesDir).filter((f) => /\.(md|txt)$/.test(f)).sort() : [];
  if (!files.length) throw new UsageError(`no .md or .txt notes in ${notesDir} (use --notes-dir)`);
  const once = files.map((f) => fs.readFileSync(path.join(notesDir, f), 'utf8').trimEnd()).join('\n\n') + '\n';
  let text = once;
  if (sentences !== undefined) {
    const perCopy = Math.max(1, segmentDocument(once, 'markdown').length);
    text = once.repeat(Math.ceil(sentences / perCopy));
    const spans = segmentDocument(text, 'markdown');
    if (spans.length > sentences) text = text.slice(0, spans[sentences - 1].end) + '\n';
  }
  return { text, sentences: segmentDocument(text, 'markdown').length };
}

interface ProviderResult {
  model: string;
  requested: ExecutionProvider;
  available: boolean;
  reason?: string;
  load_seconds?: number;
  rss_mb_after_load?: number;
  cold?: { seconds: number; sentences: number; inferred: number; sentences_per_second: number; entities: number; relations: number };
  warm?: { seconds: number; cache_hits: number; inferred: number };
  edit?: { seconds: number; inferred: number };
  rss_mb_after_document?: number;
  /** The highest resident set sampled (every 25 ms, between batches) during the cold annotation. */
  rss_mb_peak_cold?: number;
  assertion?: AssertionCost;
}

interface AssertionCost {
  /** Sentences holding an entity: the only ones ConText reads. */
  sentences_with_entities: number;
  microseconds_per_sentence: number;
  microseconds_per_sentence_cached: number;
  /** ConText on the whole document, uncached, against the cold annotation's time. */
  share_of_cold_annotation: number;
}

/**
 * ConText over the document's annotations, on every entity (an upper bound: the editor reads only
 * clinical packages' ones): fresh taggers until 200 ms have passed, then one tagger's cache answering.
 */
export function measureAssertions(doc: string, a: DocumentAnnotations, coldSeconds: number): AssertionCost {
  const sentences = new Set(a.entities.map((e) => e.sentence)).size;
  let runs = 0;
  const t0 = performance.now();
  while (runs < 3 || performance.now() - t0 < 200) {
    new AssertionTagger().tag(doc, a.sentences, a.entities, a.relations, () => true);
    runs++;
  }
  const uncached = (performance.now() - t0) / runs;
  const tagger = new AssertionTagger();
  tagger.tag(doc, a.sentences, a.entities, a.relations, () => true);
  let cachedRuns = 0;
  const t1 = performance.now();
  while (cachedRuns < 3 || performance.now() - t1 < 100) {
    tagger.tag(doc, a.sentences, a.entities, a.relations, () => true);
    cachedRuns++;
  }
  const cached = (performance.now() - t1) / cachedRuns;
  const per = (ms: number) => round((1000 * ms) / Math.max(1, sentences));
  return { sentences_with_entities: sentences, microseconds_per_sentence: per(uncached), microseconds_per_sentence_cached: per(cached), share_of_cold_annotation: round(uncached / 1000 / Math.max(coldSeconds, 1e-9)) };
}

export async function runBench(values: Values, opts: CommonOptions): Promise<number> {
  const sentences = values.sentences === undefined ? undefined : Number(values.sentences);
  if (sentences !== undefined && (!Number.isInteger(sentences) || sentences < 1)) throw new UsageError(`--sentences must be a positive whole number, not '${values.sentences}'`);
  const providers = ((values.providers as string | undefined)?.split(',').map((p) => p.trim()).filter(Boolean) ?? knownProviders()) as ExecutionProvider[];
  for (const p of providers) if (!['cpu', 'webgpu', 'cuda'].includes(p)) throw new UsageError(`unknown provider '${p}' in --providers`);
  const notesDir = (values['notes-dir'] as string | undefined) ?? (fs.existsSync(path.join(sharedRoot, 'notes')) ? path.join(sharedRoot, 'notes') : path.join(opts.extensionRoot, 'examples'));
  const out = (values.out as string | undefined) ?? 'bench-report.json';
  const choice = chooseModels(opts);
  if (choice.note) process.stderr.write(`erlens: note: ${choice.note}\n`);

  const doc = benchDocument(notesDir, sentences);
  const results: ProviderResult[] = [];
  const rssStart = rss();
  const onOff = (name: string): boolean | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    if (v !== 'on' && v !== 'off') throw new UsageError(`--${name} must be on or off, not '${v}'`);
    return v === 'on';
  };
  const tuning = {
    sessionMemory: { cpuMemArena: onOff('cpu-mem-arena'), memPattern: onOff('mem-pattern') },
    ...(values['batch-cells'] !== undefined ? { batchCells: Number(values['batch-cells']) } : {}),
    ...(values['batch-size'] !== undefined ? { batchSize: Number(values['batch-size']) } : {}),
  };
  for (const ref of choice.refs) {
    for (const provider of providers) {
      const step = (what: string) => process.stderr.write(`erlens bench: ${path.basename(ref)} on ${provider}: ${what}\n`);
      step('loading');
      // One model at a time, on every sentence: its own speed. With routing, a general package alone on
      // the clinical notes would analyse nothing (and report 0 sentences/s).
      const annotator = new Annotator([ref], { executionProvider: provider, threads: opts.threads, extensionRoot: opts.extensionRoot, extraModelDirs: opts.modelsDirs, cacheBytes: 512 * 2 ** 20, routing: 'off', ...tuning });
      const t0 = performance.now();
      await annotator.ready();
      const loadSeconds = (performance.now() - t0) / 1000;
      const loaded = annotator.loadedModels()[0];
      const name = loaded?.id ?? path.basename(ref);
      if (!loaded) {
        results.push({ model: name, requested: provider, available: false, reason: annotator.errors[0]?.message ?? 'did not load' });
        continue;
      }
      if (loaded.provider !== provider) {
        const why = loaded.failedProviders.find((f) => f.provider === provider)?.error ?? `ran on ${loaded.provider}`;
        results.push({ model: name, requested: provider, available: false, reason: why });
        await annotator.dispose();
        continue;
      }
      const r: ProviderResult = { model: name, requested: provider, available: true, load_seconds: round(loadSeconds), rss_mb_after_load: rss() };
      const uri = 'bench://document.md';
      let peak = rss();
      const sampler = setInterval(() => (peak = Math.max(peak, rss())), 25);
      step(`cold annotation of ${doc.text.length.toLocaleString('en')} characters (the longest step)`);
      let t = performance.now();
      const cold = await annotator.annotate(uri, 1, doc.text, 'markdown');
      let s = (performance.now() - t) / 1000;
      clearInterval(sampler);
      r.rss_mb_peak_cold = Math.max(peak, rss());
      r.cold = {
        seconds: round(s), sentences: cold.stats.sentences, inferred: cold.stats.inferred, sentences_per_second: round(cold.stats.inferred / s),
        entities: cold.entities.length, relations: cold.relations.length,
      };
      step('warm annotation and a one-sentence edit');
      t = performance.now();
      const warm = await annotator.annotate(uri, 2, doc.text, 'markdown');
      r.warm = { seconds: round((performance.now() - t) / 1000), cache_hits: warm.stats.cacheHits, inferred: warm.stats.inferred };
      // one-sentence edit in the middle of the document
      const mid = cold.sentences[Math.floor(cold.sentences.length / 2)];
      if (mid) {
        const edited = doc.text.slice(0, mid.start) + 'Meanwhile ' + doc.text.slice(mid.start);
        t = performance.now();
        const after = await annotator.annotate(uri, 3, edited, 'markdown');
        s = (performance.now() - t) / 1000;
        r.edit = { seconds: round(s), inferred: after.stats.inferred };
      }
      r.rss_mb_after_document = rss();
      r.assertion = measureAssertions(doc.text, cold, r.cold.seconds);
      results.push(r);
      process.stdout.write(
        `${name} on ${provider}: cold ${r.cold.sentences_per_second} sentences/s (${r.cold.inferred} sentences, ${r.cold.seconds} s), warm ${r.warm.seconds} s, edit re-inferred ${r.edit?.inferred ?? '-'} in ${r.edit?.seconds ?? '-'} s, RSS ${r.rss_mb_after_load} -> ${r.rss_mb_after_document} MB\n` +
          `${name} on ${provider}: assertion status (ConText) ${r.assertion.microseconds_per_sentence} µs per sentence with entities, ${r.assertion.microseconds_per_sentence_cached} µs cached (${r.assertion.sentences_with_entities} sentences; ${(100 * r.assertion.share_of_cold_annotation).toFixed(2)}% of the cold annotation)\n`,
      );
      await annotator.dispose();
    }
  }
  for (const r of results.filter((x) => !x.available)) process.stdout.write(`${r.model} on ${r.requested}: unavailable (${r.reason})\n`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null, platform: `${process.platform}-${process.arch}`, node: process.version, load_average: os.loadavg() },
    document: { source: notesDir, sentences: doc.sentences, characters: doc.text.length },
    threads: opts.threads || 'ort-default',
    rss_mb_at_start: rssStart,
    results,
  };
  await writeFileAtomic(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

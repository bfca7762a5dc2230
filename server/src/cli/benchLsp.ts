/**
 * `erlens bench --lsp`: the editor's view of speed and memory, measured through the real language
 * server over stdio (lspDriver.ts) with the configured default models (or --model), default settings
 * unless --debounce says otherwise. Writes a JSON report and prints a summary.
 *
 * Phases, on a note of --sentences sentences (default 2,000: ../shared/notes concatenated):
 *  - load: start, initialize, models loaded; RSS.
 *  - cold: open the note; time to the first diagnostics and to complete ones; meanwhile hovers, range
 *    semantic tokens and code lenses are asked one after another, their latencies kept; RSS after.
 *  - edits: --edits one-word edits spread over the note (default 60), each after the previous one's
 *    complete diagnostics and a pause (a person typing a word, then reading): didChange to complete
 *    diagnostics, p50/p95/max, and sentences inferred per edit.
 *  - memory: more paced edits up to MEMORY_EDITS (1,000) in all, RSS every 100, and the growth of the
 *    RSS after an idle pause from the cold analysis to the last edit (the target: flat, within ±5%).
 *  - burst: --burst edits (default 1,000) sent as fast as possible; settle = last didChange to the
 *    final version's complete diagnostics; runs completed and stopped.
 *  - close: the note closed; RSS after a pause (the server compacts its heaps when idle).
 *  - fuzz (--fuzz N, default 100 documents): generated documents (note fragments, Markdown that breaks
 *    parsers, long lines without full stops, lists, odd Unicode, control characters, sizes up to
 *    300,000 characters), each opened, edited, asked hover/tokens/lenses and closed: the slowest
 *    request, the highest RSS, and any document that did not settle or errored.
 *  - pathological Markdown (unless --skip-pathological): `'['.repeat(n)`, `'!['.repeat(n/2)`, nested
 *    brackets, emphasis and backticks, segmented in process at 5k..40k characters; and an 86,000-
 *    character `[` line through the server, with hover latency while it is analysed.
 * The machine's load is recorded at the start and the end: the numbers depend on it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../export/atomicWrite';
import { sharedRoot } from '../paths';
import { segmentDocument } from '../text/segment';
import { benchDocument } from './bench';
import { UsageError } from './errors';
import { ClientDocument, fileUriOf, LspDriver } from './lspDriver';
import type { CommonOptions, Values } from './options';
import { chooseModels } from './modelSelection';
import { round, summarize } from './latencies';
import type { Latencies } from './latencies';
import type { ServerStats } from '../lsp/protocol';

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Paced edits in the memory phase (the issue's target: RSS flat within ±5% over 1,000 edits). */
const MEMORY_EDITS = 1000;
/** A pause after which the server has compacted its heaps (lsp/compaction.ts COMPACT_AFTER_IDLE_MS, and some). */
const IDLE_PAUSE_MS = 4000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS with what the two V8 heaps (used, committed), their external memory and the sentence cache hold of it: the rest is native (ONNX Runtime, malloc). */
function memoryOf(s: ServerStats) {
  return { rss_mb: mb(s.rssBytes), heap_mb: mb(s.heapUsedBytes), heap_committed_mb: mb(s.heapTotalBytes), worker_heap_mb: mb(s.workerHeapUsedBytes), worker_heap_committed_mb: mb(s.workerHeapTotalBytes), external_mb: mb(s.externalBytes), worker_external_mb: mb(s.workerExternalBytes), cache_mb: mb(s.cacheBytes) };
}

function positiveInt(values: Values, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, not '${raw}'`);
  return n;
}

/** Requests an editor sends while the user looks at a document, one at a time, until `done()`. */
async function probeRequests(driver: LspDriver, doc: ClientDocument, done: () => boolean): Promise<Record<'hover' | 'semanticTokensRange' | 'codeLens', number[]>> {
  const out = { hover: [] as number[], semanticTokensRange: [] as number[], codeLens: [] as number[] };
  const lines = doc.text.split('\n').length;
  for (let i = 0; !done(); i++) {
    const line = (i * 53) % Math.max(1, lines - 1);
    const t = performance.now();
    const kind = (['hover', 'semanticTokensRange', 'codeLens'] as const)[i % 3];
    if (kind === 'hover') await driver.conn.sendRequest('textDocument/hover', { textDocument: { uri: doc.uri }, position: { line, character: 3 } });
    else if (kind === 'semanticTokensRange') await driver.conn.sendRequest('textDocument/semanticTokens/range', { textDocument: { uri: doc.uri }, range: { start: { line, character: 0 }, end: { line: line + 40, character: 0 } } });
    else await driver.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: doc.uri } });
    out[kind].push(performance.now() - t);
    await sleep(20);
  }
  return out;
}

/** Offsets inside words, spread over the text: where the edits go. */
function editPlaces(text: string, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let at = Math.floor(((k * 7919) % n) * (text.length / n)) + 10;
    while (at < text.length && text[at] !== ' ') at++;
    out.push(Math.min(at + 1, text.length));
  }
  return out;
}

export async function runBenchLsp(values: Values, opts: CommonOptions): Promise<number> {
  const sentences = positiveInt(values, 'sentences', 2000);
  const editCount = Math.max(1, positiveInt(values, 'edits', 60));
  const burst = positiveInt(values, 'burst', 1000);
  const out = (values.out as string | undefined) ?? 'bench-lsp.json';
  const notesDir = (values['notes-dir'] as string | undefined) ?? (fs.existsSync(path.join(sharedRoot, 'notes')) ? path.join(sharedRoot, 'notes') : path.join(opts.extensionRoot, 'examples'));
  const choice = chooseModels(opts);
  const settings: Record<string, unknown> = { models: choice.refs, modelPaths: opts.modelsDirs, executionProvider: opts.executionProvider, routing: opts.routing, threads: opts.threads };
  if (values.debounce !== undefined) settings.debounceMs = positiveInt(values, 'debounce', 300);
  const doc = benchDocument(notesDir, sentences);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const loadStart = os.loadavg();

  const driver = new LspDriver(settings);
  const report: Record<string, unknown> = {};
  try {
    // load
    let t0 = performance.now();
    await driver.initialize();
    let stats = await driver.modelsLoaded();
    report.load = { seconds: Math.round(performance.now() - t0) / 1000, models: stats.models, provider: stats.executionProvider, rss_mb: mb(stats.rssBytes) };
    say(`loaded ${stats.models.join(', ')} on ${stats.executionProvider} in ${(report.load as { seconds: number }).seconds} s, RSS ${mb(stats.rssBytes)} MB`);

    // cold
    const note = new ClientDocument(fileUriOf(path.join(os.tmpdir(), `erlens-bench-${process.pid}.md`)), doc.text);
    t0 = performance.now();
    driver.open(note);
    let analysed = false;
    const probing = probeRequests(driver, note, () => analysed);
    const first = await driver.until(() => driver.diagnostics.get(note.uri)?.[0]?.at, 600_000, 'first diagnostics');
    const complete = await driver.completeAt(note.uri, 1, 1_800_000);
    analysed = true;
    const during = await probing;
    // Read once the analysis is complete: a note may show no relation at all (null), and nothing is left to wait for.
    const nonEmpty = driver.diagnostics.get(note.uri)?.find((d) => d.count > 0)?.at;
    stats = await driver.stats();
    const publishes = driver.diagnostics.get(note.uri)?.length ?? 0;
    // The same pause as after the edits below, so that the two RSS figures compare like with like.
    await sleep(IDLE_PAUSE_MS);
    const coldIdle = mb((await driver.stats()).rssBytes);
    report.cold = {
      sentences: doc.sentences,
      characters: doc.text.length,
      first_diagnostics_ms: round(first - t0),
      first_relation_ms: nonEmpty === undefined ? null : round(nonEmpty - t0),
      complete_ms: round(complete - t0),
      publishes,
      inferred: stats.inferredSentences,
      sentences_per_second: round(stats.inferredSentences / ((complete - t0) / 1000)),
      progress_reports: driver.progress.length,
      requests_during: { hover: summarize(during.hover), semantic_tokens_range: summarize(during.semanticTokensRange), code_lens: summarize(during.codeLens) },
      rss_mb: mb(stats.rssBytes),
      rss_idle_mb: coldIdle,
    };
    say(`cold: first diagnostics ${round(first - t0)} ms, complete ${round(complete - t0)} ms (${publishes} publishes, ${stats.inferredSentences} sentences inferred); during it hover p95 ${summarize(during.hover).p95} ms, tokens p95 ${summarize(during.semanticTokensRange).p95} ms, lenses p95 ${summarize(during.codeLens).p95} ms; RSS ${mb(stats.rssBytes)} MB, ${coldIdle} MB after a ${IDLE_PAUSE_MS / 1000} s pause`);

    // edits
    const latencies: number[] = [];
    const inferred: number[] = [];
    const words = ['daily', 'twice', 'mild', 'again'];
    const places = editPlaces(note.text, editCount);
    for (let k = 0; k < editCount; k++) {
      const before = stats.inferredSentences;
      const at = Math.min(places[k], note.text.length);
      const t = performance.now();
      const version = driver.change(note, at, at, `${words[k % words.length]} `);
      const arrived = await driver.completeAt(note.uri, version, 120_000);
      latencies.push(arrived - t);
      stats = await driver.stats();
      inferred.push(stats.inferredSentences - before);
      await sleep(150);
    }
    const edits = summarize(latencies);
    report.edits = { ...edits, pause_ms: 150, sentences_inferred: summarize(inferred) };
    say(`edits: ${editCount} one-word edits, didChange to complete diagnostics p50 ${edits.p50} ms, p95 ${edits.p95} ms, max ${edits.max} ms`);

    // memory over edits
    const rssSeries = [{ edits: editCount, ...memoryOf(stats) }];
    const memoryPlaces = editPlaces(note.text, MEMORY_EDITS);
    for (let k = editCount; k < MEMORY_EDITS; k++) {
      const at = Math.min(memoryPlaces[k], note.text.length);
      const version = driver.change(note, at, at, 'x ');
      if (k % 10 === 9) await driver.completeAt(note.uri, version, 120_000);
      if ((k + 1) % 100 === 0) {
        await driver.completeAt(note.uri, version, 120_000);
        rssSeries.push({ edits: k + 1, ...memoryOf(await driver.stats()) });
      }
    }
    // After a pause the server compacts both heaps (lsp/compaction.ts): what stays is the steady state.
    await sleep(IDLE_PAUSE_MS);
    const idlePoint = { edits: MEMORY_EDITS, ...memoryOf(await driver.stats()) };
    const idle = idlePoint.rss_mb;
    const growthPct = round((100 * (idle - coldIdle)) / coldIdle);
    report.memory = { edits: MEMORY_EDITS, rss_after_cold_idle_mb: coldIdle, rss_after_edits_mb: rssSeries.at(-1)!.rss_mb, rss_after_edits_idle_mb: idle, growth_pct: growthPct, idle: idlePoint, series: rssSeries };
    say(`memory: RSS ${rssSeries.map((r) => `${r.rss_mb} MB after ${r.edits}`).join(', ')} edits; ${idle} MB after a ${IDLE_PAUSE_MS / 1000} s pause (${growthPct >= 0 ? '+' : ''}${growthPct}% since the cold analysis's pause)`);

    // burst
    if (burst > 0) {
      const runs = await driver.stats();
      let version = note.version;
      const at = note.text.indexOf(' ', Math.floor(note.text.length / 2)) + 1;
      const sendStart = performance.now();
      for (let k = 0; k < burst; k++) version = driver.change(note, at + k, at + k, k % 6 === 5 ? ' ' : 'z');
      const sent = performance.now();
      const settled = await driver.completeAt(note.uri, version, 600_000);
      const after = await driver.stats();
      report.burst = {
        edits: burst,
        send_ms: round(sent - sendStart),
        settle_ms: round(settled - sent),
        runs_completed: after.runsCompleted - runs.runsCompleted,
        runs_stopped: after.runsAborted - runs.runsAborted,
        rss_mb: mb(after.rssBytes),
      };
      say(`burst: ${burst} edits sent in ${round(sent - sendStart)} ms, settled ${round(settled - sent)} ms after the last (${after.runsCompleted - runs.runsCompleted} runs completed, ${after.runsAborted - runs.runsAborted} stopped)`);
    }

    // close
    driver.close(note);
    await sleep(5000);
    stats = await driver.stats();
    report.close = { ...memoryOf(stats), rss_after_load_mb: (report.load as { rss_mb: number }).rss_mb, worker_documents: stats.workerDocuments };
    say(`closed: RSS ${mb(stats.rssBytes)} MB 5 s later (after load: ${(report.load as { rss_mb: number }).rss_mb} MB; heaps ${mb(stats.heapUsedBytes)} + ${mb(stats.workerHeapUsedBytes)} MB, sentence cache ${mb(stats.cacheBytes)} MB, ${stats.workerDocuments} documents kept)`);

    const fuzzCount = positiveInt(values, 'fuzz', 100);
    if (fuzzCount > 0) report.fuzz = await fuzz(driver, fuzzCount, notesDir, say);
    if (!values['skip-pathological']) report.pathological = await pathological(driver, say);
  } finally {
    await driver.stop();
  }

  const full = {
    date: new Date().toISOString(),
    command: `erlens bench --lsp ${process.argv.slice(3).join(' ')}`.trim(),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null, platform: `${process.platform}-${process.arch}`, node: process.version, load_average_start: loadStart, load_average_end: os.loadavg() },
    settings,
    document: { source: notesDir, sentences: doc.sentences, characters: doc.text.length },
    ...report,
  };
  await writeFileAtomic(out, JSON.stringify(full, null, 2) + '\n');
  say(`wrote ${out}`);
  return 0;
}

/** A seeded generator of documents that have broken parsers and models before. */
function fuzzDocument(seed: number, notes: readonly string[]): string {
  let s = seed * 2654435761;
  const rand = (n: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
  const pieces: Array<() => string> = [
    () => notes[rand(notes.length)].slice(0, 500 + rand(5000)),
    () => '['.repeat(rand(20_000)),
    () => '!['.repeat(rand(5000)) + '](x)'.repeat(rand(50)),
    () => '*_'.repeat(rand(3000)) + '`'.repeat(rand(50)),
    () => '> '.repeat(rand(2000)) + 'quoted text.',
    () => `${'word '.repeat(rand(8000))}\n`,
    () => Array.from({ length: rand(300) }, (_, i) => `${i + 1}. Drug${i} ${rand(100)} mg daily`).join('\n'),
    () => '😀 מטופל e\u0301 نعم \u200b\r\n'.repeat(rand(200)),
    () => '\u0001\u0002 \uFFFD'.repeat(rand(50)),
    () => '```\ncode\n'.repeat(rand(20)),
    () => '| a | b |\n|---|---|\n' + '| x | y |\n'.repeat(rand(200)),
    () => '\n'.repeat(rand(2000)),
  ];
  const parts: string[] = [];
  const target = rand(10) === 0 ? 300_000 : 2000 + rand(40_000);
  for (let n = 0; n < target && parts.length < 400; ) {
    const p = pieces[rand(pieces.length)]();
    parts.push(p);
    n += p.length + 1;
  }
  return parts.join('\n');
}

async function fuzz(driver: LspDriver, count: number, notesDir: string, say: (s: string) => void): Promise<unknown> {
  const notes = fs.readdirSync(notesDir).filter((f) => /\.(md|txt)$/.test(f)).map((f) => fs.readFileSync(path.join(notesDir, f), 'utf8'));
  const latencies: number[] = [];
  let slowest = { ms: 0, request: '', document: -1 };
  let maxRss = 0;
  const failures: string[] = [];
  const t0 = performance.now();
  for (let k = 0; k < count; k++) {
    const text = fuzzDocument(k + 1, notes);
    const doc = new ClientDocument(fileUriOf(path.join(os.tmpdir(), `erlens-fuzz-${process.pid}-${k}.md`)), text);
    try {
      driver.open(doc, k % 3 === 0 ? 'plaintext' : 'markdown');
      for (let e = 0; e < 5; e++) {
        const at = Math.floor((doc.text.length * (e + 1)) / 7);
        driver.change(doc, at, Math.min(doc.text.length, at + (e % 2) * 10), e % 2 ? '' : ' inserted text. ');
      }
      for (const request of ['textDocument/hover', 'textDocument/semanticTokens/full', 'textDocument/codeLens']) {
        const t = performance.now();
        const params = request === 'textDocument/hover' ? { textDocument: { uri: doc.uri }, position: { line: 0, character: 1 } } : { textDocument: { uri: doc.uri } };
        await driver.conn.sendRequest(request, params);
        const ms = performance.now() - t;
        latencies.push(ms);
        if (ms > slowest.ms) slowest = { ms: round(ms), request, document: k };
      }
      await driver.completeAt(doc.uri, doc.version, 120_000);
    } catch (err) {
      failures.push(`document ${k}: ${(err as Error).message}`);
    } finally {
      driver.close(doc);
    }
    if (k % 10 === 9 || k === count - 1) maxRss = Math.max(maxRss, (await driver.stats()).rssBytes);
  }
  const result = { documents: count, seconds: round((performance.now() - t0) / 1000), requests: summarize(latencies), slowest, max_rss_mb: mb(maxRss), failures };
  say(`fuzz: ${count} documents in ${result.seconds} s, requests p95 ${result.requests.p95} ms, slowest ${slowest.ms} ms (${slowest.request}), max RSS ${mb(maxRss)} MB, ${failures.length} failures`);
  return result;
}

/** Pathological Markdown: in-process segmentation at growing sizes, and one through the server. */
async function pathological(driver: LspDriver, say: (s: string) => void): Promise<unknown> {
  const cases: Record<string, (n: number) => string> = {
    brackets: (n) => '['.repeat(n),
    images: (n) => '!['.repeat(n / 2),
    nested: (n) => '['.repeat(n / 2) + ']'.repeat(n / 2),
    emphasis: (n) => '*a '.repeat(n / 6) + 'a_ '.repeat(n / 6),
    backticks: (n) => {
      let s = '';
      for (let k = 1; s.length < n; k++) s += '`'.repeat(k) + 'a';
      return s.slice(0, n);
    },
    quotes: (n) => '>'.repeat(n) + ' text',
  };
  const segmentation: Record<string, Record<string, number>> = {};
  for (const [name, make] of Object.entries(cases)) {
    segmentation[name] = {};
    for (const n of [5000, 10_000, 20_000, 40_000]) {
      const text = make(n);
      const t = performance.now();
      segmentDocument(text, 'markdown');
      segmentation[name][String(n)] = round(performance.now() - t);
    }
  }
  say(`pathological Markdown, ms to segment 5k/10k/20k/40k characters: ${Object.entries(segmentation).map(([k, v]) => `${k} ${Object.values(v).join('/')}`).join('; ')}`);
  const line = new ClientDocument(fileUriOf(path.join(os.tmpdir(), `erlens-bench-brackets-${process.pid}.md`)), '['.repeat(86_000));
  const t0 = performance.now();
  driver.open(line);
  let done = false;
  const hovers: number[] = [];
  const probing = (async () => {
    while (!done) {
      const t = performance.now();
      await driver.conn.sendRequest('textDocument/hover', { textDocument: { uri: line.uri }, position: { line: 0, character: 40_000 } });
      hovers.push(performance.now() - t);
      await sleep(20);
    }
  })();
  const complete = await driver.completeAt(line.uri, 1, 600_000);
  done = true;
  await probing;
  driver.close(line);
  const server = { characters: 86_000, complete_ms: round(complete - t0), hover: summarize(hovers) };
  say(`an 86,000-character line of '[': complete in ${server.complete_ms} ms, hover p95 ${server.hover.p95} ms (max ${server.hover.max}) meanwhile`);
  return { segmentation_ms: segmentation, server };
}

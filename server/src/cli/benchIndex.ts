/**
 * `erlens bench --index`: the workspace index measured through the real language server over stdio
 * (lspDriver.ts), with the configured default models (or --model). Writes a JSON report.
 *
 * The workspace: --notes generated notes (default 1,000; tools/notesCorpus.ts) in a new folder, made of
 * the paragraphs of --notes-dir (../shared/notes) with digits redrawn (the sentence cache still sees
 * repeated sentences without digits: the report says how many sentences were inferred and how many came
 * from the cache). With --unique no sentence repeats: every sentence of the workspace is inferred, the
 * case of a thousand notes that share nothing.
 * Phases:
 *  - cold: the server indexes the folder once its models are loaded (as at the first start of a
 *    workspace): seconds from the models loaded to the end of the indexing progress; files, relations.
 *  - again: erlens/reindex with nothing changed (a restart): every file found current.
 *  - queries: erlens/indexQuery for the most mentioned entity texts (erlens/indexEntities): latency as
 *    the client sees it and as the server measured it.
 *  - edits: a note opened, the sentence of one of its indexed relations deleted in the editor; the time
 *    from the didChange to its complete diagnostics, and from those to a query that no longer finds the
 *    relation (a query takes the pending rows of open documents first).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../export/atomicWrite';
import { INDEX_ENTITIES_REQUEST, INDEX_QUERY_REQUEST, REINDEX_REQUEST } from '../lsp/protocol';
import type { IndexAnswer, IndexedEntityText, IndexRunSummary } from '../lsp/protocol';
import { sharedRoot } from '../paths';
import { generateNotes, noteFileName, NoNotesError } from '../tools/notesCorpus';
import { UsageError } from './errors';
import { ClientDocument, LspDriver } from './lspDriver';
import { round, summarize } from './latencies';
import { chooseModels } from './modelSelection';
import type { CommonOptions, Values } from './options';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `count` generated notes (tools/notesCorpus.ts) into `folder/notes/`. */
export function generateWorkspace(sourceDir: string, folder: string, count: number, { seed = 1, unique = false } = {}): { files: number; characters: number; unique: boolean } {
  let notes: string[];
  try {
    notes = generateNotes(sourceDir, count, { seed, unique });
  } catch (err) {
    if (err instanceof NoNotesError) throw new UsageError(`${err.message} (use --notes-dir)`);
    throw err;
  }
  const dir = path.join(folder, 'notes');
  fs.mkdirSync(dir, { recursive: true });
  notes.forEach((text, i) => fs.writeFileSync(path.join(dir, noteFileName(i)), text));
  return { files: count, characters: notes.reduce((n, t) => n + t.length, 0), unique };
}

export async function runBenchIndex(values: Values, opts: CommonOptions): Promise<number> {
  const count = Number(values.notes ?? 1000);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--notes must be a positive whole number, not '${values.notes}'`);
  const out = (values.out as string | undefined) ?? 'bench-index.json';
  const notesDir = (values['notes-dir'] as string | undefined) ?? path.join(sharedRoot, 'notes');
  const choice = chooseModels(opts);
  const settings: Record<string, unknown> = { models: choice.refs, modelPaths: opts.modelsDirs, executionProvider: opts.executionProvider, routing: opts.routing, threads: opts.threads };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-bench-index-'));
  const workspace = generateWorkspace(notesDir, folder, count, { unique: Boolean(values.unique) });
  say(`generated ${workspace.files} notes (${(workspace.characters / 1e6).toFixed(1)}M characters) in ${folder}`);
  const loadStart = os.loadavg();
  const driver = new LspDriver(settings);
  const report: Record<string, unknown> = {};
  try {
    const t0 = performance.now();
    await driver.initialize([folder]);
    let stats = await driver.modelsLoaded();
    const loaded = performance.now();
    say(`loaded ${stats.models.join(', ')} on ${stats.executionProvider} in ${((loaded - t0) / 1000).toFixed(1)} s`);

    // cold: the run the server starts by itself once the models are loaded.
    const ended = await driver.until(() => driver.progress.find((p) => p.kind === 'end')?.at, 3_600_000, 'the end of the first indexing');
    stats = await driver.stats();
    const indexed = (await driver.conn.sendRequest(INDEX_QUERY_REQUEST, { text: '', limit: 1 })) as IndexAnswer;
    report.cold = {
      seconds: round((ended - loaded) / 1000),
      documents: indexed.documents,
      notes_per_minute: round((60_000 * indexed.documents) / Math.max(1, ended - loaded)),
      // Indexing annotates through the worker's whole-text path, which the scheduler's counter does not
      // see; the sentence cache does: a miss is a sentence (per model) inferred.
      sentences_inferred: stats.cacheMisses,
      sentences_from_cache: stats.cacheHits,
    };
    say(`cold: ${indexed.documents} notes indexed in ${(report.cold as { seconds: number }).seconds} s (${stats.cacheMisses} sentences inferred, ${stats.cacheHits} from the cache)`);

    // again: nothing changed.
    let t = performance.now();
    const summaries = (await driver.conn.sendRequest(REINDEX_REQUEST)) as IndexRunSummary[];
    report.again = { seconds: round((performance.now() - t) / 1000), files: summaries.reduce((n, x) => n + x.files, 0), unchanged: summaries.reduce((n, x) => n + x.unchanged, 0), indexed: summaries.reduce((n, x) => n + x.indexed, 0) };
    say(`again: ${JSON.stringify(report.again)}`);

    // queries
    const entities = (await driver.conn.sendRequest(INDEX_ENTITIES_REQUEST, { prefix: '', limit: 200 })) as IndexedEntityText[];
    const client: number[] = [];
    const server: number[] = [];
    let relations = 0;
    const answers: IndexAnswer[] = [];
    for (const e of entities) {
      t = performance.now();
      const answer = (await driver.conn.sendRequest(INDEX_QUERY_REQUEST, { text: e.text })) as IndexAnswer;
      client.push(performance.now() - t);
      server.push(answer.milliseconds);
      relations += answer.total;
      answers.push(answer);
    }
    report.queries = { entity_texts: entities.length, relations_found: relations, client_ms: summarize(client), server_ms: summarize(server), examples: answers.slice(0, 5).map((a) => ({ text: a.query.text, total: a.total })) };
    say(`queries: ${entities.length}, client p50 ${summarize(client).p50} ms p95 ${summarize(client).p95} ms; server p95 ${summarize(server).p95} ms`);

    // edits: delete the sentence of an indexed relation in an open note.
    const edits: { analysed_ms: number; index_after_analysis_ms: number }[] = [];
    const seen = new Set<string>();
    for (const answer of answers) {
      if (edits.length >= 10) break;
      const r = answer.relations.find((x) => !seen.has(x.uri));
      if (!r) continue;
      seen.add(r.uri);
      const file = fileURLToPath(r.uri);
      const doc = new ClientDocument(pathToFileURL(file).toString(), fs.readFileSync(file, 'utf8'));
      driver.open(doc);
      await driver.completeAt(doc.uri, doc.version, 600_000);
      const inFile = async () => ((await driver.conn.sendRequest(INDEX_QUERY_REQUEST, { text: answer.query.text, limit: 100_000 })) as IndexAnswer).relations.filter((x) => x.uri === r.uri && x.head.start === r.head.start && x.tail.start === r.tail.start).length;
      const [from, to] = [Math.min(r.head.start, r.tail.start), Math.max(r.head.end, r.tail.end)];
      const start = doc.text.lastIndexOf('\n', from) + 1;
      const lineEnd = doc.text.indexOf('\n', to);
      const t1 = performance.now();
      const version = driver.change(doc, start, lineEnd < 0 ? doc.text.length : lineEnd, '');
      const analysed = await driver.completeAt(doc.uri, version, 600_000);
      let gone = NaN;
      for (let i = 0; i < 200; i++) {
        if ((await inFile()) === 0) {
          gone = performance.now();
          break;
        }
        await sleep(25);
      }
      edits.push({ analysed_ms: round(analysed - t1), index_after_analysis_ms: round(gone - analysed) });
      driver.close(doc);
    }
    report.edits = { count: edits.length, analysed_ms: summarize(edits.map((e) => e.analysed_ms)), index_after_analysis_ms: summarize(edits.map((e) => e.index_after_analysis_ms)), each: edits };
    say(`edits: ${edits.length}, complete diagnostics p50 ${summarize(edits.map((e) => e.analysed_ms)).p50} ms; in the index after them p95 ${summarize(edits.map((e) => e.index_after_analysis_ms)).p95} ms`);
    stats = await driver.stats();
    report.rss_mb = round(stats.rssBytes / 2 ** 20);
  } finally {
    await driver.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
  const full = {
    date: new Date().toISOString(),
    command: `erlens bench --index ${process.argv.slice(3).join(' ')}`.trim(),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null, platform: `${process.platform}-${process.arch}`, node: process.version, load_average_start: loadStart, load_average_end: os.loadavg() },
    settings,
    workspace: { source: notesDir, ...workspace },
    ...report,
  };
  await writeFileAtomic(out, JSON.stringify(full, null, 2) + '\n');
  say(`wrote ${out}`);
  return 0;
}

#!/usr/bin/env node
// Corpus scale on this machine: documents/s of the same generated notes (../shared/notes paragraphs,
// every sentence unique so the cache cannot help) through
//   - `erlens extract` on the files (the reference),
//   - `erlens stream` on JSONL (one process),
//   - the Spark job (spark/erlens_spark.py, local mode) with 1 and with 2 workers, one ERlens process
//     per task, 1 ONNX Runtime thread each,
// and the RSS of one `erlens stream` process over --memory-docs short documents (at 1k, 10k, 100k).
// Writes bench/scale.json and prints a table.
//
//   npm run scale:demo [-- --docs 200 --memory-docs 100000 --out bench/scale.json]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '200' },
    'memory-docs': { type: 'string', default: '100000' },
    out: { type: 'string', default: 'bench/scale.json' },
    'skip-spark': { type: 'boolean' },
  },
});
const count = Number(values.docs);
const memoryDocs = Number(values['memory-docs']);
const python = path.join(root, '.venv', 'bin', 'python');
const erlens = path.join(root, 'bin', 'erlens');
const { generateNotes, noteFileName } = createRequire(import.meta.url)(path.join(root, 'server', 'out', 'tools', 'notesCorpus.js'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-scale-'));
const notesDir = path.join(tmp, 'notes');
fs.mkdirSync(notesDir);

const notes = generateNotes(path.resolve(root, '..', 'shared', 'notes'), count, { seed: 3, unique: true });
const files = notes.map((text, i) => {
  const f = path.join(notesDir, noteFileName(i));
  fs.writeFileSync(f, text);
  return f;
});
const jsonl = path.join(tmp, 'docs.jsonl');
fs.writeFileSync(jsonl, notes.map((text, i) => JSON.stringify({ id: i, text })).join('\n') + '\n');

function timed(label, cmd, args, extra = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, ...extra });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  process.stderr.write(`${label}: ${seconds.toFixed(1)} s\n`);
  return { seconds, stderr: r.stderr };
}
// the last count printed (stream also prints progress lines before it)
// "7925 sentences," in the progress lines, never the digits of a rate ("75.0 sentences/s")
const sentencesOf = (stderr) => Number([...stderr.matchAll(/(?<![\d.])(\d+) sentences(?!\/s)/g)].pop()?.[1] ?? NaN);

const rows = [];
const add = (setting, workers, run, sentences) => rows.push({ setting, workers, seconds: +run.seconds.toFixed(2), documents_per_s: +(count / run.seconds).toFixed(2), sentences_per_s: +(sentences / run.seconds).toFixed(1) });

// --docs 0: the memory run alone
const throughput = count > 0;
const ex = throughput && timed('extract', process.execPath, [erlens, 'extract', ...files, '--format', 'jsonl', '--out', path.join(tmp, 'extract.jsonl')]);
const sentences = throughput ? sentencesOf(ex.stderr) : 0;
if (throughput) {
  add('erlens extract (files, one process, ORT default threads)', 1, ex, sentences);
  const st = timed('stream', process.execPath, [erlens, 'stream', '--input', jsonl, '--out', path.join(tmp, 'stream.jsonl')]);
  add('erlens stream (JSONL, one process, ORT default threads)', 1, st, sentencesOf(st.stderr));
  const st1 = timed('stream, 1 thread', process.execPath, [erlens, 'stream', '--threads', '1', '--input', jsonl, '--out', path.join(tmp, 'stream1.jsonl')]);
  add('erlens stream (JSONL, one process, 1 ORT thread)', 1, st1, sentencesOf(st1.stderr));
}

if (throughput && !values['skip-spark']) {
  // The fixed cost: a job on two documents (Spark's start, one ERlens start and model load per task).
  const two = path.join(tmp, 'two.jsonl');
  fs.writeFileSync(two, fs.readFileSync(jsonl, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
  const start = timed('spark job start', python, [path.join(root, 'spark', 'erlens_spark.py'), '--master', 'local[2]', '--input', two, '--output', path.join(tmp, 'spark-start'), '--partitions', '2']);
  rows.push({ setting: 'Spark local[2] on 2 documents: the fixed cost (job start, ERlens start and model load per task)', workers: 2, seconds: +start.seconds.toFixed(2) });
  for (const workers of [1, 2]) {
    const out = path.join(tmp, `spark-${workers}`);
    // Partitions: 2 per worker, so both workers stay busy to the end.
    const run = timed(`spark local[${workers}]`, python, [path.join(root, 'spark', 'erlens_spark.py'), '--master', `local[${workers}]`, '--input', jsonl, '--output', out, '--partitions', String(2 * workers)]);
    add(`Spark local[${workers}] (spark/erlens_spark.py, 1 ORT thread per process; job start included)`, workers, run, sentences);
  }
}

// Memory over many documents: one stream process fed short documents (one to three paragraphs; the
// sentence cache fills and then holds), its RSS read from /proc at each mark.
async function memoryRun() {
  if (memoryDocs <= 0) return undefined;
  const short = generateNotes(path.resolve(root, '..', 'shared', 'notes'), 2000, { seed: 5, paragraphs: [1, 3] });
  const child = spawn(process.execPath, [erlens, 'stream', '--out', '/dev/null'], { cwd: root, stdio: ['pipe', 'ignore', 'pipe'] });
  child.stderr.resume();
  const marks = [1000, 10000, 100000].filter((m) => m <= memoryDocs);
  const rss = {};
  const samples = []; // every 1,000 documents
  for (let i = 0; i < memoryDocs; i++) {
    const ok = child.stdin.write(JSON.stringify({ id: i, text: short[i % short.length] }) + '\n');
    if (!ok) await new Promise((r) => child.stdin.once('drain', r));
    // Backpressure keeps the process within a pipe buffer (some dozens of documents) of what was sent.
    if ((i + 1) % 1000 === 0) samples.push(Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024));
    if (marks.includes(i + 1)) {
      rss[i + 1] = samples[samples.length - 1];
      process.stderr.write(`memory: ${i + 1} documents, RSS ${rss[i + 1]} MB\n`);
    }
  }
  child.stdin.end();
  await new Promise((r) => child.on('close', r));
  const after = samples.slice(1); // once the first thousand filled the caches
  return { documents: memoryDocs, rss_mb: rss, rss_mb_range_after_1000: after.length ? [Math.min(...after), Math.max(...after)] : undefined };
}
const memory = await memoryRun();

const report = { machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB`, documents: count, sentences, rows, memory, date: new Date().toISOString() };
fs.mkdirSync(path.dirname(path.resolve(root, values.out)), { recursive: true });
fs.writeFileSync(path.resolve(root, values.out), JSON.stringify(report, null, 2) + '\n');
console.log(`| setting | workers | seconds | documents/s | sentences/s |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.setting} | ${r.workers} | ${r.seconds} | ${r.documents_per_s ?? '–'} | ${r.sentences_per_s ?? '–'} |`);
if (memory) {
  const range = memory.rss_mb_range_after_1000;
  console.log(`\nRSS of one erlens stream process: ${Object.entries(memory.rss_mb).map(([n, mb]) => `${n} documents ${mb} MB`).join(', ')}${range ? `; ${range[0]}–${range[1]} MB over documents 2,000 to ${memoryDocs}` : ''}`);
}
console.log(`\nwrote ${values.out}`);

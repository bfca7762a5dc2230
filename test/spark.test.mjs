// Corpus scale: `erlens stream` over JSONL, and the Spark job that pipes partitions through it
// (spark/erlens_spark.py), on 500 documents generated from ../shared/notes with the default models,
// compared with one `erlens extract` of the same documents as files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '..', 'shared');
const python = path.join(root, '.venv', 'bin', 'python');
const require = createRequire(import.meta.url);
const { generateNotes, noteFileName } = require(path.join(root, 'server', 'out', 'tools', 'notesCorpus.js'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-spark-'));

const COUNT = 500;
const notes = generateNotes(path.join(shared, 'notes'), COUNT, { seed: 7, paragraphs: [3, 10] });
const notesDir = path.join(tmp, 'notes');
fs.mkdirSync(notesDir);
const files = notes.map((text, i) => {
  const file = path.join(notesDir, noteFileName(i));
  fs.writeFileSync(file, text);
  return file;
});
// Two shards, as a corpus arrives: documents by path (so that their records equal extract's, uri
// included), with poison among them: a 5 MB line of binary, a line that is not JSON, a missing file.
const shards = path.join(tmp, 'shards');
fs.mkdirSync(shards);
const docLines = files.map((file, i) => JSON.stringify({ id: `note-${i}`, path: file }));
const poison = [JSON.stringify({ id: 'binary-5mb', text: '\u0000\u0001'.repeat(425_000) }), '{"id": "cut-off", "text": "Aspirin', JSON.stringify({ id: 'missing', path: path.join(tmp, 'nope.md') })];
fs.writeFileSync(path.join(shards, 'a.jsonl'), [...docLines.slice(0, 250), poison[0], poison[1]].join('\n') + '\n');
fs.writeFileSync(path.join(shards, 'b.jsonl'), [...docLines.slice(250), poison[2]].join('\n') + '\n');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000, ...opts });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const erlens = (...args) => run(process.execPath, [path.join(root, 'bin', 'erlens'), ...args]);

// The single-process reference: extract on the files.
const extracted = erlens('extract', ...files, '--format', 'jsonl', '--out', path.join(tmp, 'extract.jsonl'));
const reference = new Map(
  fs.readFileSync(path.join(tmp, 'extract.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const d = JSON.parse(l);
    return [d.uri, d];
  }),
);

/** Records of the 500 notes equal extract's documents: spans, types, relations, assertions exactly; scores to 1e-4. */
function assertSameAsExtract(records) {
  let scoreDiffs = 0;
  for (let i = 0; i < COUNT; i++) {
    const r = records.get(`note-${i}`);
    assert.ok(r, `note-${i} has a record`);
    const { id, line, ...doc } = r;
    const ref = reference.get(doc.uri);
    assert.ok(ref, `extract has ${doc.uri}`);
    // Documents analysed together share ORT calls, and ORT sums in another order when a call's shape
    // changes: a score may differ in its last digits (the package parity check allows 1e-3).
    const scores = (d) => [...d.entities, ...d.relations].map((x) => x.score);
    const strip = (d) => ({ ...d, entities: d.entities.map((e) => ({ ...e, score: 0 })), relations: d.relations.map((x) => ({ ...x, score: 0 })) });
    assert.deepEqual(strip(doc), strip(ref), `note-${i}`);
    scores(doc).forEach((s, k) => {
      const diff = Math.abs(s - scores(ref)[k]);
      assert.ok(diff < 1e-4, `note-${i}: score ${s} vs ${scores(ref)[k]}`);
      if (diff > 0) scoreDiffs++;
    });
  }
  return scoreDiffs;
}

function assertPoison(records) {
  assert.match(records.get('binary-5mb').error, /binary/);
  assert.match(records.get('missing').error, /file not found/);
  const cut = [...records.values()].find((r) => r.id === null);
  assert.match(cut.error, /^not JSON/);
}

test('reference: extract annotated the 500 notes with the default models, and found things in them', () => {
  assert.equal(extracted.code, 0, extracted.err);
  assert.equal(reference.size, COUNT);
  const entities = [...reference.values()].reduce((n, d) => n + d.entities.length, 0);
  assert.ok(entities > COUNT / 2, `${entities} entities in ${COUNT} notes`);
});

test('erlens stream: one record per input line, in order, equal to extract; poison gets error records', () => {
  // and a 50 MB line, over the line cap: reported by the id it starts with, never held in memory
  const huge = JSON.stringify({ id: 'huge-50mb', text: 'word '.repeat(10_000_000) });
  const input = [...docLines.slice(0, 250), poison[0], poison[1], ...docLines.slice(250), poison[2], huge].join('\n') + '\n';
  const r = run(process.execPath, [path.join(root, 'bin', 'erlens'), 'stream'], { input });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, COUNT + 4);
  assert.deepEqual(lines.map((l) => l.line), Array.from({ length: COUNT + 4 }, (_, i) => i + 1), 'input order');
  const records = new Map(lines.map((l) => [l.id, l]));
  assertSameAsExtract(records);
  assertPoison(records);
  assert.match(records.get('huge-50mb').error, /^line of 500000\d\d bytes is over the limit/);
  assert.match(r.err, /erlens stream: 504 documents \(4 with errors\)/);
  const rss = Number(/RSS (\d+) MB, [\d.]+ s\n/.exec(r.err)[1]);
  assert.ok(rss < 600, `RSS ${rss} MB after a 50 MB line`);
});

test('Spark (local, 2 workers): every document exactly once, equal to extract, though each task is killed on its first attempt', { skip: !fs.existsSync(python) && 'no .venv (scripts/setup-python.sh)' }, () => {
  const out = path.join(tmp, 'spark-out');
  // local[2,2]: two worker threads, a task may fail twice (Spark's retry; on a cluster spark.task.maxFailures)
  const r = run(python, [path.join(root, 'spark', 'erlens_spark.py'), '--master', 'local[2,2]', '--input', shards, '--output', out, '--partitions', '4', '--fail-first-attempt', '20'], {
    env: { ...process.env, PYSPARK_PYTHON: python },
  });
  assert.equal(r.code, 0, r.err.slice(-3000));
  assert.match(r.err, /erlens stream exited with -9 after 20 records/, 'the first attempts died and were retried');
  assert.ok(fs.existsSync(path.join(out, '_SUCCESS')));
  const lines = fs.readdirSync(out).filter((f) => f.startsWith('part-')).flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l));
  assert.equal(lines.length, COUNT + 3, 'each document exactly once');
  const records = new Map(lines.map((l) => [l.id, l]));
  assert.equal(records.size, COUNT + 3);
  assertSameAsExtract(records);
  assertPoison(records);
});

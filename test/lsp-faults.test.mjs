// Faults reported for what they are, through the real server: a truncated model.json is unreadable
// JSON (naming the file), a graph ONNX Runtime cannot load names its package, an export that cannot
// write one of its files leaves none of them, a document named `untitled:100% done` exports, and a
// folder that cannot be written says EROFS or EACCES (not ENOENT).
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, tinyModelDir, waitFor } from './lspClient.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-faults-'));
let client;
let corpus;

function copyTiny(id, edit) {
  const dir = path.join(tmp, 'packages', id);
  fs.cpSync(tinyModelDir, dir, { recursive: true });
  const file = path.join(dir, 'model.json');
  const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  meta.id = id;
  fs.writeFileSync(file, JSON.stringify(meta, null, 2));
  edit(dir, file);
  return dir;
}

function exportCommand(args) {
  return client.request('workspace/executeCommand', { command: 'erlens.exportTriples', arguments: [args] });
}

before(async () => {
  corpus = await conllDocument(5);
  client = new LspTestClient({ models: [tinyModelDir], executionProvider: 'cpu' }, { workspaceFolders: [tmp] });
  await client.start();
});

after(async () => {
  await client?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a truncated model.json is "unreadable JSON" naming the file; a graph ORT cannot load names its package id', async () => {
  const truncated = copyTiny('tiny-truncated', (_dir, file) => fs.truncateSync(file, 40));
  const unloadable = copyTiny('tiny-unloadable', (dir, file) => {
    // A graph that is not ONNX at all, with a checksum that matches it: only ORT can refuse it.
    const graph = path.join(dir, 'model.onnx');
    fs.writeFileSync(graph, 'this is not an ONNX graph');
    const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
    meta.graph.sha256 = createHash('sha256').update(fs.readFileSync(graph)).digest('hex');
    fs.writeFileSync(file, JSON.stringify(meta));
  });
  const c = new LspTestClient({ models: ['tiny-truncated', truncated, unloadable, tinyModelDir], modelPaths: [path.dirname(truncated)], executionProvider: 'cpu' });
  try {
    await c.start();
    const uri = fileUri(path.join(tmp, 'faults.md'));
    await c.open(uri, corpus.text);
    assert.ok((await c.waitForDiagnostics(uri)).diagnostics.length > 0, 'the good model still runs');
    const errors = c.messages.filter((m) => m.type === 1).map((m) => m.message);
    const json = errors.filter((m) => m.includes('unreadable JSON'));
    assert.equal(json.length, 2, JSON.stringify(errors)); // once by id, once by folder
    assert.ok(json.every((m) => m.includes(path.join(truncated, 'model.json'))), JSON.stringify(json));
    assert.ok(!errors.some((m) => m.includes('not found')), JSON.stringify(errors));
    const ort = errors.filter((m) => m.includes('ONNX Runtime'));
    assert.equal(ort.length, 1, JSON.stringify(errors));
    assert.match(ort[0], /tiny-unloadable/);
  } finally {
    await c.stop();
  }
});

test('an export whose csv target is a folder fails and leaves none of its other files', async () => {
  const uri = fileUri(path.join(tmp, 'note.md'));
  await client.open(uri, corpus.text);
  await client.waitForDiagnostics(uri);
  const dir = path.join(tmp, 'out-blocked');
  fs.mkdirSync(path.join(dir, 'note.csv'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'note.json'), 'the previous export');
  await assert.rejects(exportCommand({ scope: 'document', uri, directory: dir }), /note\.csv/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['note.csv', 'note.json'], 'no temporaries, no new files');
  assert.equal(fs.readFileSync(path.join(dir, 'note.json'), 'utf8'), 'the previous export', 'the old file is back');
  fs.rmSync(path.join(dir, 'note.csv'), { recursive: true });
  const ok = await exportCommand({ scope: 'document', uri, directory: dir });
  assert.equal(ok.files.length, 7); // json, jsonl, csv, nt, brat .txt + .ann + annotation.conf
  await client.close(uri);
});

test('a document named untitled:100% done exports', async () => {
  const uri = 'untitled:100% done';
  await client.open(uri, corpus.text);
  await client.waitForDiagnostics(uri);
  const dir = path.join(tmp, 'out-untitled');
  const result = await exportCommand({ scope: 'document', uri, directory: dir, formats: ['json', 'brat'] });
  assert.ok(result.files.length >= 3, JSON.stringify(result));
  assert.ok(result.files.every((f) => fs.existsSync(f)));
  assert.equal(JSON.parse(fs.readFileSync(result.files.find((f) => f.endsWith('.json')), 'utf8')).documents[0].uri, uri);
  await client.close(uri);
});

/** A folder that cannot be written: read-only permissions for a normal user; for root, a read-only mount (when allowed). */
function unwritableFolder() {
  const dir = path.join(tmp, 'readonly');
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return { dir, code: 'EACCES', undo: () => fs.chmodSync(dir, 0o755) };
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro', 'tmpfs', dir], { stdio: 'ignore' });
    return { dir, code: 'EROFS', undo: () => execFileSync('umount', [dir], { stdio: 'ignore' }) };
  } catch {
    return undefined;
  }
}

test('an export into a read-only folder says EROFS or EACCES, not ENOENT', async (t) => {
  const ro = unwritableFolder();
  if (!ro) return t.skip('no way to make a read-only folder here (root without mount)');
  try {
    const uri = fileUri(path.join(tmp, 'ro.md'));
    await client.open(uri, corpus.text);
    await client.waitForDiagnostics(uri);
    await assert.rejects(exportCommand({ scope: 'document', uri, directory: path.join(ro.dir, 'sub', 'deeper') }), (err) => {
      assert.match(err.message, new RegExp(ro.code));
      assert.doesNotMatch(err.message, /ENOENT/);
      return true;
    });
    await client.close(uri);
  } finally {
    ro.undo();
  }
  await waitFor(() => client.proc.exitCode === null, 1000, 'server alive');
});

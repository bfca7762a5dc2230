// Model packages through the real server: a missing and a corrupt package each give exactly one clear
// error message in the editor while the good model keeps serving; a settings change reloads models;
// erlens/listModels lists what is installed.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, tinyModelDir, waitFor } from './lspClient.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-models-'));
const clients = [];
after(async () => {
  for (const c of clients) await c.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the tiny package whose graph is cut in half (its checksum no longer matches). */
function corruptPackage() {
  const dir = path.join(tmp, 'broken-mge');
  fs.cpSync(tinyModelDir, dir, { recursive: true });
  const graph = path.join(dir, 'model.onnx');
  const bytes = fs.readFileSync(graph);
  fs.writeFileSync(graph, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  manifest.id = 'broken-mge';
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest));
  return dir;
}

test('a missing and a corrupt package: one error message each, the good model still annotates', async () => {
  const broken = corruptPackage();
  const client = new LspTestClient({ models: ['no-such-model', broken, tinyModelDir], executionProvider: 'cpu', debounceMs: 20 });
  clients.push(client);
  await client.start();
  const { text } = await conllDocument(5);
  const uri = fileUri(path.join(tmp, 'a.md'));
  await client.open(uri, text);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  assert.ok(diagnostics.length > 0, 'the tiny model still produced relations');
  // Opening more documents must not repeat the messages.
  await client.open(fileUri(path.join(tmp, 'b.md')), text);
  await client.waitForDiagnostics(fileUri(path.join(tmp, 'b.md')));
  const errors = client.messages.filter((m) => m.type === 1);
  assert.equal(errors.filter((m) => m.message.includes('no-such-model')).length, 1, JSON.stringify(errors));
  assert.equal(errors.filter((m) => m.message.includes('broken-mge')).length, 1, JSON.stringify(errors));
  assert.equal(errors.length, 2, JSON.stringify(errors));
  const stats = await client.stats();
  assert.ok(stats.problems.length >= 2);
  assert.ok(stats.models.some((m) => m.includes('tiny')), JSON.stringify(stats.models));
});

test('changing erlens.models reloads the models; listModels reports installed packages', async () => {
  const client = new LspTestClient({ models: ['no-such-model'], modelPaths: [path.dirname(tinyModelDir)], executionProvider: 'cpu', debounceMs: 20 });
  clients.push(client);
  await client.start();
  const { text } = await conllDocument(5);
  const uri = fileUri(path.join(tmp, 'c.md'));
  await client.open(uri, text);
  const first = await client.waitForDiagnostics(uri);
  assert.deepEqual(first.diagnostics, [], 'no model, no annotations — but an answer');
  const listed = await client.request('erlens/listModels');
  assert.ok(listed.some((p) => p.id === 'tiny-mge' && p.entityTypes.includes('Peop') && !p.active), JSON.stringify(listed));
  // The user picks the installed package by id (found through erlens.modelPaths).
  client.settings = { ...client.settings, models: ['tiny-mge'] };
  const before = client.diagnosticEvents.length;
  await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  const next = await waitFor(() => client.diagnosticEvents.slice(before).find((e) => e.uri === uri && e.diagnostics.length > 0), 60_000, 'diagnostics after reload');
  assert.ok(next.diagnostics.length > 0);
  assert.deepEqual((await client.stats()).models, ['tiny-mge']);
});

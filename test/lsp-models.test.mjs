// Model packages through the real server: a missing and a corrupt package each give exactly one clear
// error message in the editor while the good model keeps serving; a settings change reloads models;
// erlens/listModels lists what is installed; every architecture's tiny package annotates.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, tinyArchitectures, tinyModelDir, tinyPackageOf, waitFor } from './lspClient.mjs';

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

test('every architecture\'s tiny package annotates memorised sentences through the server', async () => {
  const { text, sentences } = await conllDocument(5);
  for (const arch of tinyArchitectures) {
    const client = new LspTestClient({ models: [tinyPackageOf(arch)], executionProvider: 'cpu', debounceMs: 20 });
    try {
      await client.start();
      const uri = fileUri(path.join(tmp, `${arch}.md`));
      await client.open(uri, text);
      const { diagnostics } = await client.waitForDiagnostics(uri);
      assert.ok(diagnostics.length > 0, `${arch}: relations as diagnostics`);
      // Entities as semantic tokens: most gold entities of the memorised sentences (one per paragraph) are there.
      const tokens = client.decode((await client.semanticTokens(uri)).data);
      const at = new Set(tokens.map((t) => `${t.line}:${t.char}:${t.length}`));
      let hits = 0;
      let total = 0;
      sentences.forEach(({ gold }, k) => {
        for (const e of gold.entities) {
          total++;
          const char = gold.tokens.slice(0, e.start).join(' ').length + (e.start > 0 ? 1 : 0);
          if (at.has(`${2 * k}:${char}:${gold.tokens.slice(e.start, e.end).join(' ').length}`)) hits++;
        }
      });
      assert.ok(hits >= total / 2, `${arch}: ${hits} of ${total} memorised entities highlighted`);
      assert.deepEqual(client.messages.filter((m) => m.type === 1), [], `${arch}: no error message`);
      assert.deepEqual((await client.stats()).models, [`tiny-${arch}`]);
    } finally {
      await client.stop();
    }
  }
});

test('listModels lists the package of every architecture in a models folder', async () => {
  const client = new LspTestClient({ models: [], modelPaths: [path.dirname(tinyModelDir)], executionProvider: 'cpu', debounceMs: 20 });
  clients.push(client);
  await client.start();
  // The server reads erlens.modelPaths once initialized: ask until the folder's packages show up.
  const listed = await waitFor(async () => {
    const l = await client.request('erlens/listModels');
    return l.some((x) => x.id === 'tiny-mge') && l;
  }, 30_000, 'packages from erlens.modelPaths');
  for (const arch of ['mge', ...tinyArchitectures]) {
    const p = listed.find((x) => x.id === `tiny-${arch}`);
    assert.ok(p, `tiny-${arch} listed: ${JSON.stringify(listed.map((x) => x.id))}`);
    assert.equal(p.architecture, arch);
    assert.equal(p.dataset, 'conll04-tiny');
    assert.ok(p.entityTypes.includes('Peop') && p.relationTypes.includes('Work_For'));
    assert.equal(p.active, false);
  }
});

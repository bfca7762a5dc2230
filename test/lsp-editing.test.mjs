// Editing a document through the real server over stdio, the way the bad input does: 10,000
// edits in one second, an edit replacing the whole document, two clients editing two documents at once,
// a large cold document (partial results first, progress, requests answered during the analysis),
// semantic token deltas, and $/cancelRequest on an export. Whatever the edits, the annotations at the end
// must equal those of a fresh analysis of the final text (opened as a second document in the same
// server, which starts from nothing).
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, tinyModelDir, waitFor } from './lspClient.mjs';

const settings = { models: [tinyModelDir], executionProvider: 'cpu', diagnostics: { maxPerDocument: 100_000 }, codeLens: { maxPerSentence: 100 } };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-editing-'));
let client;
let corpus;

/** A document of `copies` copies of the memorised paragraphs, each sentence made unique by a number. */
function bigText(copies, tag = 'copy') {
  return Array.from({ length: copies }, (_, k) => corpus.sentences.map((s) => s.text.replace(/ \.$/, ` ${tag} ${k} .`)).join('\n\n')).join('\n\n') + '\n';
}

function positionAt(s, offset) {
  let line = 0;
  let start = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < offset; i = s.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}

/** What a document shows: its diagnostics and its semantic tokens, in a form two documents can be compared in. */
async function shown(c, uri) {
  const { diagnostics } = await c.waitForDiagnostics(uri, { timeoutMs: 120_000 });
  const tokens = c.decode((await c.semanticTokens(uri)).data);
  return {
    diagnostics: diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`).sort(),
    tokens: tokens.map((t) => `${t.line}:${t.char}+${t.length} ${t.type} ${t.modifiers}`),
  };
}

/** The final text opened afresh in the same server must show exactly what the edited document shows. */
async function assertSameAsFresh(c, uri, text, name) {
  const freshUri = fileUri(path.join(tmp, `fresh-${name}.md`));
  await c.open(freshUri, text);
  assert.deepEqual(await shown(c, uri), await shown(c, freshUri), `${name}: edited vs fresh`);
  await c.close(freshUri);
}

before(async () => {
  corpus = await conllDocument(10);
  client = new LspTestClient(settings, { workspaceFolders: [tmp] });
  await client.start();
});

after(async () => {
  await client?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('edits that leave the text as it was (an empty replacement, a letter typed and deleted inside an entity) keep every annotation', async () => {
  // The lost update the storm test caught once: the server moved its annotations through the edit
  // (dropping the entity the edit touched) while the worker, seeing the same text, sent nothing back.
  const uri = fileUri(path.join(tmp, 'same-text.md'));
  const text = corpus.text;
  await client.open(uri, text);
  try {
    await client.waitForDiagnostics(uri);
    const lines = text.split('\n');
    const entity = client.decode((await client.semanticTokens(uri)).data).find((t) => t.length >= 3);
    assert.ok(entity, 'the document has an entity to edit inside');
    const inside = { line: entity.line, character: entity.char + 1 };
    const after = { line: entity.line, character: entity.char + 2 };
    assert.ok(lines[entity.line].length >= after.character);
    client.change(uri, [{ range: { start: inside, end: inside }, text: '' }]);
    await assertSameAsFresh(client, uri, text, 'empty-replacement');
    client.change(uri, [
      { range: { start: inside, end: inside }, text: 'x' },
      { range: { start: inside, end: after }, text: '' },
    ]);
    await assertSameAsFresh(client, uri, text, 'typed-and-deleted');
  } finally {
    await client.close(uri);
  }
});

test('10,000 edits sent as fast as possible: no crash, one document, the same annotations as a fresh run', async () => {
  const uri = fileUri(path.join(tmp, 'storm.md'));
  let text = corpus.text;
  await client.open(uri, text);
  try {
    await client.waitForDiagnostics(uri);
    const before = await client.stats();
    // Typing and deleting all over the document: insertions, deletions, new paragraphs, a pasted sentence.
    let seed = 7;
    const rand = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const inserts = ['x', ' ', 'Annie ', '\n\n', corpus.sentences[2].text + ' ', '.'];
    for (let i = 0; i < 10_000; i++) {
      const at = rand(text.length + 1);
      const remove = rand(4) === 0 ? Math.min(rand(6), text.length - at) : 0;
      const insert = rand(5) === 0 ? '' : inserts[rand(inserts.length)];
      client.change(uri, [{ range: { start: positionAt(text, at), end: positionAt(text, at + remove) }, text: insert }]);
      text = text.slice(0, at) + insert + text.slice(at + remove);
    }
    await client.waitForDiagnostics(uri, { timeoutMs: 120_000 });
    const after = await client.stats();
    assert.ok(after.runsCompleted - before.runsCompleted < 50, `coalesced: ${after.runsCompleted - before.runsCompleted} runs for 10,000 edits`);
    assert.equal(client.proc.exitCode, null, client.stderr);
    await assertSameAsFresh(client, uri, text, 'storm');
  } finally {
    await client.close(uri);
  }
});

test('an edit that replaces the whole document, then one that empties it, then text again', async () => {
  const uri = fileUri(path.join(tmp, 'replace.md'));
  await client.open(uri, corpus.text);
  await client.waitForDiagnostics(uri);
  const replaced = [...corpus.sentences].reverse().map((s) => s.text).join('\n\n') + '\n';
  client.change(uri, replaced);
  await assertSameAsFresh(client, uri, replaced, 'replaced');
  client.change(uri, '');
  assert.deepEqual((await client.waitForDiagnostics(uri)).diagnostics, []);
  client.change(uri, corpus.text);
  await assertSameAsFresh(client, uri, corpus.text, 'again');
  await client.close(uri);
});

test('two clients (two servers) editing different documents at the same time both end right', async () => {
  const other = new LspTestClient(settings, { workspaceFolders: [tmp] });
  await other.start();
  try {
    const work = [client, other].map(async (c, k) => {
      const uri = fileUri(path.join(tmp, `client-${k}.md`));
      let text = corpus.text;
      await c.open(uri, text);
      for (let i = 0; i < 300; i++) {
        const at = text.indexOf(' ', (i * 97 + k * 13) % text.length);
        const ins = i % 3 ? 'y' : ' Smith';
        c.change(uri, [{ range: { start: positionAt(text, at), end: positionAt(text, at) }, text: ins }]);
        text = text.slice(0, at) + ins + text.slice(at);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      await assertSameAsFresh(c, uri, text, `client-${k}`);
      await c.close(uri);
    });
    await Promise.all(work);
    assert.equal(other.proc.exitCode, null, other.stderr);
  } finally {
    await other.stop();
  }
});

test('a large cold document: partial diagnostics first, progress, and requests answered before the analysis ends', async () => {
  const uri = fileUri(path.join(tmp, 'cold.md'));
  const text = bigText(40, 'cold'); // 400 sentences, none in the cache
  const progressBefore = client.progress.length;
  const statusBefore = client.documentStatusEvents.length;
  await client.open(uri, text);
  // Ask while it runs: the answer must come before the document is complete (the loop is never blocked for the whole run).
  await client.waitForDiagnostics(uri, { complete: false, timeoutMs: 120_000 });
  const hover = await client.hover(uri, 0, 1);
  const answeredWhile = !client.documentStatus.get(uri)?.complete;
  await client.waitForDiagnostics(uri, { timeoutMs: 300_000 });
  assert.ok(hover === null || typeof hover.contents.value === 'string');
  assert.ok(answeredWhile, 'the hover was answered while the analysis still ran');
  const statuses = client.documentStatusEvents.slice(statusBefore).filter((s) => s.uri === uri);
  assert.ok(statuses.length >= 2 && !statuses[0].complete && statuses.at(-1).complete, JSON.stringify(statuses.map((s) => s.complete)));
  // The bar's reports follow the client's answer to window/workDoneProgress/create, so a run that ends
  // quickly may report "complete" before its bar has ended: the end must still come.
  await waitFor(() => client.progress.slice(progressBefore).some((p) => p.value.kind === 'end'), 10_000, 'the progress end');
  const progress = client.progress.slice(progressBefore).map((p) => p.value);
  assert.equal(progress[0].kind, 'begin');
  assert.equal(progress.at(-1).kind, 'end');
  // However fast the run, the bar ends full: the last report before the end says 100%.
  const reports = progress.filter((p) => p.kind === 'report');
  assert.ok(reports.length >= 1, JSON.stringify(progress));
  assert.equal(reports.at(-1).percentage, 100);
  assert.ok(reports.every((r, i) => i === 0 || r.percentage >= reports[i - 1].percentage), 'percentages never go back');
  await client.close(uri);
});

test('semantic tokens: a delta after an edit applied to the previous tokens gives the full tokens', async () => {
  const uri = fileUri(path.join(tmp, 'delta.md'));
  let text = corpus.text;
  await client.open(uri, text);
  await client.waitForDiagnostics(uri);
  const first = await client.semanticTokens(uri);
  assert.ok(first.resultId);
  const at = text.indexOf(corpus.sentences[5].text);
  client.change(uri, [{ range: { start: positionAt(text, at), end: positionAt(text, at) }, text: 'Yesterday ' }]);
  text = text.slice(0, at) + 'Yesterday ' + text.slice(at);
  await client.waitForDiagnostics(uri);
  const delta = await client.request('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: first.resultId });
  assert.ok(Array.isArray(delta.edits), 'an edit list, not the whole array');
  const data = [...first.data];
  for (const e of [...delta.edits].sort((a, b) => b.start - a.start)) data.splice(e.start, e.deleteCount, ...(e.data ?? []));
  const full = await client.semanticTokens(uri);
  assert.deepEqual(data, full.data);
  assert.ok(delta.edits.reduce((n, e) => n + (e.data?.length ?? 0), 0) < full.data.length, 'less than the whole document');
  await client.close(uri);
});

test('$/cancelRequest on an export answers RequestCancelled and writes nothing', async () => {
  const uri = fileUri(path.join(tmp, 'export-me.md'));
  await client.open(uri, bigText(30, 'export'));
  try {
      const dir = path.join(tmp, 'cancelled-export');
      const source = new (await import('vscode-jsonrpc/node')).default.CancellationTokenSource();
      const request = client.conn.sendRequest('workspace/executeCommand', { command: 'erlens.exportTriples', arguments: [{ scope: 'document', uri, directory: dir }] }, source.token);
      await new Promise((r) => setTimeout(r, 100));
      source.cancel();
      await assert.rejects(request, (err) => err.code === -32800);
      // The document's analysis goes on; once it is done, nothing was written for the cancelled export.
      await client.waitForDiagnostics(uri, { timeoutMs: 300_000 });
      assert.equal(fs.existsSync(dir) ? fs.readdirSync(dir).length : 0, 0);
  } finally {
    await client.close(uri);
  }
  await waitFor(async () => (await client.stats()).openDocuments === 0, 10_000, 'documents closed');
});

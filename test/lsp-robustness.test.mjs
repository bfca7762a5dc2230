// Bad input against the real server process: a 50k-line file, a single 20k-character line, binary
// content, odd Unicode (emoji, combining marks, right-to-left text, CRLF), rapid edits and a document
// closed mid-inference. After each, the server must still answer hover / semantic tokens promptly, stay
// alive, and hold exactly the text the client sent.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, oddInputDocument, tinyArchitectures, tinyModelDir, tinyPackageOf, waitFor } from './lspClient.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-robust-'));
const settings = { models: [tinyModelDir], executionProvider: 'cpu', debounceMs: 30 };
let client;
let corpus;
const probeUri = fileUri(path.join(tmp, 'probe.md'));

/** The server answers a hover and a token request on a small document within `ms`. */
async function assertResponsive(ms = 3000) {
  const started = Date.now();
  const [hover, tokens] = await Promise.all([client.hover(probeUri, 0, 2), client.semanticTokens(probeUri)]);
  const took = Date.now() - started;
  assert.ok(took < ms, `answered after ${took} ms`);
  assert.ok(Array.isArray(tokens.data));
  assert.ok(hover === null || typeof hover.contents.value === 'string');
  assert.equal(client.proc.exitCode, null, `server exited: ${client.stderr}`);
  return took;
}

/** What the server holds for `uri`, read back through the export command's brat .txt copy. */
async function serverText(uri) {
  const dir = fs.mkdtempSync(path.join(tmp, 'x-'));
  const result = await client.request('workspace/executeCommand', { command: 'erlens.exportTriples', arguments: [{ scope: 'document', uri, formats: ['brat'], directory: dir }] });
  const txt = result.files.find((f) => f.endsWith('.txt'));
  return txt ? fs.readFileSync(txt, 'utf8') : undefined;
}

before(async () => {
  corpus = await conllDocument(5);
  client = new LspTestClient(settings, { workspaceFolders: [tmp] });
  await client.start();
  await client.open(probeUri, corpus.text);
  await client.waitForDiagnostics(probeUri);
});

after(async () => {
  await client?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a 50,000-line file: the server keeps answering while it works, and the file gets annotated', async () => {
  const uri = fileUri(path.join(tmp, 'huge.md'));
  const lines = [];
  for (let i = 0; i < 50_000; i++) lines.push(i % 10 === 0 ? corpus.sentences[i % corpus.sentences.length].text : `Line ${i} of a long note .`);
  const text = lines.join('\n');
  await client.open(uri, text);
  // Ask while segmentation/inference of the big file is under way.
  await new Promise((r) => setTimeout(r, 200));
  const took = await assertResponsive(5000);
  const tokens = client.decode((await client.semanticTokensRange(uri, { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } })).data);
  assert.ok(Array.isArray(tokens));
  const { diagnostics } = await client.waitForDiagnostics(uri, { timeoutMs: 300_000 });
  assert.ok(diagnostics.length > 0, 'relations found in the memorised lines');
  assert.ok(diagnostics.length <= 200, 'capped by erlens.diagnostics.maxPerDocument');
  console.log(`# 50k lines: responsive in ${took} ms during the run`);
  await client.close(uri);
});

test('a single 20,000-character line is annotated without being dropped or truncated silently', async () => {
  const uri = fileUri(path.join(tmp, 'long-line.txt'));
  let line = '';
  while (line.length < 20_000) line += corpus.sentences[1].text.replace(/ \.$/, ' ,') + ' ';
  await client.open(uri, line, 'plaintext');
  const { diagnostics } = await client.waitForDiagnostics(uri, { timeoutMs: 120_000 });
  assert.ok(Array.isArray(diagnostics));
  const tokens = client.decode((await client.semanticTokens(uri)).data);
  assert.ok(tokens.every((t) => t.line === 0 && t.char + t.length <= line.length));
  // Longer than the model's window: split with overlap, so entities are found up to the very end.
  assert.ok(tokens.some((t) => t.char > 15_000), `last token at ${tokens.at(-1)?.char}`);
  await assertResponsive();
  await client.close(uri);
});

test('every architecture: a one-token sentence, punctuation only and a run-on sentence over max_words give a valid result', async () => {
  // All the other architectures' tiny packages in one server, beside the file's own client.
  const other = new LspTestClient({ models: tinyArchitectures.map((a) => tinyPackageOf(a)), executionProvider: 'cpu', debounceMs: 30 });
  try {
    await other.start();
    const text = oddInputDocument();
    const lines = text.split('\n');
    const uri = fileUri(path.join(tmp, 'odd.md'));
    await other.open(uri, text);
    const { diagnostics } = await other.waitForDiagnostics(uri, { timeoutMs: 120_000 });
    assert.ok(Array.isArray(diagnostics));
    const tokens = other.decode((await other.semanticTokens(uri)).data);
    assert.ok(tokens.every((t) => t.line < lines.length && t.char + t.length <= lines[t.line].length), JSON.stringify(tokens));
    const stats = await other.stats();
    assert.deepEqual(stats.models, tinyArchitectures.map((a) => `tiny-${a}`));
    assert.deepEqual(stats.problems, []);
    assert.deepEqual(other.messages.filter((m) => m.type <= 2), [], 'no error or warning');
    assert.ok(!other.logs.some((l) => /inference failed/.test(l.message)), JSON.stringify(other.logs));
    assert.equal(other.proc.exitCode, null, `server exited: ${other.stderr}`);
  } finally {
    await other.stop();
  }
});

test('binary content is skipped: empty results, no crash', async () => {
  const uri = fileUri(path.join(tmp, 'binary.txt'));
  const bytes = fs.readFileSync(process.execPath).subarray(0, 64 * 1024);
  await client.open(uri, bytes.toString('latin1'), 'plaintext');
  const { diagnostics } = await client.waitForDiagnostics(uri);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual((await client.semanticTokens(uri)).data, []);
  await assertResponsive();
  await client.close(uri);
});

test('emoji, combining marks, right-to-left text and CRLF keep offsets exact (UTF-16)', async () => {
  const uri = fileUri(path.join(tmp, 'unicode.md'));
  const s = corpus.sentences[1].text;
  const text = `# Café 👩🏽‍⚕️ notes\r\n\r\nשלום עולם , مرحبا . e\u0301le\u0300ve 🎉🎉 .\r\n\r\n${s}\r\n\r\nMore 😀 emoji 🎉 .\r\n\r\n${s}\r\n`;
  await client.open(uri, text);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  const lines = text.split('\n');
  const slice = (r) => lines[r.start.line].slice(r.start.character, r.end.character);
  assert.ok(diagnostics.length > 0);
  for (const d of diagnostics) {
    const [head, tail] = d.relatedInformation;
    assert.ok(d.message.startsWith(`${slice(head.location.range)} → ${d.code} → ${slice(tail.location.range)}`), `${d.message} vs ${slice(head.location.range)}`);
    assert.ok(!slice(head.location.range).includes('\r'));
  }
  const tokens = client.decode((await client.semanticTokens(uri)).data);
  const annie = tokens.filter((t) => lines[t.line].slice(t.char, t.char + t.length) === 'Annie Oakley');
  assert.equal(annie.length, 2, 'found after the emoji too (surrogate pairs counted as two UTF-16 units)');
  await client.close(uri);
});

test('rapid edits: nothing is lost, stale runs are cancelled, the final version is annotated', async () => {
  const uri = fileUri(path.join(tmp, 'typing.md'));
  let text = corpus.text;
  await client.open(uri, text);
  const statsBefore = await client.stats();
  // 60 keystrokes at the end of the first paragraph, no pauses, plus a deletion in the middle.
  const at = text.indexOf('\n');
  for (let i = 0; i < 60; i++) {
    const offset = at + i;
    const line = 0;
    client.change(uri, [{ range: { start: { line, character: offset }, end: { line, character: offset } }, text: i % 7 === 6 ? ' ' : 'x' }]);
    text = text.slice(0, offset) + (i % 7 === 6 ? ' ' : 'x') + text.slice(offset);
    if (i % 20 === 0) await new Promise((r) => setTimeout(r, 40)); // long enough for a run to start
  }
  const { diagnostics } = await client.waitForDiagnostics(uri, { timeoutMs: 60_000 });
  assert.ok(diagnostics.length > 0);
  assert.equal(await serverText(uri), text, 'the server holds exactly the text we typed');
  const statsAfter = await client.stats();
  assert.ok(statsAfter.runsCompleted - statsBefore.runsCompleted < 20, `debounced: ${statsAfter.runsCompleted - statsBefore.runsCompleted} runs for 60 edits`);
  await client.close(uri);
});

test('closing a document mid-inference drops its work, clears its diagnostics, and the server goes on', async () => {
  const uri = fileUri(path.join(tmp, 'closed.md'));
  const big = Array.from({ length: 3000 }, (_, i) => `Sentence number ${i} mentions Annie Oakley in Willowdell .`).join('\n\n');
  await client.open(uri, big);
  await new Promise((r) => setTimeout(r, 150));
  await client.close(uri);
  const cleared = await waitFor(() => client.diagnosticEvents.find((e) => e.uri === uri && e.diagnostics.length === 0 && e.version === undefined), 10_000, 'cleared diagnostics');
  assert.ok(cleared);
  await assertResponsive();
  // Requests for the closed document answer empty rather than erroring.
  assert.deepEqual((await client.semanticTokens(uri)).data, []);
  assert.equal(await client.hover(uri, 0, 0), null);
  // Late results for the closed document must not resurrect its diagnostics.
  await new Promise((r) => setTimeout(r, 1000));
  const last = client.diagnosticEvents.filter((e) => e.uri === uri).at(-1);
  assert.deepEqual(last.diagnostics, []);
});

test('a document that exhausts the analysis worker: the worker starts again, that document is set aside, the others go on', async () => {
  process.env.ERLENS_WORKER_HEAP_MB = '40';
  const small = new LspTestClient(settings);
  try {
    await small.start();
    const good = fileUri(path.join(tmp, 'good.md'));
    await small.open(good, corpus.text);
    await small.waitForDiagnostics(good);
    const heavy = fileUri(path.join(tmp, 'heavy.md'));
    // A hundred thousand short sentences (1.5 MB, under erlens.maxFileSize): more analysis state than
    // 40 MB of worker heap holds.
    await small.open(heavy, Array.from({ length: 100_000 }, (_, i) => `Word${i} here.`).join('\n'));
    await waitFor(() => small.logs.some((l) => /analysis worker stopped/.test(l.message)), 120_000, 'the worker to die');
    const { diagnostics } = await small.waitForDiagnostics(heavy, { timeoutMs: 60_000 });
    assert.deepEqual(diagnostics, []);
    assert.ok(small.logs.some((l) => /heavy\.md is not analysed until it changes/.test(l.message)), JSON.stringify(small.logs.map((l) => l.message)));
    // The worker is back: the small document is analysed again after an edit.
    small.change(good, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'Then ' }]);
    assert.ok((await small.waitForDiagnostics(good, { timeoutMs: 60_000 })).diagnostics.length > 0);
    assert.equal(small.proc.exitCode, null, small.stderr);
  } finally {
    delete process.env.ERLENS_WORKER_HEAP_MB;
    await small.stop();
  }
});

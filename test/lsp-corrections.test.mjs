// Corrections through the real language server over stdio, with the tiny test model on CoNLL04
// sentences it memorised: code actions list the fixes for the entity and relation under the cursor;
// running one changes diagnostics and semantic tokens at once, writes the corrected sentence to the
// workspace's .erlens/feedback.jsonl (or the text to .erlens/ignored.txt), and a new server reads them
// back. An untrusted workspace keeps corrections in memory and writes nothing.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, offsetAt, rangeText, tinyModelDir, waitFor } from './lspClient.mjs';

const settings = { models: [tinyModelDir], executionProvider: 'cpu', debounceMs: 20, diagnostics: { severity: 'information', maxPerDocument: 500 } };
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-corrections-'));
const untrusted = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-untrusted-'));
let doc;


async function session(folder, initializationOptions = {}) {
  const client = new LspTestClient(settings, { workspaceFolders: [folder], initializationOptions });
  await client.start();
  const uri = fileUri(path.join(folder, 'news.md'));
  await client.open(uri, doc.text);
  await client.waitForDiagnostics(uri);
  return { client, uri };
}

const codeActions = (client, uri, range) => client.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } });
const run = (client, action) => client.request('workspace/executeCommand', { command: action.command.command, arguments: action.command.arguments });
/** Runs a code action and waits for the diagnostics it republishes. */
async function apply(client, uri, action) {
  const seen = client.diagnosticEvents.length;
  const result = await run(client, action);
  await waitFor(() => client.diagnosticEvents.slice(seen).find((e) => e.uri === uri), 10_000, 'diagnostics after the correction');
  return result;
}
const entityTexts = async (client, uri) => client.decode((await client.semanticTokens(uri)).data).map((t) => doc.text.slice(offsetAt(doc.text, { line: t.line, character: t.char }), offsetAt(doc.text, { line: t.line, character: t.char }) + t.length));

before(async () => {
  doc = await conllDocument(6);
});

after(() => {
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.rmSync(untrusted, { recursive: true, force: true });
});

test('code actions: fixes for the entity and relation under the cursor; running them changes what is shown and is kept', async () => {
  const { client, uri } = await session(workspace);
  try {
    assert.ok(client.initializeResult.capabilities.codeActionProvider, 'the server offers code actions');
    const diagnostics = client.diagnostics.get(uri).diagnostics;
    assert.ok(diagnostics.length >= 2, `the tiny model shows relations (${diagnostics.length})`);
    // A relation's head: "not an entity", "change to", "ignore", "add relation" and "not a relation" are offered.
    const target = diagnostics[0];
    const head = rangeText(doc.text, target.range);
    const actions = await codeActions(client, uri, target.range);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => t.startsWith(`ERlens: '${head}' is not `)), titles.join('\n'));
    assert.ok(titles.some((t) => t.startsWith(`ERlens: change '${head}' to `)), titles.join('\n'));
    assert.ok(titles.includes(`ERlens: ignore '${head}' everywhere`), titles.join('\n'));
    assert.ok(titles.some((t) => t.startsWith(`ERlens: not a relation: '${head}' → ${target.code} → `)), titles.join('\n'));
    assert.ok(actions.every((a) => a.kind === 'quickfix' && a.command.command === 'erlens.correct'));

    // "not a relation": the diagnostic goes at once, nothing else changes
    const notRelation = actions.find((a) => a.title.startsWith('ERlens: not a relation'));
    const before = diagnostics.length;
    const result = await apply(client, uri, notRelation);
    assert.deepEqual(result.written, [path.join(workspace, '.erlens', 'feedback.jsonl')]);
    assert.equal(client.diagnostics.get(uri).diagnostics.length, before - 1);
    const [line] = fs.readFileSync(result.written[0], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(line.correction.kind, 'not-relation');
    assert.ok(line.tokens.length > 3 && Array.isArray(line.entities) && line.relations.length === line.prediction.relations.length - 1, JSON.stringify(line).slice(0, 400));
    assert.ok(doc.text.includes(line.text), 'the record holds the sentence text');

    // "change type": the entity keeps its place with the new type; the record's entities say so
    const retype = (await codeActions(client, uri, target.range)).find((a) => a.title.startsWith(`ERlens: change '${head}' to `));
    const newType = retype.title.split(' to ').pop();
    await apply(client, uri, retype);
    const hover = await client.hover(uri, target.range.start.line, target.range.start.character + 1);
    assert.ok(hover.contents.value.replace(/\\/g, '').startsWith(`**${newType}**`), hover.contents.value);

    // "ignore everywhere": every mention of the text goes, in this and any other sentence
    const ignore = (await codeActions(client, uri, target.range)).find((a) => a.title.startsWith('ERlens: ignore'));
    const ignored = await apply(client, uri, ignore);
    assert.deepEqual(ignored.written, [path.join(workspace, '.erlens', 'ignored.txt')]);
    assert.ok(!(await entityTexts(client, uri)).includes(head), `${head} is no longer highlighted`);
    assert.equal(fs.readFileSync(ignored.written[0], 'utf8'), `${head}\n`);

    // bad arguments: a clear error, the server goes on
    await assert.rejects(client.request('workspace/executeCommand', { command: 'erlens.correct', arguments: [{ uri, sentence: 'x', correction: { kind: 'nonsense' } }] }), /known kind/);
    assert.ok((await client.stats()).models.length > 0);
  } finally {
    await client.stop();
  }
  // A new server reads the workspace's corrections back: the ignored text stays unhighlighted.
  const again = await session(workspace);
  try {
    const head = JSON.parse(fs.readFileSync(path.join(workspace, '.erlens', 'feedback.jsonl'), 'utf8').split('\n')[0]);
    const ignoredText = fs.readFileSync(path.join(workspace, '.erlens', 'ignored.txt'), 'utf8').trim();
    assert.ok(!(await entityTexts(again.client, again.uri)).includes(ignoredText));
    assert.ok(head.correction, 'feedback kept');
  } finally {
    await again.client.stop();
  }
});

test('untrusted workspace: corrections apply in memory and nothing is written', async () => {
  const { client, uri } = await session(untrusted, { workspaceTrusted: false });
  try {
    const target = client.diagnostics.get(uri).diagnostics[0];
    const notEntity = (await codeActions(client, uri, target.range)).find((a) => / is not /.test(a.title));
    const before = client.diagnostics.get(uri).diagnostics.length;
    const result = await apply(client, uri, notEntity);
    assert.deepEqual(result, { applied: true, written: [] });
    assert.ok(client.diagnostics.get(uri).diagnostics.length < before, 'its relations are gone at once');
    assert.equal(fs.existsSync(path.join(untrusted, '.erlens')), false);
    // granting trust later: from then on corrections are kept
    await client.conn.sendNotification('erlens/workspaceTrusted');
    const next = client.diagnostics.get(uri).diagnostics[0];
    const retype = (await codeActions(client, uri, next.range)).find((a) => a.title.startsWith('ERlens: change'));
    const kept = await apply(client, uri, retype);
    assert.deepEqual(kept.written, [path.join(untrusted, '.erlens', 'feedback.jsonl')]);
  } finally {
    await client.stop();
  }
});

test('erlens/relationGraph: one node per distinct entity with its mentions, one edge per distinct triple, matching the diagnostics', async () => {
  const { client, uri } = await session(fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-graph-')));
  try {
    const graph = await client.request('erlens/relationGraph', { uri });
    const diagnostics = client.diagnostics.get(uri).diagnostics;
    assert.equal(graph.uri, uri);
    assert.ok(graph.nodes.length >= 2 && graph.edges.length >= 1);
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const n of graph.nodes) {
      assert.ok(n.mentions.length >= 1);
      for (const m of n.mentions) assert.equal(rangeText(doc.text, m).toLowerCase().replace(/\s+/g, ' '), n.label.toLowerCase(), 'each mention reads as the node');
    }
    for (const e of graph.edges) assert.ok(ids.has(e.source) && ids.has(e.target) && e.count >= 1);
    assert.equal(graph.edges.reduce((s, e) => s + e.count, 0), diagnostics.length, 'every relation shown is in the graph');
    assert.equal(await client.request('erlens/relationGraph', { uri: 'file:///not/open.md' }), null);
  } finally {
    await client.stop();
  }
});

// The workspace index through the real language server over stdio, with the tiny test model on CoNLL04
// sentences it memorised: files on disk are indexed after the models load; erlens/indexQuery finds an
// entity's relations across files; an open document's edit reaches the index; a deleted file leaves it;
// the index is a file (.erlens/index.sqlite) a new server answers from without annotating again, and
// `erlens query` reads the same file.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspTestClient, conllDocument, fileUri, repoRoot, tinyModelDir, waitFor } from './lspClient.mjs';

const settings = { models: [tinyModelDir], executionProvider: 'cpu', debounceMs: 20 };
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-index-'));
let doc;
let headText;

before(async () => {
  doc = await conllDocument(4);
  const s = doc.sentences[0];
  const r = s.gold.relations[0];
  const head = s.gold.entities[r.head];
  headText = s.gold.tokens.slice(head.start, head.end).join(' ');
  fs.mkdirSync(path.join(workspace, 'notes'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'notes', 'one.md'), `${doc.text}`);
  fs.writeFileSync(path.join(workspace, 'two.txt'), `${doc.sentences[0].text}\n`);
});

after(() => fs.rmSync(workspace, { recursive: true, force: true }));

const query = (client, text) => client.request('erlens/indexQuery', { text });

test('workspace index over LSP: indexed on start, queried across files, follows edits and deletions, survives a restart', async () => {
  const client = new LspTestClient(settings, { workspaceFolders: [workspace], capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } } });
  await client.start();
  try {
    const [summary] = await client.request('erlens/reindex');
    assert.equal(summary.files, 2, JSON.stringify(summary));
    assert.equal(summary.skipped.length, 0);
    let answer = await query(client, headText.toUpperCase());
    const files = new Set(answer.relations.map((r) => path.basename(new URL(r.uri).pathname)));
    assert.deepEqual([...files].sort(), ['one.md', 'two.txt'], `${headText}: ${JSON.stringify(answer.relations.map((r) => r.uri))}`);
    const one = answer.relations.find((r) => r.uri.endsWith('one.md'));
    const lines = doc.text.split('\n');
    assert.equal(lines[one.head.line].slice(one.head.character, one.head.endCharacter), one.head.text, 'positions point at the entity');
    assert.ok(answer.milliseconds < 1000, `${answer.milliseconds} ms`);
    assert.ok(fs.existsSync(path.join(workspace, '.erlens', 'index.sqlite')), 'saved in the workspace');

    // The workspace graph: one node for the entity, its mentions in both files (each naming its file).
    const graph = await client.request('erlens/relationGraph', { scope: 'workspace' });
    const node = graph.nodes.find((n) => n.label.toLowerCase() === headText.toLowerCase());
    assert.ok(node, `${headText} among ${graph.nodes.map((n) => n.label).join(', ')}`);
    assert.deepEqual([...new Set(node.mentions.map((m) => path.basename(new URL(m.uri).pathname)))].sort(), ['one.md', 'two.txt']);
    const incident = graph.edges.filter((e) => e.source === node.id || e.target === node.id);
    assert.equal(incident.reduce((n, e) => n + e.count, 0), answer.total, 'each relation of the entity counted once on its edges');

    // An open document: deleting its first sentence in the editor (unsaved) takes its relations out of the index.
    const uri = fileUri(path.join(workspace, 'notes', 'one.md'));
    await client.open(uri, doc.text);
    await client.waitForDiagnostics(uri);
    const cut = doc.sentences[0].text.length + 2;
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, text: '' }]);
    await client.waitForDiagnostics(uri);
    assert.ok(cut > 0);
    answer = await waitFor(async () => {
      const a = await query(client, headText);
      return a.relations.every((r) => !r.uri.endsWith('one.md')) ? a : undefined;
    }, 5000, 'the edit in the index');
    assert.ok(answer.relations.some((r) => r.uri.endsWith('two.txt')));

    // A file deleted on disk (the watcher's notification) leaves the index.
    fs.rmSync(path.join(workspace, 'two.txt'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(path.join(workspace, 'two.txt')), type: 3 }] });
    await waitFor(async () => ((await query(client, headText)).total === 0 ? true : undefined), 5000, 'the deleted file gone from the index');

    // Closing the unsaved document: the file on disk counts again.
    await client.close(uri);
    await waitFor(async () => ((await query(client, headText)).relations.some((r) => r.uri.endsWith('one.md')) ? true : undefined), 10000, 'the saved text indexed again');
  } finally {
    await client.stop();
  }

  // A new server answers from the file; indexing again annotates nothing (content and models unchanged).
  const again = new LspTestClient(settings, { workspaceFolders: [workspace] });
  await again.start();
  try {
    const [summary] = await again.request('erlens/reindex');
    assert.deepEqual([summary.files, summary.indexed, summary.unchanged], [1, 0, 1], JSON.stringify(summary));
    assert.ok((await query(again, headText)).total > 0);
    const entities = await again.request('erlens/indexEntities', { prefix: headText.slice(0, 3) });
    assert.ok(entities.some((e) => e.text.toLowerCase() === headText.toLowerCase()), JSON.stringify(entities));
  } finally {
    await again.stop();
  }

  // The CLI reads the same index.
  const cli = spawnSync(process.execPath, [path.join(repoRoot, 'server', 'out', 'cli', 'main.js'), 'query', headText, '--workspace', workspace, '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = JSON.parse(cli.stdout);
  assert.ok(fromCli.total > 0 && fromCli.relations.every((r) => r.uri.endsWith('one.md')), cli.stdout.slice(0, 500));
});

test('erlens index: annotates only what changed, drops deleted files, reports binary files; a corrupt index is rebuilt', () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-cli-index-'));
  const cli = (...args) => spawnSync(process.execPath, [path.join(repoRoot, 'server', 'out', 'cli', 'main.js'), ...args], { encoding: 'utf8' });
  try {
    fs.writeFileSync(path.join(ws, 'a.md'), `${doc.sentences[1].text}\n`);
    fs.writeFileSync(path.join(ws, 'b.md'), `${doc.sentences[2].text}\n`);
    fs.writeFileSync(path.join(ws, 'c.txt'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
    let run = cli('index', ws, '--model', tinyModelDir, '--execution-provider', 'cpu');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /3 files, 2 annotated, 0 unchanged, 0 removed, 1 skipped; 2 documents indexed/);
    assert.match(run.stderr, /skipped .*c\.txt/);
    fs.writeFileSync(path.join(ws, 'a.md'), `${doc.sentences[3].text}\n`);
    fs.rmSync(path.join(ws, 'b.md'));
    run = cli('index', ws, '--model', tinyModelDir, '--execution-provider', 'cpu');
    assert.match(run.stdout, /2 files, 1 annotated, 0 unchanged, 1 removed, 1 skipped; 1 documents indexed/, run.stdout + run.stderr);
    const text = cli('query', doc.sentences[3].gold.tokens.slice(doc.sentences[3].gold.entities[doc.sentences[3].gold.relations[0].head].start, doc.sentences[3].gold.entities[doc.sentences[3].gold.relations[0].head].end).join(' '), '--workspace', ws);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^\d+ relation\(s\) of ".*" in 1 indexed document\(s\)\n(a\.md|.*\/a\.md):1:\d+: .+ → .+ → .+ \[present, 0\.\d\d\]/);

    fs.writeFileSync(path.join(ws, '.erlens', 'index.sqlite'), 'garbage');
    assert.match(cli('query', 'x', '--workspace', ws).stderr, /rebuilding the index: run 'erlens index/);
    run = cli('index', ws, '--model', tinyModelDir, '--execution-provider', 'cpu');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /rebuilding the index/);
    assert.match(run.stdout, /1 annotated/);
    assert.ok(fs.existsSync(path.join(ws, '.erlens', 'index.sqlite.corrupt')));
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('workspace indexing reports progress, and its cancel button stops it (what was indexed stays)', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-index-cancel-'));
  const paragraphs = doc.sentences.map((s) => s.text);
  for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(ws, `n${String(i).padStart(3, '0')}.md`), `${paragraphs[i % paragraphs.length]} (${i})\n\n${paragraphs[(i + 1) % paragraphs.length]}\n`);
  const client = new LspTestClient(settings, { workspaceFolders: [ws] });
  await client.start();
  try {
    // The run the server starts once the models are loaded, cancelled from its progress (the editor's button).
    const begun = await waitFor(() => client.progress.find((p) => p.value?.kind === 'begin' && /indexing workspace/.test(p.value.title) && p.value.cancellable), 20000, 'indexing progress');
    // Reports say "i/total file": cancel once a fair part is done.
    await waitFor(() => client.progress.find((p) => p.token === begun.token && p.value?.kind === 'report' && Number(/^(\d+)\//.exec(p.value.message ?? '')?.[1]) >= 50), 60000, 'a progress report past 50 files');
    await client.conn.sendNotification('window/workDoneProgress/cancel', { token: begun.token });
    await waitFor(() => client.progress.find((p) => p.token === begun.token && p.value?.kind === 'end'), 20000, 'the end of the cancelled run');
    const partial = await client.request('erlens/indexQuery', { text: 'x' });
    assert.ok(partial.documents > 0 && partial.documents < 400, `${partial.documents} documents indexed before the cancel`);
    // Indexing again picks up where it stopped: the files done are current.
    const [summary] = await client.request('erlens/reindex');
    assert.equal(summary.cancelled, false);
    assert.equal(summary.files, 400);
    assert.equal(summary.unchanged, partial.documents, JSON.stringify(summary));
    assert.equal(summary.indexed + summary.unchanged, 400);
  } finally {
    await client.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

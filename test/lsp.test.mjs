// LSP integration test: the real language server process over stdio, driven by a real JSON-RPC client,
// with the tiny test model (test/fixtures/models/tiny-mge, which memorised the first 40 CoNLL04 training sentences). Covers initialize, open,
// diagnostics with related information, semantic tokens (full + range), hover, code lens, incremental
// edits that re-infer one sentence, and the export command writing every format.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspTestClient, conllDocument, fileUri, offsetAt, positionAt, rangeText, repoRoot, tinyModelDir } from './lspClient.mjs';

const settings = { models: [tinyModelDir], executionProvider: 'cpu', debounceMs: 50, diagnostics: { severity: 'information', maxPerDocument: 500 }, codeLens: { maxPerSentence: 100 } };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-lsp-'));
const notePath = path.join(tmp, 'note.md');
const uri = fileUri(notePath);
let client;
let corpus;
let text;

/** The document text a decoded semantic token covers. */
function tokenText(s, t) {
  const start = offsetAt(s, { line: t.line, character: t.char });
  return s.slice(start, start + t.length);
}

/** Gold (head text, type, tail text) triples of the memorised sentences. */
function goldTriples() {
  const triples = [];
  for (const { gold } of corpus.sentences) {
    const span = (e) => gold.tokens.slice(e.start, e.end).join(' ');
    for (const r of gold.relations) triples.push(`${span(gold.entities[r.head])}|${r.type}|${span(gold.entities[r.tail])}`);
  }
  return triples;
}

before(async () => {
  corpus = await conllDocument(25);
  text = corpus.text;
  fs.writeFileSync(notePath, text);
  client = new LspTestClient(settings, { workspaceFolders: [tmp] });
  await client.start();
});

after(async () => {
  await client?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('initialize announces incremental sync, the legend, hover, code lens, code actions and the export and correction commands', () => {
  const caps = client.initializeResult.capabilities;
  assert.equal(caps.textDocumentSync.change, 2, 'incremental');
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.deepEqual(caps.semanticTokensProvider.legend.tokenTypes, manifest.contributes.semanticTokenTypes.map((t) => t.id));
  assert.equal(caps.semanticTokensProvider.range, true);
  assert.equal(caps.hoverProvider, true);
  assert.ok(caps.codeLensProvider);
  assert.deepEqual(caps.codeActionProvider.codeActionKinds, ['quickfix']);
  assert.deepEqual(caps.executeCommandProvider.commands, ['erlens.exportTriples', 'erlens.correct']);
});

test('opening a note publishes one diagnostic per relation, with related information on both arguments', async () => {
  await client.open(uri, text);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  assert.ok(diagnostics.length >= 10, `expected relations, got ${diagnostics.length}`);
  const relationTypes = new Set(['Kill', 'Live_In', 'Located_In', 'OrgBased_In', 'Work_For']);
  for (const d of diagnostics) {
    assert.equal(d.source, 'erlens');
    assert.ok(relationTypes.has(d.code), d.code);
    assert.match(d.codeDescription.href, new RegExp(`^file://.*/docs/relation-types\\.md#${d.code.toLowerCase()}$`), 'a link to the type\'s documentation');
    assert.equal(d.severity, 3, 'information');
    assert.equal(d.relatedInformation.length, 2);
    const [head, tail] = d.relatedInformation;
    assert.equal(head.location.uri, uri);
    assert.equal(rangeText(text, d.range), rangeText(text, head.location.range), 'diagnostic sits on the head');
    assert.ok(d.message.startsWith(`${rangeText(text, head.location.range)} → ${d.code} → ${rangeText(text, tail.location.range)}`), d.message);
  }
  // The tiny model memorised these sentences: most gold triples must come back exactly.
  const found = new Set(diagnostics.map((d) => `${rangeText(text, d.relatedInformation[0].location.range)}|${d.code}|${rangeText(text, d.relatedInformation[1].location.range)}`));
  const gold = goldTriples();
  const hits = gold.filter((g) => found.has(g)).length;
  assert.ok(hits >= gold.length * 0.6, `only ${hits}/${gold.length} gold triples found`);
});

test('semantic tokens cover the entities with their legend types; range requests return a subset', async () => {
  const full = client.decode((await client.semanticTokens(uri)).data);
  assert.ok(full.length >= 30, `${full.length} tokens`);
  const byText = new Map(full.map((t) => [tokenText(text, t), t.type]));
  assert.equal(byText.get('Annie Oakley'), 'erlensPerson');
  assert.equal(byText.get('Willowdell , Darke County'), 'erlensLocation');
  assert.ok(full.some((t) => t.type === 'erlensOrganization'));
  assert.ok(full.every((t) => t.type !== undefined));
  const range = { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } };
  const part = client.decode((await client.semanticTokensRange(uri, range)).data);
  assert.ok(part.length > 0 && part.length < full.length);
  assert.ok(part.every((t) => t.line === 2));
});

test('hover on an entity shows its type, score, model and relations with the other argument', async () => {
  const at = positionAt(text, text.indexOf('Annie Oakley') + 2);
  const hover = await client.hover(uri, at.line, at.character);
  assert.ok(hover, 'hover on Annie Oakley');
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /\*\*Peop\*\* `Annie Oakley` — score 0\.\d\d · model tiny\\-mge/);
  assert.match(hover.contents.value, /→ \*\*Live\\_In\*\* → Willowdell , Darke County \(Loc/);
  assert.equal(rangeText(text, hover.range), 'Annie Oakley');
  const nothing = positionAt(text, text.indexOf(' known as ') + 3);
  assert.equal(await client.hover(uri, nothing.line, nothing.character), null);
});

test('code lenses name each relation and reveal its other argument', async () => {
  const lenses = await client.codeLens(uri);
  const { diagnostics } = client.diagnostics.get(uri);
  assert.equal(lenses.length, diagnostics.length);
  const lens = lenses.find((l) => l.command.title === 'Annie Oakley → Live_In → Willowdell , Darke County');
  assert.ok(lens, lenses.map((l) => l.command.title).join('\n'));
  assert.equal(lens.command.command, 'erlens.revealRange');
  assert.equal(lens.command.arguments[0], uri);
  assert.equal(rangeText(text, lens.command.arguments[1]), 'Willowdell , Darke County');
});

test('editing one sentence re-infers exactly that sentence, and results stay aligned with the text', async () => {
  const before = await client.stats();
  // Replace "born" by "bornn" in the Annie Oakley sentence: only that sentence's text changes.
  const at = text.indexOf(' was born ') + 5;
  const range = { start: positionAt(text, at), end: positionAt(text, at + 4) };
  client.change(uri, [{ range, text: 'bornn' }]);
  text = text.slice(0, at) + 'bornn' + text.slice(at + 4);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  const afterStats = await client.stats();
  assert.equal(afterStats.cacheMisses - before.cacheMisses, 1, `misses ${before.cacheMisses} → ${afterStats.cacheMisses}`);
  assert.equal(afterStats.inferredSentences - before.inferredSentences, 1);
  // The other sentences (one paragraph each) stay with the document's analysis: not even looked up again.
  assert.equal(afterStats.cacheHits - before.cacheHits, 0, 'no cache look-up outside the edited paragraph');
  for (const d of diagnostics) {
    assert.ok(d.message.startsWith(`${rangeText(text, d.relatedInformation[0].location.range)} → ${d.code} → ${rangeText(text, d.relatedInformation[1].location.range)}`), 'ranges match the edited text');
  }
  // Inserting a line at the top shifts everything; tokens must follow immediately (from the kept annotations).
  client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# Notes\n\n' }]);
  text = '# Notes\n\n' + text;
  const shifted = client.decode((await client.semanticTokens(uri)).data);
  const annie = shifted.find((t) => tokenText(text, t) === 'Annie Oakley');
  assert.ok(annie, 'Annie Oakley token moved with the edit');
  await client.waitForDiagnostics(uri);
});

test('export writes JSON, JSONL, CSV, N-Triples and brat atomically and returns the paths', async () => {
  const outDir = path.join(tmp, 'export');
  const result = await client.request('workspace/executeCommand', { command: 'erlens.exportTriples', arguments: [{ scope: 'document', uri, directory: outDir }] });
  assert.ok(result.files.length >= 6, JSON.stringify(result));
  assert.equal(result.documents, 1);
  assert.ok(result.relations >= 10);
  for (const f of result.files) assert.ok(fs.existsSync(f) && path.dirname(f).startsWith(outDir), f);
  const byExt = (ext) => result.files.filter((f) => f.endsWith(ext));
  const json = JSON.parse(fs.readFileSync(byExt('.json')[0], 'utf8'));
  assert.ok(JSON.stringify(json).includes('Annie Oakley'));
  const jsonl = fs.readFileSync(byExt('.jsonl')[0], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(jsonl.length, result.relations);
  const csv = fs.readFileSync(byExt('.csv')[0], 'utf8').trim().split(/\r?\n/);
  assert.equal(csv.length, result.relations + 1, 'header + one row per relation');
  const nt = fs.readFileSync(byExt('.nt')[0], 'utf8').trim().split('\n');
  assert.ok(nt.length >= result.relations && nt.every((l) => /^(<[^>]+>|_:\S+) <[^>]+> (<[^>]+>|_:\S+|".*"(\^\^<[^>]+>|@[a-z-]+)?) \.$/.test(l)), nt[0]);
  const ann = fs.readFileSync(byExt('.ann')[0], 'utf8');
  assert.match(ann, /^T\d+\t(Peop|Loc|Org|Other) \d+ \d+\t/m);
  assert.match(ann, /^R\d+\t\w+ Arg1:T\d+ Arg2:T\d+/m);
  assert.equal(fs.readFileSync(byExt('.txt')[0], 'utf8'), text, 'brat .txt is the editor text (unsaved edits included)');
  assert.deepEqual(fs.readdirSync(outDir).filter((f) => /\.tmp|~$/.test(f)), [], 'no temp files left');
});

test('export of the whole workspace covers Markdown and text files, skipping dependency folders', async () => {
  fs.writeFileSync(path.join(tmp, 'second.txt'), corpus.sentences[2].text + '\n');
  fs.mkdirSync(path.join(tmp, 'node_modules', 'x'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'node_modules', 'x', 'README.md'), corpus.sentences[3].text);
  const outDir = path.join(tmp, 'ws-export');
  client.progress.length = 0;
  const result = await client.request('workspace/executeCommand', { command: 'erlens.exportTriples', arguments: [{ scope: 'workspace', formats: ['jsonl', 'brat'], directory: outDir }] });
  assert.equal(result.documents, 2, JSON.stringify(result));
  const names = result.files.map((f) => path.basename(f)).sort();
  assert.deepEqual(names, ['annotation.conf', 'erlens-triples.jsonl', 'note.ann', 'note.txt', 'second.ann', 'second.txt']);
  const kinds = client.progress.map((p) => p.value.kind);
  assert.deepEqual([kinds[0], kinds.at(-1)], ['begin', 'end'], 'work done progress while exporting');
  assert.ok(client.progress.some((p) => p.value.kind === 'report' && /second\.txt/.test(p.value.message)));
  // The open note is exported as the editor holds it, not as saved on disk.
  assert.equal(fs.readFileSync(path.join(outDir, 'note.txt'), 'utf8'), text);
});

test('document text never reaches the log unless erlens.trace.server is verbose', () => {
  const logged = client.logs.map((l) => l.message).join('\n');
  assert.ok(client.logs.length > 0);
  for (const s of corpus.sentences) assert.ok(!logged.includes(s.text.slice(0, 40)), 'a sentence was logged');
  assert.ok(!logged.includes('Annie Oakley'));
});

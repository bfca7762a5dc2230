// Assertion status through the real language server over stdio, with the shipped clinical package (the
// clinical one among package.json's default erlens.models): the hover says "negated: 'denies'", semantic
// tokens carry the status modifier, and erlens.assertions.show hides negated and hypothetical relations
// (affirmed, the default), fades them (all: Hint + Unnecessary, the lens says so) or keeps only present
// ones (present). The note reads as clinical, so the router gives it the clinical model.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLINICAL_NOTE, CLINICAL_PROBES, LspTestClient, defaultClinicalModel, fileUri, offsetAt, waitFor } from './lspClient.mjs';

const clinical = await defaultClinicalModel();
const skip = clinical ? false : 'no clinical package among the default models is installed';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-assert-'));
const uri = fileUri(path.join(tmp, 'visit.md'));
const HINT = 4;
const UNNECESSARY = 1;
let client;
let found; // probes the model marked: [{ probe, entity range }]

const inProbe = (probe, range) => offsetAt(CLINICAL_NOTE, range.start) >= probe.start && offsetAt(CLINICAL_NOTE, range.end) <= probe.end;

/** Applies new `assertions.show` and waits for the diagnostics the server republishes. */
async function show(value) {
  client.settings = { ...client.settings, assertions: { show: value } };
  const seen = client.diagnosticEvents.length;
  await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  return waitFor(() => client.diagnosticEvents.slice(seen).find((e) => e.uri === uri), 30_000, `diagnostics with assertions.show=${value}`);
}

before(async () => {
  if (skip) return;
  client = new LspTestClient({ models: [clinical], executionProvider: 'cpu', debounceMs: 20, codeLens: { maxPerSentence: 10 } }, { workspaceFolders: [tmp] });
  await client.start();
  await client.open(uri, CLINICAL_NOTE);
  await client.waitForDiagnostics(uri);
  const tokens = client.decode((await client.semanticTokens(uri)).data);
  found = CLINICAL_PROBES.map((probe) => {
    const t = tokens.find((x) => inProbe(probe, { start: { line: x.line, character: x.char }, end: { line: x.line, character: x.char + x.length } }));
    return t && { probe, token: t };
  }).filter(Boolean);
});

after(async () => {
  await client?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the clinical model marks most probe mentions (else the tests below would prove nothing)', { skip }, () => {
  assert.ok(found.length >= 4, `${found.length} of ${CLINICAL_PROBES.length} probes found: ${found.map((f) => f.probe.text).join(', ')}`);
  assert.ok(found.some((f) => f.probe.status === 'negated'), 'a negated probe is among them');
});

test('hover says the status and the trigger; semantic tokens carry the status modifier', { skip }, async () => {
  const legend = client.legend.tokenModifiers;
  for (const { probe, token } of found) {
    const hover = await client.hover(uri, token.line, token.char + 1);
    assert.ok(hover, probe.text);
    const value = hover.contents.value;
    const first = value.split('\n')[0];
    if (probe.trigger) assert.ok(first.includes(`${probe.status}: '${probe.trigger}'`), `${probe.text}: expected "${probe.status}: '${probe.trigger}'" in ${first}`);
    else assert.doesNotMatch(first, /negated|possible|hypothetical|historical|family/, `${probe.text} is present: ${first}`);
    const bit = 1 << legend.indexOf(`erlens${probe.status[0].toUpperCase()}${probe.status.slice(1)}`);
    assert.ok(bit > 0 && (token.modifiers & bit) !== 0, `${probe.text}: modifier for ${probe.status} (mods ${token.modifiers})`);
  }
  const chest = found.find((f) => f.probe.text === 'chest pain');
  if (chest) assert.match((await client.hover(uri, chest.token.line, chest.token.char)).contents.value, /negated: 'denies'/);
});

test('erlens.assertions.show: affirmed hides, all fades, present keeps only present relations', { skip }, async () => {
  const negatedOrHypothetical = found.filter((f) => ['negated', 'hypothetical'].includes(f.probe.status)).map((f) => f.probe);
  const onProbe = (diagnostics, probes) => diagnostics.filter((d) => probes.some((p) => d.relatedInformation?.some((ri) => inProbe(p, ri.location.range))));

  const all = (await show('all')).diagnostics;
  const faded = onProbe(all, negatedOrHypothetical);
  for (const d of faded) {
    assert.equal(d.severity, HINT, d.message);
    assert.deepEqual(d.tags, [UNNECESSARY], d.message);
    assert.match(d.message, /(negated|hypothetical): '/);
  }
  for (const d of all.filter((x) => !faded.includes(x))) assert.equal(d.tags, undefined, `${d.message}: an affirmed relation is not faded`);
  const lenses = (await client.codeLens(uri)).map((l) => l.command.title);
  for (const d of faded) assert.ok(lenses.some((t) => t.endsWith(`· ${d.data.assertion}`)), `a lens marks ${d.message}: ${lenses.join(' | ')}`);

  const affirmed = (await show('affirmed')).diagnostics;
  assert.deepEqual(onProbe(affirmed, negatedOrHypothetical), [], 'negated and hypothetical relations are hidden');
  assert.equal(affirmed.length, all.filter((d) => ['present', 'historical', 'possible'].includes(d.data.assertion)).length);
  assert.ok(!(await client.codeLens(uri)).some((l) => / · (negated|hypothetical|family)$/.test(l.command.title)));

  const present = (await show('present')).diagnostics;
  assert.ok(present.every((d) => d.data.assertion === 'present'));
  assert.equal(present.length, all.filter((d) => d.data.assertion === 'present').length);
  assert.ok(faded.length > 0 || negatedOrHypothetical.length === 0 || all.length === 0, 'with a negated finding and relations found, one relation is faded');
});

test('the export command writes the status of every entity and relation', { skip }, async () => {
  const outDir = path.join(tmp, 'export');
  const result = await client.request('workspace/executeCommand', { command: 'erlens.exportTriples', arguments: [{ scope: 'document', uri, formats: ['json', 'brat'], directory: outDir }] });
  assert.ok(result.files.some((f) => f.endsWith('annotation.conf')), result.files.join(', '));
  const doc = JSON.parse(fs.readFileSync(path.join(outDir, 'visit.json'), 'utf8')).documents[0];
  for (const x of [...doc.entities, ...doc.relations]) assert.ok(['present', 'negated', 'possible', 'hypothetical', 'historical', 'family'].includes(x.assertion), JSON.stringify(x));
  for (const { probe } of found) {
    const e = doc.entities.find((x) => x.start >= probe.start && x.end <= probe.end);
    assert.equal(e.assertion, probe.status, probe.text);
    if (probe.trigger) assert.equal(e.assertionTrigger.text, probe.trigger);
  }
  const ann = fs.readFileSync(path.join(outDir, 'visit.ann'), 'utf8');
  if (found.some((f) => f.probe.status === 'negated')) assert.match(ann, /^A\d+\tNegated T\d+$/m);
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../testing/fixtures';
import type { Assertion, DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { BRAT_CONFIG_MARKER } from './bratConfig';
import { writeFileAtomic } from './atomicWrite';
import { CodePointIndex } from './codePoints';
import { csvField, ExportDocument, ntLiteral, toBrat, toCsv, toJson, toJsonl, toNTriples, writeExport } from './formats';

// Emoji before the entities shift code points against UTF-16; the drug name holds a comma and quotes;
// one effect crosses a line break.
const TEXT = '😀 Patient took "Aspirin, 81mg" daily.\r\nShe got a bad\nrash 👍🏽 later.';

function fixtureDoc(): ExportDocument {
  const ent = (id: string, type: string, str: string, nth = 0): EntityAnnotation => {
    let start = -1;
    for (let k = 0; k <= nth; k++) start = TEXT.indexOf(str, start + 1);
    return { id, type, start, end: start + str.length, text: str, score: 0.9123456789, model: 'm1', sentence: 0, assertion: { status: 'present' } };
  };
  const drug = ent('T1', 'Drug', '"Aspirin, 81mg"');
  const effect = ent('T2', 'Adverse Effect', 'bad\nrash');
  const rel: RelationAnnotation = { id: 'R1', type: 'Adverse-Effect', head: effect, tail: drug, score: 0.75, model: 'm1', sentence: 1, symmetric: false, assertion: { status: 'present' } };
  const annotations: DocumentAnnotations = {
    uri: 'file:///notes/a note.md', version: 1, sentences: [], entities: [drug, effect], relations: [rel],
    stats: { sentences: 2, inferred: 2, cacheHits: 0, models: ['m1'] },
  };
  return { annotations, text: TEXT, path: '/notes/a note.md' };
}

test('code point index counts astral characters once', () => {
  const cp = new CodePointIndex('a😀b👍🏽c');
  assert.deepEqual([0, 1, 3, 4, 6, 8, 9].map((o) => cp.toCodePoint(o)), [0, 1, 2, 3, 4, 5, 6]);
});

test('JSON: UTF-16 and code point offsets, head/tail indices and ids', () => {
  const out = JSON.parse(toJson([fixtureDoc()]));
  const d = out.documents[0];
  assert.equal(d.uri, 'file:///notes/a note.md');
  assert.match(d.sha256, /^[0-9a-f]{64}$/);
  const [drug, effect] = d.entities;
  assert.equal(TEXT.slice(drug.start, drug.end), drug.text);
  assert.equal(Array.from(TEXT).slice(drug.startCodePoint, drug.endCodePoint).join(''), drug.text);
  assert.equal(drug.start - drug.startCodePoint, 1, 'one emoji before it');
  assert.equal(Array.from(TEXT).slice(effect.startCodePoint, effect.endCodePoint).join(''), effect.text);
  assert.deepEqual([d.relations[0].head, d.relations[0].tail, d.relations[0].headId, d.relations[0].tailId], [1, 0, 'T2', 'T1']);
  assert.equal(drug.score, 0.912346);
});

test('JSONL: one triple per line with both offset kinds, source and sentence', () => {
  const lines = toJsonl([fixtureDoc(), fixtureDoc()]).trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const t = JSON.parse(lines[0]);
  assert.equal(t.relation, 'Adverse-Effect');
  assert.equal(t.subject.text, 'bad\nrash');
  assert.equal(t.object.startCodePoint, t.object.start - 1);
  assert.equal(t.source, 'file:///notes/a note.md');
  assert.equal(t.sentence, 1);
});

/** A strict RFC 4180 reader, to prove the writer's output parses back to the same fields. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"' && field === '') (quoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), i++;
    else if (c === '\r' && s[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else (field += c), i++;
  }
  return rows;
}

test('CSV: fixed columns, RFC 4180 quoting round-trips commas, quotes and line breaks', () => {
  const csv = toCsv([fixtureDoc()]);
  assert.ok(csv.endsWith('\r\n'));
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], ['subject', 'predicate', 'object', 'subject_type', 'object_type', 'subject_start', 'subject_end', 'object_start', 'object_end', 'confidence', 'source_uri', 'sentence_index', 'assertion', 'assertion_trigger']);
  assert.deepEqual(rows[1].slice(12), ['present', '']);
  const r = rows[1];
  assert.equal(r[0], 'bad\nrash');
  assert.equal(r[2], '"Aspirin, 81mg"');
  assert.equal(r[3], 'Adverse Effect');
  assert.equal(TEXT.slice(Number(r[7]), Number(r[8])), r[2]);
  assert.equal(r[9], '0.75');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a"b'), '"a""b"');
});

test('N-Triples: valid lines, escaped literals, urn:erlens IRIs', () => {
  const nt = toNTriples([fixtureDoc()]);
  const line = /^<[^<>"{}|^`\\\s]+> <[^<>"{}|^`\\\s]+> (?:<[^<>"{}|^`\\\s]+>|"(?:[^"\\\n\r]|\\[tbnrf"'\\]|\\u[0-9A-F]{4})*"(?:\^\^<[^<>\s]+>)?) \.$/;
  for (const l of nt.trimEnd().split('\n')) assert.match(l, line);
  assert.ok(nt.includes('<urn:erlens:relation:Adverse-Effect>'));
  assert.ok(nt.includes('<urn:erlens:type:Adverse%20Effect>'));
  assert.ok(nt.includes('"bad\\nrash"'));
  assert.ok(nt.includes('"\\"Aspirin, 81mg\\""'));
  assert.equal(ntLiteral('a\u0001\\'), '"a\\u0001\\\\"');
});

test('brat: code point offsets into the .txt, fragments across line breaks, relations', () => {
  const { ann, txt } = toBrat(fixtureDoc());
  assert.equal(txt, TEXT);
  const cps = Array.from(txt);
  const tLines = ann.split('\n').filter((l) => l.startsWith('T'));
  for (const l of tLines) {
    const [, typeAndSpans, shown] = l.split('\t');
    const spans = typeAndSpans.split(' ').slice(1).join(' ').split(';').map((s) => s.split(' ').map(Number));
    assert.equal(spans.map(([a, b]) => cps.slice(a, b).join('')).join(' '), shown);
  }
  assert.match(ann, /^T2\tAdverse_Effect \d+ \d+;\d+ \d+\tbad rash$/m);
  assert.match(ann, /^R1\tAdverse-Effect Arg1:T2 Arg2:T1$/m);
  assert.match(ann, /AnnotatorNotes T1\tscore=0\.912346 model=m1/);
});

test('writeExport writes atomically; brat writes .txt and .ann pairs with unique names', async () => {
  const dir = tempDir();
  const files = await writeExport([fixtureDoc(), fixtureDoc()], 'brat', dir);
  assert.deepEqual(files.map((f) => path.basename(f)), ['a_note.txt', 'a_note.ann', 'a_note-2.txt', 'a_note-2.ann', 'annotation.conf']);
  assert.equal(fs.readFileSync(files[0], 'utf8'), TEXT);
  const out = path.join(dir, 'x.csv');
  fs.writeFileSync(out, 'old');
  await writeExport([fixtureDoc()], 'csv', out);
  assert.ok(fs.readFileSync(out, 'utf8').startsWith('subject,'));
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  // a failed write leaves the target as it was and no temp file
  await assert.rejects(writeFileAtomic(path.join(dir, 'no', 'such', '\u0000bad'), 'x'));
  assert.equal(fs.readFileSync(out, 'utf8').startsWith('subject,'), true);
});

/** The fixture with the effect negated by a trigger and the drug historical from a section. */
function assertedDoc(): ExportDocument {
  const doc = fixtureDoc();
  const at = TEXT.indexOf('daily');
  const negated: Assertion = { status: 'negated', trigger: { text: 'daily', start: at, end: at + 5 } };
  const [drug, effect] = doc.annotations.entities;
  drug.assertion = { status: 'historical', section: 'Past Medical History' };
  effect.assertion = negated;
  doc.annotations.relations[0].assertion = negated;
  return doc;
}

test('assertion status in JSON, JSONL and CSV: the status on every entity and relation, and what set it', () => {
  const d = JSON.parse(toJson([assertedDoc()])).documents[0];
  const at = TEXT.indexOf('daily');
  assert.deepEqual([d.entities[0].assertion, d.entities[0].assertionSection, d.entities[0].assertionTrigger], ['historical', 'Past Medical History', undefined]);
  assert.equal(d.entities[1].assertion, 'negated');
  assert.deepEqual(d.relations[0].assertionTrigger, { text: 'daily', start: at, end: at + 5, startCodePoint: at - 1, endCodePoint: at + 4 });
  assert.equal(JSON.parse(toJson([fixtureDoc()])).documents[0].entities[0].assertion, 'present', 'present too is written');
  const t = JSON.parse(toJsonl([assertedDoc()]).trim());
  assert.deepEqual([t.assertion, t.assertionTrigger.text, t.subject.assertion, t.object.assertion], ['negated', 'daily', 'negated', 'historical']);
  const row = parseCsv(toCsv([assertedDoc()]))[1];
  assert.deepEqual(row.slice(12), ['negated', 'daily']);
});

test('assertion status in RDF: a property on entities and statements; a negated relation is not asserted as a triple', () => {
  const asserted = toNTriples([fixtureDoc()]);
  const negated = toNTriples([assertedDoc()]);
  const plain = (nt: string) => nt.split('\n').filter((l) => l.includes('<urn:erlens:relation:Adverse-Effect>') && !l.includes('rdf-syntax-ns#predicate'));
  assert.equal(plain(asserted).length, 1, 'a present relation: the plain triple');
  assert.equal(plain(negated).length, 0, 'a negated relation: only its reified statement');
  assert.match(negated, /<urn:erlens:doc:[0-9a-f]+:relation:R1> <http:\/\/www\.w3\.org\/1999\/02\/22-rdf-syntax-ns#predicate> <urn:erlens:relation:Adverse-Effect> \./);
  assert.match(negated, /<urn:erlens:doc:[0-9a-f]+:relation:R1> <urn:erlens:property:assertion> "negated" \./);
  assert.match(negated, /<urn:erlens:property:assertionTrigger> "daily" \./);
  assert.match(negated, /:entity:[^>]+:Drug> <urn:erlens:property:assertion> "historical" \./);
  assert.match(negated, /<urn:erlens:property:assertionSection> "Past Medical History" \./);
});

/** What brat checks when it opens a document: every type and attribute the .ann uses is declared, with fitting arguments. */
function checkAgainstConfig(conf: string, ann: string): void {
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of conf.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const h = /^\[(\w+)\]$/.exec(line);
    if (h) {
      current = h[1];
      sections.set(current, []);
    } else sections.get(current)!.push(line);
  }
  assert.deepEqual([...sections.keys()], ['entities', 'relations', 'events', 'attributes'], 'brat expects these four sections');
  const entityTypes = new Set(sections.get('entities'));
  const relations = new Map(sections.get('relations')!.map((l) => {
    const m = /^(\S+) Arg1:(\S+), Arg2:(\S+)$/.exec(l)!;
    assert.ok(m, l);
    for (const t of [...m[2].split('|'), ...m[3].split('|')]) assert.ok(entityTypes.has(t), `relation argument type ${t} is an entity type`);
    return [m[1], [m[2].split('|'), m[3].split('|')]] as const;
  }));
  const attributes = new Map(sections.get('attributes')!.map((l) => l.split(/\s+/) as [string, string]));
  const typeOf = new Map<string, string>();
  for (const line of ann.split('\n').filter(Boolean)) {
    const [id, body] = line.split('\t');
    if (id.startsWith('T')) {
      const type = body.split(' ')[0];
      assert.ok(entityTypes.has(type), `entity type ${type} declared`);
      typeOf.set(id, type);
    } else if (id.startsWith('R')) {
      const [type, a1, a2] = body.split(' ');
      const args = relations.get(type);
      assert.ok(args, `relation type ${type} declared`);
      assert.ok(args[0].includes(typeOf.get(a1.slice(5))!) && args[1].includes(typeOf.get(a2.slice(5))!), line);
    } else if (id.startsWith('A')) {
      const [name, target] = body.split(' ');
      assert.equal(attributes.get(name), 'Arg:<ENTITY>', `attribute ${name} declared for entities`);
      assert.ok(typeOf.has(target), `${name} on a known entity`);
    } else assert.ok(id.startsWith('#'), line);
  }
}

test('brat: an attribute per non-present entity status, the relation status in its note, and an annotation.conf brat loads', async () => {
  const { ann } = toBrat(assertedDoc());
  assert.match(ann, /^A1\tHistorical T1$/m);
  assert.match(ann, /^A2\tNegated T2$/m);
  assert.match(ann, /AnnotatorNotes R1\tscore=0\.75 model=m1 assertion=negated/);
  assert.doesNotMatch(toBrat(fixtureDoc()).ann, /^A/m, 'present mentions carry no attribute');

  const dir = tempDir();
  await writeExport([assertedDoc()], 'brat', dir);
  const conf = fs.readFileSync(path.join(dir, 'annotation.conf'), 'utf8');
  assert.ok(conf.startsWith(BRAT_CONFIG_MARKER));
  checkAgainstConfig(conf, fs.readFileSync(path.join(dir, 'a_note.ann'), 'utf8'));
  assert.match(conf, /^Adverse-Effect Arg1:Adverse_Effect, Arg2:Drug$/m);

  // A second export into the folder keeps the types of the first.
  const other = fixtureDoc();
  other.annotations.entities[0].type = 'Medication';
  other.path = '/notes/b.md';
  await writeExport([other], 'brat', dir);
  const merged = fs.readFileSync(path.join(dir, 'annotation.conf'), 'utf8');
  assert.match(merged, /^Drug$/m);
  assert.match(merged, /^Medication$/m);
  assert.match(merged, /^Adverse-Effect Arg1:Adverse_Effect, Arg2:Drug\|Medication$/m);
  checkAgainstConfig(merged, fs.readFileSync(path.join(dir, 'a_note.ann'), 'utf8'));
  checkAgainstConfig(merged, fs.readFileSync(path.join(dir, 'b.ann'), 'utf8'));

  // Someone else's annotation.conf is theirs: kept as it is.
  const mine = tempDir();
  fs.writeFileSync(path.join(mine, 'annotation.conf'), '[entities]\nProtein\n');
  const files = await writeExport([assertedDoc()], 'brat', mine);
  assert.ok(!files.some((f) => f.endsWith('annotation.conf')));
  assert.equal(fs.readFileSync(path.join(mine, 'annotation.conf'), 'utf8'), '[entities]\nProtein\n');
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { INDEX_SCHEMA_VERSION, MAX_ROWS_PER_DOCUMENT, TripleIndex } from './tripleIndex';

/** Annotations of `text` with the named spans (found by their first occurrence) and relations between them. */
function annotate(uri: string, text: string, spans: [string, string][], relations: [number, string, number][]): DocumentAnnotations {
  const entities: EntityAnnotation[] = spans.map(([surface, type], i) => {
    const start = text.indexOf(surface);
    assert.ok(start >= 0, surface);
    return { id: `T${i + 1}`, type, start, end: start + surface.length, text: surface, score: 0.9, model: 'm', sentence: 0, assertion: { status: 'present' } };
  });
  const rels: RelationAnnotation[] = relations.map(([h, type, t], i) => ({
    id: `R${i + 1}`, type, head: entities[h], tail: entities[t], score: 0.8, model: 'm', sentence: 0, symmetric: false, assertion: { status: 'present' },
  }));
  return {
    uri, version: 1, sentences: [{ index: 0, start: 0, end: text.length, tokens: [] } as never], entities, relations: rels,
    stats: { sentences: 1, inferred: 1, cacheHits: 0, models: ['m'] },
  };
}

const NOTE_A = '# Note\n\nLactic acidosis after Metformin was noted.';
const NOTE_B = 'Nausea from metformin.\nRash from  amoxicillin.';

async function filled(file?: string) {
  const { index } = await TripleIndex.open(file);
  index.put(NOTE_A, annotate('file:///ws/a.md', NOTE_A, [['Lactic acidosis', 'Adverse-Effect'], ['Metformin', 'Drug']], [[0, 'Adverse-Effect', 1]]), 'h1', 'm@1');
  index.put(NOTE_B, annotate('file:///ws/b.md', NOTE_B, [['Nausea', 'Adverse-Effect'], ['metformin', 'Drug'], ['Rash', 'Adverse-Effect'], ['amoxicillin', 'Drug']], [[0, 'Adverse-Effect', 1], [2, 'Adverse-Effect', 3]]), 'h2', 'm@1');
  return index;
}

test('workspace index: an entity text finds its relations in every document, case-insensitively, with positions', async () => {
  const index = await filled();
  const answer = index.query({ text: 'METFORMIN' });
  assert.equal(answer.total, 2);
  assert.equal(answer.documents, 2);
  assert.deepEqual(answer.relations.map((r) => [r.uri, r.head.text, r.type, r.tail.text, r.role]), [
    ['file:///ws/a.md', 'Lactic acidosis', 'Adverse-Effect', 'Metformin', 'tail'],
    ['file:///ws/b.md', 'Nausea', 'Adverse-Effect', 'metformin', 'tail'],
  ]);
  // Line and character as LSP positions (UTF-16), offsets into the indexed text.
  const a = answer.relations[0];
  assert.deepEqual([a.tail.line, a.tail.character, a.tail.endLine, a.tail.endCharacter], [2, 22, 2, 31]);
  assert.equal(NOTE_A.slice(a.tail.start, a.tail.end), 'Metformin');
  assert.equal(answer.relations[1].sentence, 'Nausea from metformin. Rash from amoxicillin.');
  // Filters: role, relation type, limit (total still counts every match).
  assert.equal(index.query({ text: 'metformin', role: 'head' }).total, 0);
  assert.equal(index.query({ text: 'metformin', relation: 'Interacts' }).total, 0);
  const limited = index.query({ text: 'metformin', limit: 1 });
  assert.deepEqual([limited.total, limited.relations.length], [2, 1]);
  assert.equal(index.query({ text: 'rash' }).relations[0].role, 'head');
  index.close();
});

test('workspace index: putting a document again replaces its rows; removing forgets it; isCurrent knows content and models', async () => {
  const index = await filled();
  assert.ok(index.isCurrent('file:///ws/b.md', 'h2', 'm@1'));
  assert.ok(!index.isCurrent('file:///ws/b.md', 'h3', 'm@1'), 'changed content');
  assert.ok(!index.isCurrent('file:///ws/b.md', 'h2', 'm@2'), 'other models');
  const edited = 'Nausea from aspirin.';
  index.put(edited, annotate('file:///ws/b.md', edited, [['Nausea', 'Adverse-Effect'], ['aspirin', 'Drug']], [[0, 'Adverse-Effect', 1]]), 'h3', 'm@1');
  assert.equal(index.query({ text: 'metformin' }).total, 1);
  assert.equal(index.query({ text: 'aspirin' }).total, 1);
  assert.equal(index.query({ text: 'amoxicillin' }).total, 0);
  assert.ok(index.remove('file:///ws/a.md'));
  assert.ok(!index.remove('file:///ws/a.md'));
  assert.deepEqual([index.query({ text: 'metformin' }).total, index.documentCount()], [0, 1]);
  assert.deepEqual(index.uris(), ['file:///ws/b.md']);
  index.close();
});

test('workspace index: entity texts by prefix, most mentioned first; LIKE wildcards in the prefix are literal', async () => {
  const index = await filled();
  assert.deepEqual(index.entityTexts('met'), [{ text: 'Metformin', type: 'Drug', mentions: 2 }]);
  assert.equal(index.entityTexts('%').length, 0);
  assert.equal(index.entityTexts('').length, 5);
  index.close();
});

test('workspace index: saved as a SQLite file that a new session reads back; a corrupt or foreign file is set aside and rebuilt', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-index-'));
  try {
    const file = path.join(dir, '.erlens', 'index.sqlite');
    const index = await filled(file);
    assert.equal(await index.save(), true);
    assert.equal(await index.save(), false, 'nothing changed since');
    index.close();
    assert.equal(fs.readFileSync(file).subarray(0, 15).toString(), 'SQLite format 3');
    const reopened = await TripleIndex.open(file);
    assert.equal(reopened.rebuilt, undefined);
    assert.equal(reopened.index.query({ text: 'metformin' }).total, 2);
    reopened.index.close();

    fs.writeFileSync(file, 'this is not a database, just text someone saved here');
    const corrupt = await TripleIndex.open(file);
    assert.match(corrupt.rebuilt ?? '', /rebuilding the index/);
    assert.equal(corrupt.index.documentCount(), 0);
    assert.ok(fs.existsSync(`${file}.corrupt`), 'the unreadable file is kept beside, not deleted');
    corrupt.index.put(NOTE_B, annotate('file:///ws/b.md', NOTE_B, [['Nausea', 'Adverse-Effect'], ['metformin', 'Drug']], [[0, 'Adverse-Effect', 1]]), 'h', 'm');
    await corrupt.index.save();
    corrupt.index.close();
    const again = await TripleIndex.open(file);
    assert.equal(again.rebuilt, undefined);
    assert.equal(again.index.query({ text: 'metformin' }).total, 1);
    again.index.close();

    // An index another version of ERlens wrote (its schema differs) is rebuilt, not misread.
    const initSqlJs = require('sql.js');
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(file));
    db.run("UPDATE meta SET value = ? WHERE key = 'schema'", [String(INDEX_SCHEMA_VERSION + 1)]);
    fs.writeFileSync(file, db.export());
    db.close();
    const foreign = await TripleIndex.open(file);
    assert.match(foreign.rebuilt ?? '', /schema version/);
    foreign.index.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('workspace index: a pathological document adds at most MAX_ROWS_PER_DOCUMENT and says it was cut', async () => {
  const { index } = await TripleIndex.open(undefined);
  const n = MAX_ROWS_PER_DOCUMENT.relations + 10;
  const text = Array.from({ length: n }, (_, i) => `Rash${i} from metformin.`).join(' ');
  const spans: [string, string][] = [['metformin', 'Drug'], ...Array.from({ length: n }, (_, i): [string, string] => [`Rash${i} `, 'Adverse-Effect'])];
  const relations = Array.from({ length: n }, (_, i): [number, string, number] => [i + 1, 'Adverse-Effect', 0]);
  assert.deepEqual(index.put(text, annotate('file:///ws/big.md', text, spans, relations), 'h', 'm@1'), { cut: true });
  assert.equal(index.query({ text: 'metformin' }).total, MAX_ROWS_PER_DOCUMENT.relations);
  assert.deepEqual(index.put(NOTE_A, annotate('file:///ws/a.md', NOTE_A, [['Lactic acidosis', 'Adverse-Effect'], ['Metformin', 'Drug']], [[0, 'Adverse-Effect', 1]]), 'h1', 'm@1'), { cut: false });
  assert.equal(index.query({ text: 'metformin' }).total, MAX_ROWS_PER_DOCUMENT.relations + 1);
  index.close();
});

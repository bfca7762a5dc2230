import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../testing/fixtures';
import { formatAnn, lineUnits, parseAnn, readBratDir, writeBrat } from './brat';
import type { GoldDocument } from './charGold';
import { DataError } from './jsonl';

test('T and R lines; discontinuous spans cover their fragments; other lines are ignored', () => {
  const text = 'Aspirin caused a skin rash.\n';
  const ann = [
    'R1\tAdverse-Effect Arg1:T2 Arg2:T1', // before the entities it names
    'T1\tDrug 0 7\tAspirin',
    'T2\tAdverse-Effect 17 21;22 26\tskin rash',
    'A1\tNegated T1',
    '#1\tAnnotatorNotes T1\tscore=0.9',
    'E1\tCause:T1',
    '',
  ].join('\n');
  const { entities, relations } = parseAnn(ann, text, 'x.ann');
  assert.deepEqual(entities, [{ start: 0, end: 7, type: 'Drug' }, { start: 17, end: 26, type: 'Adverse-Effect' }]);
  assert.deepEqual(relations, [{ head: 1, tail: 0, type: 'Adverse-Effect' }]);
});

test('brat code points become UTF-16 offsets and back', () => {
  const text = '😀 Paris is nice.\n';
  const { entities } = parseAnn('T1\tLoc 2 7\tParis\n', text, 'x.ann');
  assert.deepEqual(entities, [{ start: 3, end: 8, type: 'Loc' }]);
  assert.equal(text.slice(3, 8), 'Paris');
  const doc: GoldDocument = { name: 'e', source: 'e.txt', text, language: 'plaintext', units: lineUnits(text, 'e'), entities, relations: [] };
  assert.equal(formatAnn(doc), 'T1\tLoc 2 7\tParis\n');
});

test('bad .ann lines are data errors that name the file and line', () => {
  const text = 'Short text.\n';
  const cases: Array<[string, RegExp]> = [
    ['T1\tLoc 0 500\tShort', /x\.ann:1: T1 ends at 500, past the end of t\.txt \(12 characters\)/],
    ['T1\tLoc 0 5\tShirt', /x\.ann:1: T1 says "Shirt" but t\.txt has "Short"/],
    ['T1\tLoc five 5\tShort', /x\.ann:1: not a brat text-bound line/],
    ['T1\tLoc 5 5\t', /empty or reversed span/],
    ['T1\tLoc 0 5\tShort\nR1\tRel Arg1:T1 Arg2:T9', /x\.ann:2: R1 points at 'T9'/],
    ['T1\tLoc 0 5\tShort\nT1\tLoc 0 5\tShort', /x\.ann:2: T1 is defined twice/],
  ];
  for (const [ann, re] of cases) assert.throws(() => parseAnn(ann, text, 'x.ann', 't.txt'), (e: unknown) => e instanceof DataError && re.test((e as Error).message), ann);
});

test('units are the non-blank lines', () => {
  const text = 'One.\n\n  \nTwo.\r\nThree.';
  assert.deepEqual(lineUnits(text, 'd').map((u) => [u.id, text.slice(u.start, u.end)]), [['d:1', 'One.'], ['d:4', 'Two.'], ['d:5', 'Three.']]);
});

test('write then read gives the same document; .md is read as Markdown', async () => {
  const dir = tempDir('erlens-brat-');
  const text = 'John works for IBM.\nMary\nlives in Paris.\n';
  const doc: GoldDocument = {
    name: 'g',
    source: path.join(dir, 'g.txt'),
    text,
    language: 'plaintext',
    units: lineUnits(text, 'g'),
    // one entity crosses a line break: written as two fragments, read back as the covering span
    entities: [{ start: 0, end: 4, type: 'Peop' }, { start: 15, end: 18, type: 'Org' }, { start: 20, end: 33, type: 'Other' }],
    relations: [{ head: 0, tail: 1, type: 'Work_For' }],
  };
  const files = await writeBrat(doc, dir);
  assert.deepEqual(files.map((f) => path.basename(f)), ['g.txt', 'g.ann']);
  assert.match(fs.readFileSync(files[1], 'utf8'), /T3\tOther 20 24;25 33\tMary lives in/);
  fs.writeFileSync(path.join(dir, 'h.md'), '# Notes\n\nAspirin.\n');
  fs.writeFileSync(path.join(dir, 'h.ann'), 'T1\tDrug 9 16\tAspirin\n');
  const [g, h] = readBratDir(dir);
  assert.deepEqual(g, doc);
  assert.equal(h.language, 'markdown');
  assert.deepEqual(h.entities, [{ start: 9, end: 16, type: 'Drug' }]);

  fs.writeFileSync(path.join(dir, 'orphan.ann'), '');
  assert.throws(() => readBratDir(dir), /orphan\.ann has no text file beside it/);
  assert.throws(() => readBratDir(path.join(dir, 'missing')), /brat folder not found/);
  assert.throws(() => readBratDir(tempDir('erlens-brat-empty-')), /holds no \.ann files/);
});

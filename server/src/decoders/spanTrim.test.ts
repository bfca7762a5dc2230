import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRoot } from '../paths';
import { trimSpans } from './spanTrim';

type Ent = [number, number, string, number];
type Rel = [number, number, string, number];
const fixture = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'spec', 'fixtures', 'span-trim.json'), 'utf8'));

test('span trimming reproduces every case of spec/fixtures/span-trim.json (the Python twin reads the same file)', () => {
  for (const c of fixture.cases as Array<{ words: string[]; entities: Ent[]; relations: Rel[]; expect_entities: Ent[]; expect_relations: Rel[] }>) {
    const result = {
      entities: c.entities.map(([start, end, type, score]) => ({ start, end, type, score })),
      relations: c.relations.map(([head, tail, type, score]) => ({ head, tail, type, score })),
    };
    const out = trimSpans(result, c.words, fixture.trim);
    assert.deepEqual(out.entities.map((e) => [e.start, e.end, e.type, e.score]), c.expect_entities, c.words.join(' '));
    assert.deepEqual(out.relations.map((r) => [r.head, r.tail, r.type, r.score]), c.expect_relations, c.words.join(' '));
  }
  const untouched = { entities: [{ start: 0, end: 1, type: 'Drug', score: 1 }], relations: [] };
  assert.equal(trimSpans(untouched, ['aspirin'], undefined), untouched, 'no span_trim: nothing changes');
});

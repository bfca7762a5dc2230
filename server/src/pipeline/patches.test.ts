/**
 * Patches at the sizes user text can reach: a run-on sentence (a pasted log, a storm of edits that
 * deleted the full stops) can hold hundreds of entities and so hundreds of thousands of candidate
 * relations. Spreading them into push() overflowed the stack (found by a storm of random edits: the
 * document stayed blank); every list must go through one at a time.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { appendAll, maxOf, minOf } from '../arrays';
import { emptyAnnotations } from '../annotations/empty';
import type { AnnotationPatch, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { buildCodeLenses } from '../lsp/codeLens';
import { DEFAULT_SETTINGS } from '../lsp/settings';
import { applyPatch } from './patches';

const WORDS = 600;
const TEXT = Array.from({ length: WORDS }, () => 'ab').join(' ');

function hugeSentencePatch(version: number): AnnotationPatch {
  const entities: EntityAnnotation[] = Array.from({ length: WORDS }, (_, i) => ({
    id: `T${i + 1}`, type: 'Peop', start: 3 * i, end: 3 * i + 2, text: 'ab', score: 0.9, model: 'm', sentence: 0, assertion: { status: 'present' },
  }));
  const relations: RelationAnnotation[] = [];
  for (const head of entities) {
    for (const tail of entities) {
      if (head !== tail) relations.push({ id: '', type: 'Kill', head, tail, score: 0.5, model: 'm', sentence: 0, symmetric: false, assertion: { status: 'present' } });
    }
  }
  const sentence = { index: 0, text: TEXT, start: 0, end: TEXT.length, tokens: [], kind: 'sentence' as const };
  return { uri: 'file:///run-on.md', version, complete: true, ranges: [{ start: 0, end: TEXT.length, sentences: [sentence], entities, relations }], stats: { sentences: 1, inferred: 1, cacheHits: 0, models: ['m'] } };
}

test('a patch whose one sentence has 359,400 relations is applied, replaced and shown as one code lens', () => {
  const patch = hugeSentencePatch(1);
  const applied = applyPatch(emptyAnnotations(patch.uri, 0), patch);
  assert.equal(applied.entities.length, WORDS);
  assert.equal(applied.relations.length, WORDS * (WORDS - 1));
  assert.equal(applied.relations.at(-1)!.id, `R${WORDS * (WORDS - 1)}`);

  const document = TextDocument.create(patch.uri, 'markdown', 1, TEXT);
  const lenses = buildCodeLenses(document, applied, DEFAULT_SETTINGS);
  assert.equal(lenses.length, 1);
  assert.match(lenses[0].command!.title, /^359400 relations in this sentence/);
  assert.deepEqual(lenses[0].range.start, { line: 0, character: 0 });

  const emptied = applyPatch(applied, { ...patch, version: 2, ranges: [{ ...patch.ranges[0], entities: [], relations: [] }] });
  assert.equal(emptied.entities.length, 0);
  assert.equal(emptied.relations.length, 0);
});

test('appendAll, minOf and maxOf take any number of items', () => {
  const many = Array.from({ length: 300_000 }, (_, i) => i);
  assert.equal(appendAll([-1], many).length, 300_001);
  assert.equal(minOf(many), 0);
  assert.equal(maxOf(many), 299_999);
  assert.equal(minOf([]), Infinity);
  assert.equal(maxOf([]), -Infinity);
});

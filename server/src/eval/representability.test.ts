import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { GoldDocument } from './charGold';
import { checkRepresentability, EditorSentence, MAX_EXAMPLES } from './representability';

/** Editor sentences from explicit token strings (this tests the bookkeeping, not the tokenizer). */
function sentencesOf(text: string, groups: string[][]): EditorSentence[] {
  let cursor = 0;
  return groups.map((words) => {
    const tokens = words.map((w) => {
      const start = text.indexOf(w, cursor);
      assert.ok(start >= 0, w);
      cursor = start + w.length;
      return { text: w, start, end: cursor };
    });
    return { start: tokens[0].start, end: cursor, tokens };
  });
}

function gold(text: string, units: Array<[number, number]>, entities: Array<[string, string, number?]>, relations: Array<[number, number]> = []): GoldDocument {
  return {
    name: 'd',
    source: 'd',
    text,
    language: 'plaintext',
    units: units.map(([start, end], i) => ({ id: `u${i}`, start, end })),
    // [surface, type, occurrence start]: the span is found in the text
    entities: entities.map(([surface, type, from = 0]) => {
      const start = text.indexOf(surface, from);
      return { start, end: start + surface.length, type };
    }),
    relations: relations.map(([head, tail]) => ({ head, tail, type: 'R' })),
  };
}

test('an entity ending inside a token that kept its period is unrepresentable, the trailing-period case', () => {
  const text = 'He lives in Plymouth, Vt.\nSmith works.\n';
  const d = gold(text, [[0, 25], [26, 38]], [['Plymouth', 'Loc'], ['Vt', 'Loc'], ['Smith', 'Peop']], [[2, 1]]);
  const s = sentencesOf(text, [['He', 'lives', 'in', 'Plymouth', ',', 'Vt.'], ['Smith', 'works', '.']]);
  const r = checkRepresentability(d, s);
  assert.equal(r.unrepresentable.entities, 1);
  assert.equal(r.unrepresentable.trailing_period, 1);
  assert.equal(r.unrepresentable.relations, 1);
  assert.deepEqual(r.unrepresentable.examples.map((e) => [e.text, e.sentence, e.editor_tokens]), [['Vt', 'u0', ['Vt.']]]);
  assert.equal(r.merged_sentences, 0);
});

test('a start inside a token is unrepresentable but not the trailing-period case', () => {
  const text = 'anti-TNF therapy.\n';
  const r = checkRepresentability(gold(text, [[0, 17]], [['TNF', 'Drug']]), sentencesOf(text, [['anti-TNF', 'therapy', '.']]));
  assert.deepEqual([r.unrepresentable.entities, r.unrepresentable.trailing_period], [1, 0]);
});

test('gold split by editor sentences, and gold sentences merged into one editor sentence', () => {
  const text = 'Dr. Smith arrived. Jones left\nto Rome.\n';
  // gold: one sentence per line; the editor ends a sentence after "arrived." and runs "left to Rome." on
  const d = gold(text, [[0, 29], [30, 38]], [['Smith', 'Peop'], ['Jones', 'Peop'], ['Rome', 'Loc'], ['arrived. Jones', 'Other']], [[0, 1], [1, 2]]);
  const s = sentencesOf(text, [['Dr.', 'Smith', 'arrived', '.'], ['Jones', 'left', 'to', 'Rome', '.']]);
  const r = checkRepresentability(d, s);
  assert.equal(r.unrepresentable.entities, 0);
  assert.equal(r.crossing_sentences.entities, 1, '"arrived. Jones" spans two editor sentences');
  assert.equal(r.crossing_sentences.relations, 1, 'Smith -> Jones is split, Jones -> Rome is not');
  assert.equal(r.merged_sentences, 2, 'both gold sentences share the editor sentence "Jones left to Rome."');
  assert.deepEqual(r.merged_examples.map((m) => m.around), ['Dr. Smith arrived. Jones left ‖ to Rome. ']);
});

test('an entity taking a glued sentence-final period is representable but needs the "." token', () => {
  const text = 'He went to the theater.\n';
  const r = checkRepresentability(gold(text, [[0, 23]], [['theater.', 'Loc']]), sentencesOf(text, [['He', 'went', 'to', 'the', 'theater', '.']]));
  assert.deepEqual([r.unrepresentable.entities, r.ends_with_split_period], [0, 1]);
});

test('findings add up over documents; examples are capped', () => {
  const text = Array.from({ length: MAX_EXAMPLES + 5 }, (_, i) => `X${i}y`).join(' ') + '\n';
  const words = text.trim().split(' ');
  const d = gold(text, [[0, text.length - 1]], words.map((w) => [w.slice(0, -1), 'T', text.indexOf(w)] as [string, string, number]));
  const s = sentencesOf(text, [words]);
  const r = checkRepresentability(d, s);
  checkRepresentability(d, s, r);
  assert.equal(r.unrepresentable.entities, 2 * words.length);
  assert.equal(r.unrepresentable.examples.length, MAX_EXAMPLES);
});

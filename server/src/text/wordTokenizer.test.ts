import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRoot } from '../paths';
import { tokenizeWords } from './wordTokenizer';

const fixture = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'spec', 'fixtures', 'word-tokenizer.json'), 'utf8'));

test('word tokenizer reproduces every case of spec/fixtures/word-tokenizer.json', () => {
  for (const c of fixture.cases as Array<{ text: string; tokens: string[] }>) {
    const toks = tokenizeWords(c.text);
    assert.deepEqual(toks.map((t) => t.text), c.tokens, c.text);
    for (const t of toks) assert.equal(c.text.slice(t.start, t.end), t.text);
  }
});

test('offsets are UTF-16 and tokens never hold whitespace', () => {
  const text = 'Emoji 😀x and\r\nnaïve cafe\u0301 done';
  const toks = tokenizeWords(text, 10);
  for (const t of toks) {
    assert.equal(text.slice(t.start - 10, t.end - 10), t.text);
    assert.doesNotMatch(t.text, /\s/);
  }
  assert.ok(toks.some((t) => t.text === 'cafe\u0301'), 'a combining mark stays inside its word');
  assert.ok(toks.some((t) => t.text === '😀'), 'an astral character is one token, not two halves');
});

test('invisible-only tokens (zero-width space, NUL) are dropped', () => {
  assert.deepEqual(tokenizeWords('a \u200b b \u0000 c').map((t) => t.text), ['a', 'b', 'c']);
});

test('a 20k-character line without spaces tokenizes quickly', () => {
  const t0 = Date.now();
  const toks = tokenizeWords('ab-'.repeat(7000));
  assert.ok(toks.length >= 1);
  assert.ok(Date.now() - t0 < 2000);
});

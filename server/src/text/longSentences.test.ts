import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { capLength, MAX_SENTENCE_WORDS } from './longSentences';
import { segmentDocument } from './segment';
import { assertSegmentation } from './segmentChecks';
import { tokenizeWords } from './wordTokenizer';

test('pieces are at most MAX_SENTENCE_WORDS, cut after ";" first, then "," or ":", then a dash, then hard', () => {
  assert.ok(MAX_SENTENCE_WORDS >= 50 && MAX_SENTENCE_WORDS <= 200);
  const toks = tokenizeWords(Array.from({ length: 10 }, (_, i) => `w${i}`).join(' ') + ' , a b ; c d , e f - g h i');
  const cut = (max: number) => capLength(toks, 0, toks.length, max).map(([a, b]) => toks.slice(a, b).map((t) => t.text).join(' '));
  assert.deepEqual(cut(15), ['w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 , a b ;', 'c d , e f - g h i']);
  assert.deepEqual(cut(12), ['w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 ,', 'a b ; c d , e f - g h i']);
    // With 5 words a cut must leave at least 3: "c d ," would be too short, and no break is in "e f".
  assert.deepEqual(cut(5), ['w0 w1 w2 w3 w4', 'w5 w6 w7 w8 w9', ', a b ;', 'c d , e f', '- g h i']);
  assert.deepEqual(capLength(toks, 3, 7, 100), [[3, 7]]);
});

test('a long text without full stops becomes pieces that cover it in order', () => {
  const clause = 'the patient was seen in clinic and reported pain in the left knee after walking';
  const text = Array.from({ length: 60 }, (_, i) => `${clause} ${i}`).join(', ');
  const ss = segmentDocument(text, 'plaintext');
  assertSegmentation(text, ss, { plain: true });
  assert.ok(ss.length >= Math.ceil(tokenizeWords(text).length / MAX_SENTENCE_WORDS));
  assert.ok(ss.every((s) => s.tokens.length <= MAX_SENTENCE_WORDS));
  // every cut is after a comma: the pieces end with one (but the last)
  assert.ok(ss.slice(0, -1).every((s) => s.tokens[s.tokens.length - 1].text === ','));
  assert.equal(ss.reduce((n, s) => n + s.tokens.length, 0), tokenizeWords(text).length);
});

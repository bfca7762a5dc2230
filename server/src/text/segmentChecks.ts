/**
 * What every segmentation must satisfy, as assertions for the tests of this folder (not product code):
 * tokens are exact slices of the document, segments are in order, inside the document and disjoint,
 * and in plain text no visible character is dropped except list markers.
 */
import * as assert from 'node:assert/strict';
import type { SentenceSpan } from './types';

const LIST_MARKER = /^(?:[-*+•‣◦▪–]|\d{1,9}[.)])$/;
const INVISIBLE = /^[\p{Cc}\p{Cf}]$/u;

export function assertSegmentation(text: string, sentences: readonly SentenceSpan[], opts: { plain?: boolean } = {}): void {
  let last = 0;
  for (let i = 0; i < sentences.length; i++) {
    const s = sentences[i];
    assert.equal(s.index, i);
    assert.ok(s.kind === 'sentence' || s.kind === 'heading', `kind ${s.kind}`);
    assert.ok(s.tokens.length > 0, `segment ${i} has words`);
    assert.ok(s.start >= last && s.start < s.end && s.end <= text.length, `segment ${i} [${s.start}, ${s.end}) after ${last}`);
    assert.equal(s.text.length, s.end - s.start);
    assert.equal(s.tokens[0].start, s.start);
    assert.equal(s.tokens[s.tokens.length - 1].end, s.end);
    if (opts.plain) assert.equal(s.text, text.slice(s.start, s.end));
    let prevEnd = s.start;
    for (const t of s.tokens) {
      if (text.slice(t.start, t.end) !== t.text) assert.fail(`token ${JSON.stringify(t.text)} at ${t.start} is ${JSON.stringify(text.slice(t.start, t.end))}`);
      if (t.start < prevEnd) assert.fail(`token at ${t.start} overlaps the previous one`);
      prevEnd = t.end;
    }
    last = s.end;
  }
  if (opts.plain) assertNothingDropped(text, sentences);
}

/** Every visible character is inside a token, unless it is a list marker (list markup, not a word). */
function assertNothingDropped(text: string, sentences: readonly SentenceSpan[]): void {
  const covered = new Uint8Array(text.length);
  for (const s of sentences) for (const t of s.tokens) covered.fill(1, t.start, t.end);
  let i = 0;
  while (i < text.length) {
    if (covered[i] || /\s/.test(text[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !covered[j] && !/\s/.test(text[j])) j++;
    const run = text.slice(i, j);
    if (!LIST_MARKER.test(run) && ![...run].every((c) => INVISIBLE.test(c))) {
      assert.fail(`${JSON.stringify(run)} at ${i} is in no segment: ${JSON.stringify(text.slice(Math.max(0, i - 30), j + 30))}`);
    }
    i = j;
  }
}

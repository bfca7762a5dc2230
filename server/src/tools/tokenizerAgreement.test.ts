import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { detokenize } from '../eval/detokenize';
import { measure, splitGluedFinalPeriod } from './tokenizerAgreement';

test('detokenizer places every gold token at its recorded span', () => {
  const tokens = ['He', 'said', '"', 'no', '"', '(', 'twice', ')', ',', 'did', "n't", 'he', '?'];
  const { text, spans } = detokenize(tokens);
  assert.equal(text, 'He said "no" (twice), didn\'t he?');
  spans.forEach(([a, b], i) => assert.equal(text.slice(a, b), tokens[i]));
});

test('agreement counts identical sentences and exact token spans', () => {
  const r = measure([{ tokens: ['Dr.', 'Smith', 'left', '.'] }, { tokens: ['theater.'] }]);
  assert.equal(r.sentences, 2);
  assert.equal(r.identical, 1);
  assert.equal(r.gold_tokens, 5);
  assert.equal(r.predicted_tokens, 6); // "theater" "."
  assert.equal(r.matched_tokens, 4);
  assert.deepEqual(r.top_disagreements[0], { gold: 'theater.', ours: 'theater .', count: 1 });
  assert.deepEqual(splitGluedFinalPeriod(['in', 'Calif.']), ['in', 'Calif.']);
  assert.deepEqual(splitGluedFinalPeriod(['the', 'theater.']), ['the', 'theater', '.']);
});

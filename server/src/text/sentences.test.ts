import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sentenceRanges } from './sentences';
import { tokenizeWords } from './wordTokenizer';

const split = (text: string) => {
  const toks = tokenizeWords(text);
  return sentenceRanges(toks).map(([a, b]) => text.slice(toks[a].start, toks[b - 1].end));
};

test('no split after abbreviations, initials, decimals; split at real sentence ends', () => {
  assert.deepEqual(split('Dr. Smith saw Mr. Jones on Feb. 3 in the U.S. and e.g. Washington. He took 2.5 mg. Later he left!'), [
    'Dr. Smith saw Mr. Jones on Feb. 3 in the U.S. and e.g. Washington.',
    'He took 2.5 mg.',
    'Later he left!',
  ]);
  assert.deepEqual(split('John F. Kennedy was shot. "Terrible," she said. (It was.) Then silence...'), [
    'John F. Kennedy was shot.',
    '"Terrible," she said.',
    '(It was.)',
    'Then silence...',
  ]);
  assert.deepEqual(split('it was fine. then lower case continues'), ['it was fine. then lower case continues']);
  assert.deepEqual(split('Vitals: BP 124/78.,HEENT: normal.'), ['Vitals: BP 124/78.,', 'HEENT: normal.']);
  assert.deepEqual(split('Is it? Yes. 3 cases.'), ['Is it?', 'Yes.', '3 cases.']);
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sentenceRanges } from './sentences';
import { tokenizeWords } from './wordTokenizer';
import { segmentDocument } from './segment';

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

test('an initial or a dotted abbreviation ends a sentence only before a word that opens one', () => {
  assert.deepEqual(split('He is receiving Lupron injection by Dr. Y. The only other medication is Tramadol.'), [
    'He is receiving Lupron injection by Dr. Y.',
    'The only other medication is Tramadol.',
  ]);
  assert.deepEqual(split('Prices rose in the U.S. The market fell.'), ['Prices rose in the U.S.', 'The market fell.']);
  assert.deepEqual(split('John F. Kennedy met Dr. Y. Smith in the U.S. Senate.'), ['John F. Kennedy met Dr. Y. Smith in the U.S. Senate.']);
  assert.deepEqual(split('Use e.g. The Lancet style.'), ['Use e.g. The Lancet style.']);
});

test('a place or company abbreviation ends a sentence before a word that opens one; a title never does', () => {
  assert.deepEqual(split('Thoreau was born in Concord, Mass. The nine sentences noting the dates were read.'), [
    'Thoreau was born in Concord, Mass.',
    'The nine sentences noting the dates were read.',
  ]);
  assert.deepEqual(split('He works for Acme Corp. In 1990 it was sold.'), ['He works for Acme Corp.', 'In 1990 it was sold.']);
  assert.deepEqual(split('She moved to Burlington, Vt. A year later she left.'), ['She moved to Burlington, Vt.', 'A year later she left.']);
  // not before a name's next part, and never after a title
  assert.deepEqual(split('Martin Luther King Jr. Day is a holiday.'), ['Martin Luther King Jr. Day is a holiday.']);
  assert.deepEqual(split('We met Gov. The Honourable Kean and Dr. The Second.'), ['We met Gov. The Honourable Kean and Dr. The Second.']);
  assert.deepEqual(split('He lived on St. In Street.'), ['He lived on St. In Street.']);
});

test('after such an abbreviation a quotation or a news dateline opens a sentence; a name in capitals does not', () => {
  assert.deepEqual(split('In 1830, Emily Dickinson was born in Amherst, Mass. ` ` This is not a good idea, \' \' she said.'), [
    'In 1830, Emily Dickinson was born in Amherst, Mass.',
    "` ` This is not a good idea, ' ' she said.",
  ]);
  assert.deepEqual(split('He was born in Columbus, Miss. BRISBANE, Australia (AP) The director said so.'), [
    'He was born in Columbus, Miss.',
    'BRISBANE, Australia (AP) The director said so.',
  ]);
  assert.deepEqual(split('The bomb fell at 1:50 p.m. EAST LANSING, Mich. (AP) Born in Athens, he came here.')[0], 'The bomb fell at 1:50 p.m.');
  // a dateline ends at its place's abbreviation; a sentence that only starts with capitals does not
  assert.deepEqual(split('GRAND RAPIDS, Mich. New Jersey Gov. Thomas Kean spoke.'), ['GRAND RAPIDS, Mich.', 'New Jersey Gov. Thomas Kean spoke.']);
  assert.deepEqual(split('BELEN, N.M. Police said so.'), ['BELEN, N.M.', 'Police said so.']);
  assert.deepEqual(split('NASA and JPL, Calif. Tech met.'), ['NASA and JPL, Calif. Tech met.']);
  assert.deepEqual(split('GRAND RAPIDS, Mich. police said so.'), ['GRAND RAPIDS, Mich. police said so.']);
  // a time zone, an acronym or a short capital word after it is part of the sentence
  assert.deepEqual(split('It was 2 a.m. EST at the time.'), ['It was 2 a.m. EST at the time.']);
  assert.deepEqual(split('He joined the U.S. NAVY in 1990.'), ['He joined the U.S. NAVY in 1990.']);
  assert.deepEqual(split('Made by Acme Inc. USA, it sold well.'), ['Made by Acme Inc. USA, it sold well.']);
});

test('an abbreviation that ends a sentence gives up its period, as the datasets and training tokenise it', () => {
  const words = (text: string) => segmentDocument(text, 'plaintext').map((s) => s.tokens.map((t) => t.text));
  assert.deepEqual(words('Thomas is a native of Chisholm, Minn.\nHe works for Acme Corp. In 1990 it was sold.'), [
    ['Thomas', 'is', 'a', 'native', 'of', 'Chisholm', ',', 'Minn', '.'],
    ['He', 'works', 'for', 'Acme', 'Corp', '.'],
    ['In', '1990', 'it', 'was', 'sold', '.'],
  ]);
  // inside a sentence, and after a title, the abbreviation keeps its period
  assert.deepEqual(words('Gov. Kean of Calif. spoke.'), [['Gov.', 'Kean', 'of', 'Calif.', 'spoke', '.']]);
});

test('closing quotes, brackets and clause punctuation after a sentence end stay with it, even after a space', () => {
  // CoNLL04 writes quotes as separate tokens: ` ` ... ' '
  assert.deepEqual(split("He said ` ` it would not bring my father back. ' ' Then he left."), [
    "He said ` ` it would not bring my father back. ' '",
    'Then he left.',
  ]);
  assert.deepEqual(split("` ` He was going fast , wasn 't he ? ' ' said Daniel."), ["` ` He was going fast , wasn 't he ? ' ' said Daniel."]);
  assert.deepEqual(split('It ran into Highway 49. ; it then turned.'), ['It ran into Highway 49. ; it then turned.']);
  assert.deepEqual(split('Signed by Luis Cobos R. , the group said so.'), ['Signed by Luis Cobos R. , the group said so.']);
  // An opening quote (glued to the next word) or bracket opens the next sentence.
  assert.deepEqual(split('He left. "Good," she said. (It was late.)'), ['He left.', '"Good," she said.', '(It was late.)']);
});

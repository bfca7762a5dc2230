import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { JsonlSentence } from './jsonl';
import { layOut, locateTokens, SENTENCES_PER_PARAGRAPH, sentenceText } from './rawLayout';

const sentence = (id: string, tokens: string[], entities: Array<[number, number, string]> = [], relations: Array<[number, number, string]> = [], extra = {}): JsonlSentence => ({
  id,
  tokens,
  entities: entities.map(([start, end, type]) => ({ start, end, type })),
  relations: relations.map(([head, tail, type]) => ({ head, tail, type })),
  ...extra,
});

test('lines: one sentence per line, gold offsets land on the gold tokens', () => {
  const s = [
    sentence('a', ['John', 'Smith', 'works', 'for', 'IBM', '.'], [[0, 2, 'Peop'], [4, 5, 'Org']], [[0, 1, 'Work_For']]),
    sentence('b', ['Gemcitabine', '-', 'induced', 'rash', '.'], [[0, 1, 'Drug'], [3, 4, 'AE']]),
  ];
  const { document: d } = layOut(s, 'lines', 'x', '/tmp/x.txt');
  assert.equal(d.text, 'John Smith works for IBM.\nGemcitabine-induced rash.\n');
  assert.deepEqual(d.units.map((u) => d.text.slice(u.start, u.end)), ['John Smith works for IBM.', 'Gemcitabine-induced rash.']);
  assert.deepEqual(d.entities.map((e) => [d.text.slice(e.start, e.end), e.type]), [['John Smith', 'Peop'], ['IBM', 'Org'], ['Gemcitabine', 'Drug'], ['rash', 'AE']]);
  // relation indices are shifted to the document's entity list
  assert.deepEqual(d.relations, [{ head: 0, tail: 1, type: 'Work_For' }]);
  assert.equal(d.language, 'plaintext');
});

test('paragraphs: five sentences joined by a space, blank line between paragraphs', () => {
  const s = Array.from({ length: 12 }, (_, i) => sentence(`s${i}`, [`W${i}`, '.'], [[0, 1, 'T']]));
  const { document: d } = layOut(s, 'paragraphs', 'x', 'x');
  const paragraphs = d.text.trimEnd().split('\n\n');
  assert.equal(paragraphs.length, Math.ceil(12 / SENTENCES_PER_PARAGRAPH));
  assert.equal(paragraphs[0], 'W0. W1. W2. W3. W4.');
  assert.equal(paragraphs[2], 'W10. W11.');
  d.entities.forEach((e, i) => assert.equal(d.text.slice(e.start, e.end), `W${i}`));
  d.units.forEach((u, i) => assert.equal(d.text.slice(u.start, u.end), `W${i}.`));
});

test('paragraphs: a sentence without final punctuation (a dateline, a source line) ends its line', () => {
  const s = [
    sentence('d', ['DAYTON', ',', 'Ohio', '(', 'AP', ')'], [[0, 1, 'Loc']]),
    sentence('a', ['In', '1865', ',', 'four', 'were', 'hanged', '.']),
    sentence('q', ['He', 'said', '`', '`', 'no', '.', "''"]),
    sentence('s', ['Azusa', ',', 'Calif.', ';']),
    sentence('e', ['Done', '.']),
  ];
  const { document: d } = layOut(s, 'paragraphs', 'x', 'x');
  assert.equal(d.text, "DAYTON, Ohio (AP)\nIn 1865, four were hanged. He said ` ` no.'' Azusa, Calif.;\nDone.\n");
  assert.deepEqual(d.units.map((u) => d.text.slice(u.start, u.end)), ['DAYTON, Ohio (AP)', 'In 1865, four were hanged.', "He said ` ` no.''", 'Azusa, Calif.;', 'Done.']);
  assert.equal(d.text.slice(d.entities[0].start, d.entities[0].end), 'DAYTON');
});

test('a text field is used when its tokens are found in it in order, else the tokens are detokenised', () => {
  const withText = sentence('t', ['BACKGROUND', ':', 'A', '(', 'RMS', ')', 'case', '.'], [[4, 5, 'X']], [], { text: 'BACKGROUND:  A (RMS) case.' });
  const st = sentenceText(withText);
  assert.equal(st.source, 'text');
  assert.equal(st.text, 'BACKGROUND:  A (RMS) case.', 'the original spacing is kept');
  assert.deepEqual(st.spans[4], [16, 19]);

  // `` stands for a quote the text writes as " - the token cannot be found, so no latching onto a later match
  const normalised = sentence('n', ['``', 'Hi', "''", 'he', 'said', '``'], [], [], { text: '"Hi" he said ``' });
  assert.equal(sentenceText(normalised).source, 'detokenized');
  const laid = layOut([normalised, withText], 'lines', 'x', 'x');
  assert.equal(laid.fromTextField, 1);
  assert.deepEqual(laid.textFieldMismatches, ['n']);

  // a line break inside the text would split the sentence over two lines of the document
  assert.equal(sentenceText(sentence('l', ['a', 'b'], [], [], { text: 'a\nb' })).text, 'a b');
});

test('locateTokens allows only whitespace between tokens', () => {
  assert.deepEqual(locateTokens('ab  c', ['ab', 'c']), [[0, 2], [4, 5]]);
  assert.equal(locateTokens('ab x c', ['ab', 'c']), null);
  assert.equal(locateTokens('ab', ['ab', 'c']), null);
});

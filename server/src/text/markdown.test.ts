import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedRoot } from '../testing/fixtures';
import { markdownProse } from './markdown';
import { MAX_SENTENCE_WORDS, segmentDocument } from './segment';
import type { SentenceSpan } from './types';

/** Every token's document slice is its text; sentences are inside the document and in order. */
function assertRoundTrip(text: string, sentences: SentenceSpan[]) {
  let last = 0;
  sentences.forEach((s, i) => {
    assert.equal(s.index, i);
    assert.ok(s.start >= last && s.end <= text.length && s.start < s.end);
    assert.equal(s.text.length, s.end - s.start);
    for (const t of s.tokens) {
      assert.equal(text.slice(t.start, t.end), t.text, `token at ${t.start}`);
      assert.ok(t.start >= s.start && t.end <= s.end);
    }
    last = s.end;
  });
}

const words = (ss: SentenceSpan[]) => ss.map((s) => s.tokens.map((t) => t.text).join(' '));

const TRICKY = [
  '---',
  'title: secret front matter',
  '---',
  '# Heading *one* #',
  '',
  'Dr. Smith gave **aspirin** to the patient in the U.S. on Feb. 3. She developed a rash.',
  'See [the label](https://example.org/label "Label") and <https://auto.link/x> or https://bare.url/y.',
  'Use `inline code` and <!-- hidden comment --> <b>bold</b> text\\* escaped.',
  '',
  '```python',
  'print("fenced code")',
  '```',
  '',
  '    indented code block',
  '',
  '- item one with [ref link][r1].',
  '- [x] task done. Second sentence here.',
  '',
  '1. First ordered.',
  '2) Second ordered.',
  '',
  '> Quoted text. Another one.',
  '',
  '| Drug | Effect |',
  '|------|:------:|',
  '| aspirin | rash `x|y` |',
  '',
  'Setext heading',
  '==============',
  '',
  'Footnote ref[^1].',
  '',
  '[r1]: https://example.org/ref "Title"',
  '[^1]: The footnote text.',
  '<!--',
  'multi-line hidden',
  '-->',
  'Final line after comment.',
].join('\n');

test('Markdown: code, front matter, comments, tags, link targets, table pipes and markers are not prose', () => {
  const ss = segmentDocument(TRICKY, 'markdown');
  assertRoundTrip(TRICKY, ss);
  const all = words(ss).join(' | ');
  for (const hidden of ['secret', 'fenced', 'indented', 'inline', 'hidden', 'example', 'auto', 'bare', 'Label', 'Title', '#', '`', '<', '>', '**', 'print']) {
    assert.ok(!all.includes(hidden), `${hidden} must not reach a model: ${all}`);
  }
  assert.deepEqual(words(ss), [
    'Heading one',
    'Dr. Smith gave aspirin to the patient in the U.S. on Feb. 3 .',
    'She developed a rash .',
    'See the label and or .',
    'Use and bold text * escaped .',
    'item one with ref link .',
    'task done .',
    'Second sentence here .',
    'First ordered .',
    'Second ordered .',
    'Quoted text .',
    'Another one .',
    'Drug',
    'Effect',
    'aspirin',
    'rash',
    'Setext heading',
    'Footnote ref .',
    'The footnote text .',
    'Final line after comment .',
  ]);
  assert.deepEqual(words(ss.filter((s) => s.kind === 'heading')), ['Heading one', 'Setext heading']);
});

test('masking keeps the document length and every line ending', () => {
  const text = 'a `b`\r\n```\r\ncode\r\n```\r\nc';
  const { masked } = markdownProse(text);
  assert.equal(masked.length, text.length);
  assert.deepEqual([...masked].map((c, i) => (c === '\r' || c === '\n' ? i : -1)).filter((i) => i >= 0), [...text].map((c, i) => (c === '\r' || c === '\n' ? i : -1)).filter((i) => i >= 0));
});

test('CRLF, emoji, combining marks and right-to-left text keep exact offsets', () => {
  const text = '# Café 😀 note\r\n\r\nThe patient (מטופל) took cafe\u0301 au lait 👍🏽 daily.\r\nShe is fine. Next line here.\r\n';
  for (const lang of ['markdown', 'plaintext']) {
    const ss = segmentDocument(text, lang);
    assertRoundTrip(text, ss);
    assert.ok(ss.some((s) => s.tokens.some((t) => t.text === 'מטופל')));
    assert.ok(ss.every((s) => s.tokens.every((t) => !t.text.includes('\r'))));
  }
});

test('plain text: blank lines, bullets and line ends separate statements, Markdown is not interpreted', () => {
  const text = 'Assessment: stable\nno change.\n\n- aspirin daily\n- ibuprofen as needed\nSee `x` here.';
  const ss = segmentDocument(text, 'plaintext');
  assertRoundTrip(text, ss);
  // Since line breaks end statements (lineUnits.ts), "stable" / "no change." and "ibuprofen as needed" /
  // "See ..." are no longer glued together; "Assessment:" is a section label (labels.ts), and the
  // bullets are list markup, not words (plainText.ts).
  assert.deepEqual(words(ss), ['Assessment :', 'stable', 'no change .', 'aspirin daily', 'ibuprofen as needed', 'See ` x ` here .']);
  assert.deepEqual(ss.map((s) => s.kind), ['heading', 'sentence', 'sentence', 'sentence', 'sentence', 'sentence']);
});

test('a 20k-character line and pathological Markdown neither throw nor hang', () => {
  const line = 'word '.repeat(4000);
  const t0 = Date.now();
  const ss = segmentDocument(line, 'markdown');
  // A sentence without full stops is cut into pieces of at most MAX_SENTENCE_WORDS (longSentences.ts);
  // with no punctuation at all every cut is a hard one at the limit.
  assert.equal(ss.length, 4000 / MAX_SENTENCE_WORDS);
  assert.ok(ss.every((s) => s.tokens.length === MAX_SENTENCE_WORDS));
  for (const weird of ['['.repeat(5000), '`'.repeat(3000) + 'x', '*_'.repeat(4000), '<'.repeat(4000), '> '.repeat(2000) + 'x', '|'.repeat(3000) + '\n|---|\n' + '|'.repeat(3000)]) {
    assertRoundTrip(weird, segmentDocument(weird, 'markdown'));
  }
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

test('every note in ../shared/notes segments with exact offsets', () => {
  const dir = path.join(sharedRoot, 'notes');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.md'));
  assert.ok(files.length > 10);
  let sentences = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const ss = segmentDocument(text, 'markdown');
    assertRoundTrip(text, ss);
    assert.ok(ss.every((s) => !/^#{1,6}\s/.test(s.text)), `${f}: heading markers are not words`);
    sentences += ss.length;
  }
  assert.ok(sentences > files.length * 5);
});

test('pathological inline Markdown is read as text, with the same masks as well-formed input', () => {
  const unmasked = (text: string) => assert.equal(markdownProse(text).masked, text, JSON.stringify(text.slice(0, 40)));
  // Brackets, images, footnote openers and link openers that never close are all prose.
  unmasked('['.repeat(40_000));
  unmasked('!['.repeat(20_000));
  unmasked('[^'.repeat(20_000));
  unmasked('[a]('.repeat(10_000));
  // Backtick runs of every length up to 200, none of which closes.
  let ticks = '';
  for (let k = 1; k <= 200; k++) ticks += '`'.repeat(k) + 'a';
  unmasked(ticks);
  // Openers of one emphasis character never pair with closers of another, however many there are.
  unmasked('*a '.repeat(10_000) + 'a_ '.repeat(10_000));

  // Nested brackets: the outer pair is the link, the inner ones stay text.
  const n = 5000;
  const nested = '['.repeat(n) + 'x' + ']'.repeat(n) + '(https://example.org)';
  const masked = markdownProse(nested).masked;
  assert.equal(masked, ' ' + '['.repeat(n - 1) + 'x' + ']'.repeat(n - 1) + ' '.repeat(nested.length - 2 * n));
  // Matched emphasis far apart and many code spans are all markup.
  assert.equal(markdownProse('*a* '.repeat(5000)).masked, ' a  '.repeat(5000));
  assert.equal(markdownProse('`c` w '.repeat(5000)).masked, '    w '.repeat(5000));
  // Deep block quotes and lists reach their text.
  assert.deepEqual(words(segmentDocument('>'.repeat(20_000) + ' deep quote.', 'markdown')), ['deep quote .']);
  // A reference defined after its use still makes a link; bracketed text longer than a label never is one.
  const withRef = 'See [ref] and [' + 'a '.repeat(600) + '].\n\n[ref]: https://example.org\n[' + 'a '.repeat(600).trim() + ']: https://example.org\n';
  const refMasked = markdownProse(withRef).masked;
  assert.ok(refMasked.startsWith('See  ref  and ['), refMasked.slice(0, 20));
});

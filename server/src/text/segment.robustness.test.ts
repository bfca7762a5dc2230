import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedRoot } from '../paths';
import { MAX_SENTENCE_WORDS, segmentDocument } from './segment';
import { assertSegmentation } from './segmentChecks';

const note = fs.readFileSync(path.join(sharedRoot, 'notes', '012-tracheostomy.md'), 'utf8');
/** The note's prose, one line: what a pasted EHR export with its line breaks lost looks like. */
const noteLine = note.replace(/^#.*$/gm, '').replace(/\s+/g, ' ').trim();

/** `unit(i)` repeated until the text has `chars` characters. */
function grow(chars: number, unit: (i: number) => string): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < chars; i++) {
    const u = unit(i);
    parts.push(u);
    n += u.length;
  }
  return parts.join('').slice(0, chars);
}

/** Bad inputs, each as a function of size and a salt (so no two runs share cached blocks). */
const CASES: Record<string, (chars: number, salt: number) => string> = {
  'one huge line of note prose': (c, s) => grow(c, (i) => `${noteLine} (${s}/${i}) `),
  'one huge line without full stops': (c, s) => grow(c, (i) => `word${(i * 7919 + s) % 1000}${i % 9 === 0 ? ',' : ''} `),
  'one huge line without spaces': (c, s) => grow(c, (i) => `x${s}${i % 10}`),
  'a medication list, one item a line': (c, s) => grow(c, (i) => `${i + 1}. Drug${s}x${i} ${10 + (i % 90)} mg daily\n`),
  'a dashed medication list with CRLF': (c, s) => grow(c, (i) => `- Drug${s}x${i} ${5 + (i % 20)} mg twice daily\r\n`),
  'an inline numbered medication list': (c, s) => 'Medications: ' + grow(c, (i) => `${i + 1}. Drug${s}x${i} ${10 + (i % 90)} mg. `),
  'a note in capitals': (c, s) => grow(c, (i) => `${note.toUpperCase().replace(/(\S)\n/g, `$1 ${s}-${i}\n`)}\n`),
  'tabs, form feeds and lone CR': (c, s) => grow(c, (i) => `Vitals:\tBP 120/80\fHEENT:\tnormal ${s}-${i}\rLungs:\tclear.\r\r`),
  'emoji, combining marks and right-to-left text': (c, s) => grow(c, (i) => `Patient 😀 (מטופל) took cafe\u0301 au lait 👍🏽 ${s}x${i}\u200b and نعم\n`),
};

test('bad input keeps exact offsets, order, no dropped characters and short sentences', () => {
  for (const [name, make] of Object.entries(CASES)) {
    for (const lang of ['plaintext', 'markdown']) {
      const text = make(200_000, 1);
      const ss = segmentDocument(text, lang);
      assertSegmentation(text, ss, { plain: lang === 'plaintext' });
      assert.ok(ss.length > 0, name);
      assert.ok(ss.every((s) => s.tokens.length <= MAX_SENTENCE_WORDS), `${name} (${lang}): a segment over ${MAX_SENTENCE_WORDS} words`);
    }
  }
});

test('a 10,000-item medication list: one sentence per item', () => {
  const items = Array.from({ length: 10_000 }, (_, i) => `Drug${i} ${10 + (i % 90)} mg daily`);
  for (const [text, lang] of [
    [items.map((it, i) => `${i + 1}. ${it}`).join('\n'), 'plaintext'],
    [items.map((it) => `- ${it}`).join('\n'), 'markdown'],
  ] as const) {
    const ss = segmentDocument(text, lang);
    assertSegmentation(text, ss, { plain: lang === 'plaintext' });
    assert.deepEqual(ss.map((s) => s.tokens.map((t) => t.text).join(' ')), items.map((it) => it.split(' ').join(' ')), lang);
  }
});

let salt = 1000;

/** Best of three runs, each on a text never segmented before (blocks are cached across languages too). */
function timeOf(make: (chars: number, salt: number) => string, chars: number, lang: string): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const text = make(chars, salt++);
    const t0 = process.hrtime.bigint();
    segmentDocument(text, lang);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

test('segmentation time is linear: doubling the input at most quadruples the time', () => {
  const rows: Array<{ what: string; small: number; large: number }> = [];
  for (const [name, make] of Object.entries(CASES)) {
    for (const lang of ['plaintext', 'markdown']) {
      timeOf(make, 50_000, lang); // warm up
      rows.push({ what: `${name} (${lang})`, small: timeOf(make, 150_000, lang), large: timeOf(make, 300_000, lang) });
    }
  }
  console.log(rows.map((r) => `${r.what}: 150k characters ${r.small.toFixed(0)} ms, 300k ${r.large.toFixed(0)} ms`).join('\n'));
  // 4x, and a few ms of slack, so that timer noise on a loaded machine does not fail the test.
  for (const r of rows) assert.ok(r.large <= 4 * r.small + 20, `${r.what}: ${r.small.toFixed(1)} ms, then ${r.large.toFixed(1)} ms`);
});

test('a 1,000,000-character line segments in seconds, not minutes', () => {
  for (const [name, make] of [['note prose', CASES['one huge line of note prose']], ['no full stops', CASES['one huge line without full stops']]] as const) {
    const text = make(1_000_000, 7);
    const t0 = Date.now();
    const ss = segmentDocument(text, 'plaintext');
    const ms = Date.now() - t0;
    assertSegmentation(text, ss, { plain: true });
    const longest = Math.max(...ss.map((s) => s.tokens.length));
    console.log(`1M-character line (${name}): ${ms} ms, ${ss.length} segments, longest ${longest} words`);
    assert.ok(longest <= MAX_SENTENCE_WORDS);
    assert.ok(ms < 10_000, `${ms} ms`);
  }
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedRoot } from '../paths';
import type { SentenceSpan } from './types';
import { MAX_SENTENCE_WORDS, segmentDocument } from './segment';
import { assertSegmentation } from './segmentChecks';
import { isTerminator } from './sentences';

const words = (ss: readonly SentenceSpan[]) => ss.map((s) => s.tokens.map((t) => t.text).join(' '));
function split(text: string, lang = 'plaintext'): string[] {
  const ss = segmentDocument(text, lang);
  assertSegmentation(text, ss, { plain: lang === 'plaintext' });
  return words(ss);
}

/** Greedy wrapping at `width` columns, as editors and mail programs do. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

test('a line break ends a sentence unless the next line continues the previous one', () => {
  assert.deepEqual(split('FOR OFFICIAL USE ONLY\nOverview\nThe plan is due soon'), ['FOR OFFICIAL USE ONLY', 'Overview', 'The plan is due soon']);
  // (b): the line ends with a comma, hyphen, bracket or function word and the next starts in lower case
  assert.deepEqual(split('He was given aspirin and\nlisinopril for his blood pressure,\nthen sent home.'), ['He was given aspirin and lisinopril for his blood pressure , then sent home .']);
  assert.deepEqual(split('The patient was started on\nAspirin today'), ['The patient was started on', 'Aspirin today']);
  assert.deepEqual(split('A well-\ndeveloped man (\nhealthy ) arrived.'), ['A well - developed man ( healthy ) arrived .']);
  // A terminated line always ends its sentence; so does one followed by a label.
  assert.deepEqual(split('It was fine.\nthen it was not'), ['It was fine .', 'then it was not']);
  assert.deepEqual(split('Blood pressure was checked and\nHEENT: normal'), ['Blood pressure was checked and', 'HEENT :', 'normal']);
  for (const eol of ['\r\n', '\r', '\n']) {
    assert.deepEqual(split(`Chief complaint${eol}Chest pain since morning${eol}started after lunch, and${eol}radiates to the arm`), [
      'Chief complaint',
      'Chest pain since morning',
      'started after lunch , and radiates to the arm',
    ], JSON.stringify(eol));
  }
});

test('hard-wrapped prose at 72 and 80 columns keeps its sentences (same segments as unwrapped)', () => {
  const note = fs.readFileSync(path.join(sharedRoot, 'notes', '012-tracheostomy.md'), 'utf8');
  // Long paragraphs of a real note (its run-on line holds labels too) and a news paragraph.
  const paragraphs = note.split('\n').filter((l) => l.length > 400 && !l.startsWith('#'));
  const conll = fs.readFileSync(path.join(sharedRoot, 'data', 'conll04', 'dev.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 12);
  paragraphs.push(conll.map((l) => (JSON.parse(l).tokens as string[]).join(' ')).join(' '));
  assert.ok(paragraphs.length >= 2);
  let checked = 0;
  for (const p of paragraphs) {
    const flat = split(p);
    for (const width of [72, 80]) {
      for (const lang of ['plaintext', 'markdown']) {
        const wrapped = wrap(p, width);
        assert.ok(wrapped.split('\n').length > 5);
        const got = lang === 'plaintext' ? split(wrapped) : words(segmentDocument(wrapped, lang));
        assert.deepEqual(got, lang === 'plaintext' ? flat : words(segmentDocument(p, lang)), `${lang} at ${width}: ${p.slice(0, 60)}`);
        checked++;
      }
    }
    assert.ok(flat.length > 3, 'the paragraph has several sentences');
  }
  assert.ok(checked >= 8);
});

test('a one-sentence-per-line file (CoNLL04 dev) comes out one sentence per line', () => {
  const lines = fs.readFileSync(path.join(sharedRoot, 'data', 'conll04', 'dev.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l).tokens as string[]).join(' '));
  const text = lines.join('\n') + '\n';
  const ss = segmentDocument(text, 'plaintext');
  assertSegmentation(text, ss, { plain: true });
  let lineStart = 0;
  let k = 0;
  let exact = 0;
  const misses: string[] = [];
  for (const line of lines) {
    const lineEnd = lineStart + line.length;
    const mine: SentenceSpan[] = [];
    while (k < ss.length && ss[k].start < lineEnd) mine.push(ss[k++]);
    // The rule under test: every line break is a boundary, no segment crosses one.
    assert.ok(mine.length > 0 && mine[0].start >= lineStart && mine[mine.length - 1].end <= lineEnd, `line merged: ${line}`);
    if (mine.length === 1) exact++;
    else {
      misses.push(words(mine).join('  ||  '));
      // A line that becomes several segments is one that holds several sentences (each cut right after
      // a terminator and its closers) or more than MAX_SENTENCE_WORDS words; never a cut inside a clause.
      const tooLong = mine.reduce((n, s) => n + s.tokens.length, 0) > MAX_SENTENCE_WORDS;
      for (const s of mine.slice(0, -1)) {
        const ending = s.tokens.map((t) => t.text).filter((t) => !/^[)"'’”\]]+$/.test(t) && t !== "''");
        assert.ok(tooLong || isTerminator(ending[ending.length - 1]), `cut after ${JSON.stringify(ending.slice(-3))}: ${line}`);
      }
    }
    lineStart = lineEnd + 1;
  }
  const share = exact / lines.length;
  console.log(`one sentence per line: ${exact}/${lines.length} CoNLL04 dev lines (${(100 * share).toFixed(1)}%); the others hold several sentences:`);
  for (const m of misses) console.log(`  ${m.slice(0, 200)}`);
  // Not 99%: CoNLL04 "sentences" sometimes hold two or more ("... the raid. _Anzio _ The Anzio beachhead ..."),
  // which a sentence splitter must split; every line break is a boundary (asserted above).
  assert.ok(share >= 0.97, `${exact}/${lines.length}`);
});

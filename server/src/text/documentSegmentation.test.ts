/**
 * The kept segmentation against reading the document again: after every edit (random ones on the
 * example notes, and edits aimed at what reaches beyond a paragraph: fences, front matter, reference
 * definitions, quotes, lists, blank lines) the sentences equal a from-scratch segmentation of the new
 * text, and a one-word edit re-reads only the paragraph it is in.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedRoot } from '../paths';
import type { SentenceSpan } from './types';
import { DocumentSegmentation } from './documentSegmentation';
import { EditMap } from './editMap';
import { markdownProse } from './markdown';
import { plainTextProse } from './plainText';

const notes = fs.readdirSync(path.join(sharedRoot, 'notes')).filter((f) => f.endsWith('.md')).sort();
const note = (i: number) => fs.readFileSync(path.join(sharedRoot, 'notes', notes[i % notes.length]), 'utf8');

function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

/** A from-scratch reading, without DocumentSegmentation's kept state. */
function fresh(text: string, lang: string): SentenceSpan[] {
  return new DocumentSegmentation(text, lang).sentences();
}

const view = (ss: SentenceSpan[]) => ss.map((s) => `${s.kind} ${s.start}-${s.end} ${s.text} | ${s.tokens.map((t) => `${t.text}@${t.start}`).join(' ')}`);

const INSERTS = ['word ', ' ', '\n', '\n\n', '. ', 'Aspirin 81 mg daily. ', '```\n', '~~~', '---\n', '[ref]: https://example.org\n', '[ref] ', '> ', '- ', '1. ', '    ', '# Heading\n', '<!--', '-->', '<pre>\n', '</pre>', '|', '|---|\n', '*', '`', '[^1]: note\n', 'HISTORY OF PRESENT ILLNESS:', '\r\n', '\t'];

test('after random edits the kept segmentation equals a fresh one (Markdown and plain text)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rand = random(seed);
    const lang = seed % 3 === 0 ? 'plaintext' : 'markdown';
    let text = note(seed).slice(0, 3000 + rand(3000));
    const seg = new DocumentSegmentation(text, lang);
    for (let step = 0; step < 25; step++) {
      // One to three edits at once (one EditMap), or an edit without a map (found by diffing).
      const map = new EditMap();
      const edits = rand(4) === 0 ? 1 + rand(3) : 1;
      for (let e = 0; e < edits; e++) {
        const at = rand(text.length + 1);
        const remove = rand(3) === 0 ? rand(Math.min(40, text.length - at) + 1) : 0;
        const insert = rand(4) === 0 ? '' : INSERTS[rand(INSERTS.length)];
        map.add({ start: at, end: at + remove, insertedLength: insert.length });
        text = text.slice(0, at) + insert + text.slice(at + remove);
      }
      seg.update(text, rand(5) === 0 ? undefined : map);
      assert.deepEqual(view(seg.sentences()), view(fresh(text, lang)), `seed ${seed} step ${step} (${lang})`);
    }
  }
});

test('a one-word edit in a long note re-reads one paragraph, keeps every other chunk and moves the ones after it', () => {
  let text = '';
  for (let i = 0; text.length < 120_000; i++) text += note(i) + '\n\n';
  const seg = new DocumentSegmentation(text, 'markdown');
  const before = seg.chunks.slice();
  const at = text.indexOf(' the ', 60_000) + 1;
  const map = new EditMap();
  map.add({ start: at, end: at, insertedLength: 'little '.length });
  const edited = text.slice(0, at) + 'little ' + text.slice(at);
  const regions = seg.update(edited, map);
  assert.equal(regions.length, 1);
  const [region] = regions;
  assert.ok(region.end - region.start < 5000, `re-read ${region.end - region.start} characters`);
  assert.ok(region.start < at && region.end > at);
  // Every chunk but the re-read ones is the same object; the ones after the edit moved by 7.
  const kept = seg.chunks.filter((c) => before.includes(c));
  assert.equal(kept.length, seg.chunks.length - region.added.length);
  assert.ok(seg.chunks.filter((c) => c.start > at).every((c) => edited.slice(c.start, c.start + c.length) === text.slice(c.start - 7, c.start - 7 + c.length)));
  assert.deepEqual(view(seg.sentences()), view(fresh(edited, 'markdown')));
});

test('edits that reach beyond a paragraph: list context, an opened fence, front matter, a new reference definition', () => {
  const base = 'Intro\n\nFirst paragraph with [ref].\n\n    indented like code\n\nSecond paragraph.\n\nThird one.\n';
  const seg = new DocumentSegmentation(base, 'markdown');
  const steps = [
    // A list item makes the indented paragraph below its continuation, not code: same text, other state.
    (t: string) => t.replace('First paragraph', '- First paragraph'),
    (t: string) => t.replace('- First paragraph', 'First paragraph'),
    (t: string) => t.replace('Second', '```\nSecond'), // a fence swallows the rest
    (t: string) => t.replace('```\n', ''),
    (t: string) => t.replace('Intro', '---\nIntro'), // opens front matter on line 1
    (t: string) => t.replace('Third one.', 'Third one.\n---'), // closes it
    (t: string) => t + '\n[ref]: https://example.org\n', // makes [ref] a link far above
    (t: string) => t.replace('[ref]: https://example.org\n', ''),
  ];
  let text = base;
  let previous = base;
  const reread: number[] = [];
  for (const step of steps) {
    text = step(text);
    const edits = new EditMap();
    const p = commonPrefix(text, previous);
    edits.add({ start: p, end: previous.length - commonSuffix(text, previous, p), insertedLength: text.length - commonSuffix(text, previous, p) - p });
    const regions = seg.update(text, edits);
    assert.deepEqual(view(seg.sentences()), view(fresh(text, 'markdown')), JSON.stringify(text));
    reread.push(regions.reduce((n, r) => n + r.end - r.start, 0));
    previous = text;
  }
  // The list item re-reads up to the first paragraph whose state is the same again; the fence to the end.
  assert.ok(reread[0] < text.length && reread[0] > 'First paragraph with [ref].\n\n    indented like code\n\n'.length, `${reread}`);
});

function commonPrefix(a: string, b: string): number {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  return p;
}

function commonSuffix(a: string, b: string, prefix: number): number {
  let s = 0;
  while (s < a.length - prefix && s < b.length - prefix && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return s;
}

test('the region readers read a document as the whole-document functions do', () => {
  for (let i = 0; i < notes.length; i += 7) {
    const text = note(i);
    const seg = new DocumentSegmentation(text, 'markdown');
    const masked = markdownProse(text).masked;
    for (const s of seg.sentences()) assert.equal(s.text, masked.slice(s.start, s.end));
    const plain = plainTextProse(text).masked;
    for (const s of new DocumentSegmentation(text, 'plaintext').sentences()) assert.equal(s.text, plain.slice(s.start, s.end));
  }
});

/**
 * The kept analysis against a fresh one: whatever edits a document goes through, the annotations built
 * from its patches (shifted through the edits, as the language server does) equal a from-scratch
 * annotation of the final text, ids and assertion status included. And an edit costs what it touched.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { chattyTinyPackage, conllTrain, copyPackage, tempDir } from '../testing/fixtures';
import { EditMap } from '../text/editMap';
import { Annotator } from './annotator';
import type { DocumentAnalysis } from './documentAnalysis';
import { applyPatch } from './patches';
import { shiftThrough } from './shift';
import type { AnnotationPatch, DocumentAnnotations } from '../annotations/types';

function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

const empty = (uri: string): DocumentAnnotations => ({ uri, version: 0, sentences: [], entities: [], relations: [], stats: { sentences: 0, inferred: 0, cacheHits: 0, models: [] } });

/** What must agree between two annotation sets: everything but the words of sentences and the run's counters. */
function view(a: DocumentAnnotations) {
  return {
    sentences: a.sentences.map((s) => [s.index, s.start, s.end, s.kind, s.text]),
    entities: a.entities.map((e) => [e.id, e.start, e.end, e.type, e.text, e.model, e.sentence, e.score, JSON.stringify(e.assertion)]),
    relations: a.relations.map((r) => [r.id, r.head.id, r.tail.id, r.type, r.model, r.sentence, JSON.stringify(r.assertion)]),
  };
}

/** A receiver of patches, as the language server keeps one: base annotations moved through each edit map. */
class Receiver {
  annotations: DocumentAnnotations;
  patches: AnnotationPatch[] = [];
  constructor(uri: string) {
    this.annotations = empty(uri);
  }
  edited(map: EditMap, version: number) {
    this.annotations = shiftThrough(this.annotations, map, version);
  }
  onPatch = (p: AnnotationPatch) => {
    this.patches.push(p);
    this.annotations = applyPatch(this.annotations, p);
  };
}

const paragraphs = conllTrain(30).map((s) => s.tokens.join(' '));
const EDITS = ['Yesterday ', 'the ', '\n\n', '\n\n# Family History\n\n', '. ', paragraphs[3] + '\n\n', '- ', ''];

test('after random edits the annotations built from patches equal a fresh annotation of the text', async () => {
  const parent = tempDir();
  // A clinical copy of the tiny model, so ConText (and its section defaults) takes part; routing off
  // because the router would not send a clinical model to news sentences.
  const clinical = copyPackage(await chattyTinyPackage(parent), 'tiny-clinical', (m) => (m.domain = 'clinical'), parent);
  const annotator = new Annotator([clinical], { executionProvider: 'cpu', routing: 'off', batchSize: 4 });
  const fresh = new Annotator([clinical], { executionProvider: 'cpu', routing: 'off' });
  try {
    await annotator.ready();
    for (let seed = 1; seed <= 6; seed++) {
      const rand = random(seed);
      const uri = `file:///doc${seed}.md`;
      let text = '# Notes\n\n' + paragraphs.slice(seed, seed + 12).join('\n\n') + '\n';
      const { analysis } = annotator.open(uri, 1, text, 'markdown');
      const receiver = new Receiver(uri);
      assert.equal(await analysis!.run({ onPatch: receiver.onPatch }), 'complete');
      assert.deepEqual(view(receiver.annotations), view(await fresh.annotate(uri, 1, text, 'markdown')), `seed ${seed}: first run`);
      for (let step = 2; step <= 12; step++) {
        const map = new EditMap();
        for (let e = 0; e < 1 + rand(2); e++) {
          const at = rand(text.length + 1);
          const remove = rand(3) === 0 ? rand(Math.min(60, text.length - at) + 1) : 0;
          const insert = EDITS[rand(EDITS.length)];
          map.add({ start: at, end: at + remove, insertedLength: insert.length });
          text = text.slice(0, at) + insert + text.slice(at + remove);
        }
        analysis!.update(text, step, map);
        receiver.edited(map, step);
        assert.equal(await analysis!.run({ onPatch: receiver.onPatch }), 'complete');
        const expected = await fresh.annotate(uri, step, text, 'markdown');
        assert.deepEqual(view(receiver.annotations), view(expected), `seed ${seed} step ${step}`);
      }
    }
  } finally {
    await annotator.dispose();
    await fresh.dispose();
  }
});

test('a one-word edit infers one sentence and patches only its paragraph; a stopped run resumes where it was', async () => {
  const annotator = new Annotator([await chattyTinyPackage()], { executionProvider: 'cpu', batchSize: 2 });
  try {
    await annotator.ready();
    const uri = 'file:///long.md';
    let text = paragraphs.join('\n\n') + '\n';
    const analysis = annotator.open(uri, 1, text, 'markdown').analysis as DocumentAnalysis;
    const receiver = new Receiver(uri);
    // Stop after the first wave: the run says so, and what it finished was sent.
    let calls = 0;
    const stop = { get aborted() { return calls++ > 3; } };
    assert.equal(await analysis.run({ stop, onPatch: receiver.onPatch, waveSentences: 4 }), 'stopped');
    const partial = receiver.annotations.sentences.length;
    assert.ok(partial > 0 && partial < paragraphs.length, `${partial} sentences sent before the stop`);
    assert.equal(await analysis.run({ onPatch: receiver.onPatch }), 'complete');
    assert.deepEqual(view(receiver.annotations), view(await annotator.annotate(uri, 1, text, 'markdown')));

    const paragraph = text.indexOf(paragraphs[20]);
    const at = paragraph + paragraphs[20].indexOf(' ') + 1; // after its first word
    const map = new EditMap();
    map.add({ start: at, end: at, insertedLength: 'Yesterday '.length });
    text = text.slice(0, at) + 'Yesterday ' + text.slice(at);
    analysis.update(text, 2, map);
    receiver.edited(map, 2);
    receiver.patches = [];
    assert.equal(await analysis.run({ onPatch: receiver.onPatch }), 'complete');
    const last = receiver.patches.at(-1)!;
    assert.equal(last.stats.inferred, 1);
    const patched = receiver.patches.flatMap((p) => p.ranges);
    assert.equal(patched.length, 1);
    assert.deepEqual([patched[0].start, patched[0].end], [paragraph, paragraph + paragraphs[20].length + 'Yesterday '.length + 2], 'the paragraph and its blank line');
    assert.deepEqual(view(receiver.annotations), view(await annotator.annotate(uri, 2, text, 'markdown')));
  } finally {
    await annotator.dispose();
  }
});

test('the visible range is analysed and sent first', async () => {
  const annotator = new Annotator([await chattyTinyPackage()], { executionProvider: 'cpu' });
  try {
    await annotator.ready();
    const text = paragraphs.join('\n\n') + '\n';
    const analysis = annotator.open('file:///v.md', 1, text, 'markdown').analysis as DocumentAnalysis;
    const visible = { start: text.indexOf(paragraphs[25]), end: text.indexOf(paragraphs[25]) + 10 };
    const patches: AnnotationPatch[] = [];
    await analysis.run({ visible, onPatch: (p) => patches.push(p), waveSentences: 2, patchIntervalMs: 0 });
    assert.ok(patches.length > 2);
    assert.ok(patches[0].ranges.some((r) => r.start <= visible.start && r.end >= visible.end), JSON.stringify(patches[0].ranges.map((r) => [r.start, r.end])));
    assert.ok(patches[0].progress && patches[0].progress.done < patches[0].progress.total);
    assert.ok(patches.at(-1)!.complete);
  } finally {
    await annotator.dispose();
  }
});

test('a new section heading re-tags the sentences after it without inferring them again', async () => {
  const parent = tempDir();
  const clinical = copyPackage(await chattyTinyPackage(parent), 'tiny-clinical', (m) => (m.domain = 'clinical'), parent);
  const annotator = new Annotator([clinical], { executionProvider: 'cpu', routing: 'off' });
  try {
    await annotator.ready();
    const uri = 'file:///section.md';
    let text = paragraphs.slice(0, 8).join('\n\n') + '\n';
    const analysis = annotator.open(uri, 1, text, 'markdown').analysis as DocumentAnalysis;
    const receiver = new Receiver(uri);
    await analysis.run({ onPatch: receiver.onPatch });
    assert.ok(!receiver.annotations.entities.some((e) => e.assertion.status === 'family'));
    for (const [version, edit] of [
      [2, (t: string) => '# Family History\n\n' + t],
      [3, (t: string) => t.replace('# Family History\n\n', '')],
    ] as const) {
      const next = edit(text);
      const map = new EditMap();
      const removed = text.length - next.length;
      map.add(removed > 0 ? { start: 0, end: removed, insertedLength: 0 } : { start: 0, end: 0, insertedLength: -removed });
      text = next;
      analysis.update(text, version, map);
      receiver.edited(map, version);
      receiver.patches = [];
      await analysis.run({ onPatch: receiver.onPatch });
      assert.equal(receiver.patches.at(-1)!.stats.inferred, 0, 'a heading is not inferred by a model that does not read headings');
      assert.deepEqual(view(receiver.annotations), view(await annotator.annotate(uri, version, text, 'markdown')));
      assert.equal(receiver.annotations.entities.some((e) => e.assertion.status === 'family'), version === 2);
    }
  } finally {
    await annotator.dispose();
  }
});

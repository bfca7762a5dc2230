import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chattyTinyPackage, conllTrain, copyPackage, tempDir, tinyPackageDir } from '../testing/fixtures';
import { AbortError, Annotator } from './annotator';
import { ModelPackageError } from '../model/package';
import { tokenizeWords } from '../text/wordTokenizer';
import { constrainRelations } from '../decoders/constraints';
import type { DocumentAnnotations } from '../annotations/types';
import { extensionRoot as extensionRootDir, sharedRoot as sharedDir } from '../paths';

/** A Markdown document of memorised CoNLL04 sentences, one paragraph each. */
function conllDocument(n: number): string {
  return '# Notes\n\n' + conllTrain(n).map((s) => s.tokens.join(' ')).join('\n\n') + '\n';
}

function assertConsistent(text: string, doc: DocumentAnnotations) {
  for (const e of doc.entities) {
    assert.equal(text.slice(e.start, e.end), e.text);
    assert.match(e.id, /^T\d+$/);
  }
  for (let i = 1; i < doc.entities.length; i++) {
    const a = doc.entities[i - 1], b = doc.entities[i];
    assert.ok(a.start < b.start || (a.start === b.start && a.end <= b.end), 'sorted by start, then end');
  }
  for (const r of doc.relations) assert.ok(doc.entities.includes(r.head) && doc.entities.includes(r.tail));
}

test('annotate: offsets map to the document; a second pass is all cache hits; one edit re-infers one sentence', async () => {
  const parent = tempDir();
  const annotator = new Annotator([await chattyTinyPackage(parent)], { executionProvider: 'cpu', batchSize: 4 });
  try {
    const text = conllDocument(10);
    const first = await annotator.annotate('file:///a.md', 1, text, 'markdown');
    assert.deepEqual(annotator.errors, []);
    const n = first.sentences.length;
    assert.ok(n >= 11); // heading + 10 paragraphs (some hold two sentences)
    assert.equal(first.stats.sentences, n);
    // the heading is not a sentence a model was trained on: it is never inferred
    assert.equal(first.sentences.filter((s) => s.kind === 'heading').length, 1);
    assert.equal(first.stats.inferred, n - 1);
    assert.ok(first.entities.length > 0);
    assertConsistent(text, first);

    const again = await annotator.annotate('file:///a.md', 2, text, 'markdown');
    assert.equal(again.stats.inferred, 0);
    assert.equal(again.stats.cacheHits, n - 1);
    assert.deepEqual(again.entities.map((e) => [e.start, e.end, e.type]), first.entities.map((e) => [e.start, e.end, e.type]));

    // edit one sentence (insert a word): only that one misses; the sentences after it moved and still hit
    const s3 = first.sentences[3];
    const edited = text.slice(0, s3.start) + 'Yesterday ' + text.slice(s3.start);
    const missesBefore = annotator.cacheStats().misses;
    const third = await annotator.annotate('file:///a.md', 3, edited, 'markdown');
    assert.equal(third.stats.inferred, 1);
    assert.equal(annotator.cacheStats().misses - missesBefore, 1);
    assertConsistent(edited, third);
  } finally {
    await annotator.dispose();
  }
});

test('a missing and a corrupt package give one error each; the good model keeps serving', async () => {
  const parent = tempDir();
  const good = await chattyTinyPackage(parent, 'good');
  const corrupt = copyPackage(tinyPackageDir, 'corrupt', () => undefined, parent);
  fs.truncateSync(path.join(corrupt, 'model.onnx'), 5000);
  const annotator = new Annotator(['no-such-model', corrupt, good], { executionProvider: 'cpu' });
  try {
    const text = conllDocument(20);
    const doc = await annotator.annotate('file:///b.md', 1, text, 'markdown');
    assert.equal(annotator.errors.length, 2);
    assert.ok(annotator.errors.every((e) => e instanceof ModelPackageError));
    assert.match(annotator.errors[0].message, /'no-such-model': not installed/);
    assert.match(annotator.errors[1].message, /'corrupt': checksum mismatch/);
    assert.deepEqual(doc.stats.models, ['good']);
    assert.deepEqual(annotator.loadedModels().map((m) => [m.id, m.provider]), [['good', 'cpu']]);
    assert.ok(doc.entities.length > 0);
  } finally {
    await annotator.dispose();
  }
});

test('two models: identical (span, type) merged keeping the higher score, others kept', async () => {
  const parent = tempDir();
  const a = await chattyTinyPackage(parent, 'model-a', 3);
  const b = await chattyTinyPackage(parent, 'model-b', 1); // same graph, higher thresholds
  const text = conllDocument(6);
  const one = new Annotator([a], { executionProvider: 'cpu' });
  const both = new Annotator([a, b], { executionProvider: 'cpu' });
  try {
    const docA = await one.annotate('u', 1, text, 'markdown');
    const docAB = await both.annotate('u', 1, text, 'markdown');
    // b's entities are a subset of a's (same graph, higher threshold): merging adds nothing new
    assert.deepEqual(docAB.entities.map((e) => [e.start, e.end, e.type, e.score]), docA.entities.map((e) => [e.start, e.end, e.type, e.score]));
    assert.equal(new Set(docAB.entities.map((e) => `${e.start}:${e.end}:${e.type}`)).size, docAB.entities.length, 'no duplicates');
    assert.deepEqual(docAB.stats.models, ['model-a', 'model-b']);
  } finally {
    await one.dispose();
    await both.dispose();
  }
});

test('bad input never throws: binary, huge line, odd Unicode, CRLF, empty; abort rejects between batches', async () => {
  const annotator = new Annotator([await chattyTinyPackage()], { executionProvider: 'cpu', batchSize: 2 });
  try {
    const bin = await annotator.annotate('u', 1, 'PNG\u0000\u0001\u0002 data', 'plaintext');
    assert.match(bin.skipped ?? '', /NUL bytes/);
    assert.equal(bin.entities.length, 0);
    const control = await annotator.annotate('u', 1, '\u0001\u0002\u0003\u0004 text '.repeat(100), 'plaintext');
    assert.match(control.skipped ?? '', /control/);
    assert.equal((await annotator.annotate('u', 1, '', 'markdown')).sentences.length, 0);

    const odd = 'Zoë 😀👍🏽 met מרשם in Paris.\r\nعربي text e\u0301 here.\r\n\u200b\u200d\uFEFF\r\n';
    const doc = await annotator.annotate('u', 1, odd, 'unknown-language');
    assertConsistent(odd, doc);

    const long = conllTrain(30).map((s) => s.tokens.join(' ')).join(' ; ').replace(/ \. /g, ' , ').slice(0, 20000);
    const t0 = Date.now();
    const big = await annotator.annotate('u', 1, long, 'plaintext');
    // segmentation cuts a run-on line into pieces of at most MAX_SENTENCE_WORDS; none is lost
    assert.ok(big.sentences.length > 5, 'the long line is cut into several sentences');
    assert.equal(big.sentences.reduce((n, s) => n + s.tokens.length, 0), tokenizeWords(long).length);
    assertConsistent(long, big);
    assert.ok(Date.now() - t0 < 60_000);

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(annotator.annotate('u', 1, conllDocument(5) + 'fresh text here.', 'markdown', { signal: controller.signal }), AbortError);
  } finally {
    await annotator.dispose();
  }
});

test('routing: on a clinical note the news model does not run, on news the clinical one does not; routing off runs both', async () => {
  const models = ['mge-clinical', 'mge-conll04'].map((id) => path.join(extensionRootDir, 'models', id));
  const note = fs.readFileSync(path.join(sharedDir, 'notes', '002-laparoscopic-gastric-bypass-consult-1.md'), 'utf8');
  const news = fs.readFileSync(path.join(extensionRootDir, 'examples', 'news.md'), 'utf8');
  const auto = new Annotator(models, { executionProvider: 'cpu' });
  const off = new Annotator(models, { executionProvider: 'cpu', routing: 'off' });
  try {
    const clinical = await auto.annotate('file:///note.md', 1, note, 'markdown');
    assert.deepEqual(clinical.stats.routing?.domains, ['clinical'], clinical.stats.routing?.reason);
    assert.deepEqual(clinical.stats.routing?.notRun, ['mge-conll04']);
    assert.ok(clinical.entities.every((e) => e.model === 'mge-clinical'));
    const general = await auto.annotate('file:///news.md', 1, news, 'markdown');
    assert.deepEqual(general.stats.routing?.notRun, ['mge-clinical']);
    assert.ok(general.entities.length > 0 && general.entities.every((e) => e.model === 'mge-conll04'));
    const both = await off.annotate('file:///note.md', 1, note, 'markdown');
    assert.equal(both.stats.routing, undefined);
    assert.deepEqual(new Set(both.entities.map((e) => e.model)), new Set(['mge-clinical', 'mge-conll04']));
    // headings are never entities: no annotation starts inside a heading line
    const headings = both.sentences.filter((s) => s.kind === 'heading');
    assert.ok(headings.length >= 5);
    assert.ok(both.entities.every((e) => !headings.some((h) => e.start >= h.start && e.start < h.end)));
  } finally {
    await auto.dispose();
    await off.dispose();
  }
});

test('relations whose argument types the training data never joined are dropped', async () => {
  const result = {
    entities: [
      { start: 0, end: 2, type: 'Peop', score: 0.9 },
      { start: 3, end: 4, type: 'Loc', score: 0.9 },
    ],
    relations: [
      { head: 0, tail: 1, type: 'Live_In', score: 0.8 },
      { head: 1, tail: 0, type: 'Live_In', score: 0.7 },
      { head: 0, tail: 1, type: 'Work_For', score: 0.6 },
    ],
  };
  const meta = JSON.parse(fs.readFileSync(path.join(extensionRootDir, 'models', 'mge-conll04', 'model.json'), 'utf8'));
  const kept = constrainRelations(result, meta.relation_arguments, meta.symmetric_relations);
  assert.deepEqual(kept.relations.map((r) => [r.head, r.tail, r.type]), [[0, 1, 'Live_In']]);
  assert.equal(constrainRelations(result, undefined), result, 'a package without relation_arguments is not constrained');
});

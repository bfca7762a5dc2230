import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chattyTinyPackage, conllTrain, copyPackage, tempDir, tinyPackageDir } from '../testing/fixtures';
import { AbortError, Annotator, priorityOrder } from './annotator';
import { ModelPackageError } from '../model/package';
import type { DocumentAnnotations } from './types';

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
    assert.equal(first.stats.inferred, n);
    assert.ok(first.entities.length > 0);
    assertConsistent(text, first);

    const again = await annotator.annotate('file:///a.md', 2, text, 'markdown');
    assert.equal(again.stats.inferred, 0);
    assert.equal(again.stats.cacheHits, n);
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
    assert.ok(big.sentences.some((s) => s.tokens.length > 128), 'the long line stays one long sentence (windowed by the runner)');
    assertConsistent(long, big);
    assert.ok(Date.now() - t0 < 60_000);

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(annotator.annotate('u', 1, conllDocument(5) + 'fresh text here.', 'markdown', { signal: controller.signal }), AbortError);
  } finally {
    await annotator.dispose();
  }
});

test('priority order puts the requested sentences first, each once', () => {
  assert.deepEqual(priorityOrder(5, [3, 3, 9, -1, 1]), [3, 1, 0, 2, 4]);
  assert.deepEqual(priorityOrder(3), [0, 1, 2]);
});

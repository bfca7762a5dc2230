/**
 * The scheduler with a fake annotator whose runs the test finishes by hand: debounce, cancellation of
 * stale runs, dropping of late results, close mid-run, and the shift of kept annotations on edits.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DocumentAnnotations } from '../pipeline/types';
import type { AnnotateOptions, AnnotatorPort } from './annotatorPort';
import { Logger } from './logger';
import { AnnotationScheduler, emptyAnnotations } from './scheduler';
import type { SchedulableDocument } from './scheduler';

interface PendingRun {
  version: number;
  text: string;
  options: AnnotateOptions;
  resolve(a: DocumentAnnotations): void;
}

/** An annotator whose calls wait until the test resolves them; aborts reject like the real one. */
function fakeAnnotator() {
  const runs: PendingRun[] = [];
  const port: AnnotatorPort = {
    annotate(uri, version, text, _languageId, options) {
      return new Promise((resolve, reject) => {
        runs.push({ version, text, options, resolve });
        options.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      });
    },
    problems: [],
    counters: () => ({ cacheHits: 0, cacheMisses: 0 }),
    executionProvider: () => 'cpu',
    models: () => ['fake'],
    dispose: async () => undefined,
  };
  return { port, runs };
}

function annotationsFor(uri: string, version: number, text: string): DocumentAnnotations {
  const start = text.indexOf('Paris');
  const entity = { id: 'T1', type: 'Loc', start, end: start + 5, text: 'Paris', score: 0.9, model: 'fake', sentence: 0, assertion: { status: 'present' as const } };
  return { ...emptyAnnotations(uri, version), entities: start >= 0 ? [entity] : [], sentences: [{ index: 0, text, start: 0, end: text.length, tokens: [], kind: 'sentence' }] };
}

function setup(debounceMs = 20) {
  const { port, runs } = fakeAnnotator();
  const docs = new Map<string, SchedulableDocument>();
  const published: DocumentAnnotations[] = [];
  const scheduler = new AnnotationScheduler({
    getDocument: (uri) => docs.get(uri),
    getAnnotator: async () => port,
    debounceMs: () => debounceMs,
    maxFileSize: () => 1000,
    onAnnotated: (_uri, a) => published.push(a),
    logger: new Logger({ error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined }),
  });
  const open = (uri: string, text: string, version = 1) => {
    docs.set(uri, { uri, version, languageId: 'markdown', getText: () => text });
  };
  return { scheduler, runs, docs, published, open };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('edits within the debounce window cause one run, for the last version', async () => {
  const { scheduler, runs, open } = setup(30);
  for (let v = 1; v <= 10; v++) {
    open('a', `text v${v}`, v);
    scheduler.schedule('a');
    await tick(2);
  }
  await tick(60);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].version, 10);
});

test('a newer version aborts the running one, and its late result is dropped', async () => {
  const { scheduler, runs, open, published } = setup(5);
  open('a', 'We met in Paris .', 1);
  scheduler.schedule('a', true);
  await tick(20);
  assert.equal(runs.length, 1);
  open('a', 'We met in Paris today .', 2);
  scheduler.schedule('a');
  assert.equal(runs[0].options.signal?.aborted, true, 'stale run aborted at once');
  runs[0].resolve(annotationsFor('a', 1, 'We met in Paris .')); // too late: ignored
  await tick(30);
  assert.equal(runs.length, 2);
  runs[1].resolve(annotationsFor('a', 2, 'We met in Paris today .'));
  await tick(5);
  assert.deepEqual(published.map((p) => p.version), [2]);
  assert.equal(scheduler.runsAborted, 1);
  assert.equal(scheduler.get('a')?.version, 2);
});

test('closing mid-run aborts it and nothing is published afterwards', async () => {
  const { scheduler, runs, open, docs, published } = setup(0);
  open('a', 'We met in Paris .');
  scheduler.schedule('a', true);
  await tick(10);
  docs.delete('a');
  scheduler.close('a');
  assert.equal(runs[0].options.signal?.aborted, true);
  runs[0].resolve(annotationsFor('a', 1, 'We met in Paris .'));
  await tick(10);
  assert.deepEqual(published, []);
  assert.equal(scheduler.get('a'), undefined);
});

test('kept annotations follow edits until the new run lands; edited sentences go first', async () => {
  const { scheduler, runs, open } = setup(0);
  const text = 'We met in Paris .';
  open('a', text);
  scheduler.schedule('a', true);
  await tick(10);
  runs[0].resolve(annotationsFor('a', 1, text));
  await tick(5);
  // Type 4 characters at the start: Paris moves right by 4 before any new inference.
  scheduler.applyEdit('a', { start: 0, end: 0, insertedLength: 4 }, 2);
  assert.equal(scheduler.get('a')?.entities[0].start, text.indexOf('Paris') + 4);
  assert.equal(scheduler.get('a')?.version, 2);
  open('a', 'Yes We met in Paris .', 2);
  scheduler.schedule('a');
  await tick(10);
  assert.deepEqual(runs[1].options.priority, [0], 'the edited sentence first');
});

test('oversized and binary documents are not sent to the model', async () => {
  const { scheduler, runs, open, published } = setup(0);
  open('big', 'x'.repeat(2000));
  open('bin', 'PK\u0003\u0004\u0000\u0000binary');
  scheduler.schedule('big', true);
  scheduler.schedule('bin', true);
  await tick(20);
  assert.equal(runs.length, 0);
  assert.deepEqual(published.map((p) => [p.uri, p.entities.length]), [['big', 0], ['bin', 0]]);
});

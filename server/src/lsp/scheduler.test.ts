/**
 * The scheduler with a fake analysis host whose runs the test ends by hand: adaptive debounce (at once
 * after idle, coalescing in a burst), one request in flight with the stale one stopped, every edit
 * reaching the next request, late patches moved to the current text, close mid-run.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { AnnotationPatch } from '../annotations/types';
import type { AnalysisHost } from './analysisHost';
import type { ToWorker } from './analysisProtocol';
import { Logger } from './logger';
import { emptyAnnotations } from '../annotations/empty';
import { AnnotationScheduler } from './scheduler';
import type { SchedulableDocument } from './scheduler';

type Request = Omit<Extract<ToWorker, { type: 'analyze' }>, 'type' | 'generation'>;

function fakeHost() {
  const requests: Request[] = [];
  const stopped: number[] = [];
  const closed: string[] = [];
  const host = {
    allocateSlot: () => 7,
    releaseSlot: (slot: number) => stopped.push(slot),
    stopSlot: (slot: number) => stopped.push(slot),
    analyze: (r: Request) => requests.push(r), // the generation is the request's number
    close: (uri: string) => closed.push(uri),
  } as unknown as AnalysisHost;
  return { host, requests, stopped, closed };
}

function setup(debounceMs = 40) {
  const fake = fakeHost();
  const docs = new Map<string, SchedulableDocument>();
  const published: Array<{ uri: string; entities: number; complete: boolean; version: number }> = [];
  const errors: string[] = [];
  const scheduler = new AnnotationScheduler({
    getDocument: (uri) => docs.get(uri),
    getHost: async () => fake.host,
    debounceMs: () => debounceMs,
    maxFileSize: () => 100_000,
    onAnnotated: (uri, a, complete) => published.push({ uri, entities: a.entities.length, complete, version: a.version }),
    logger: new Logger({ error: (m) => void errors.push(m), warn: () => undefined, info: () => undefined, log: () => undefined }),
  });
  let text = '';
  const open = (uri: string, t: string) => {
    text = t;
    docs.set(uri, { uri, version: 1, languageId: 'markdown', getText: () => text });
    scheduler.open(uri);
  };
  /** Inserts `s` at `at` as an editor would: document first, then the scheduler. */
  const type = (uri: string, at: number, s: string) => {
    const doc = docs.get(uri)!;
    text = text.slice(0, at) + s + text.slice(at);
    docs.set(uri, { ...doc, version: doc.version + 1, getText: () => text });
    scheduler.edit(uri, { start: at, end: at, insertedLength: s.length }, doc.version + 1);
    scheduler.changed(uri);
  };
  const finish = (uri: string, version: number, outcome: 'complete' | 'stopped' = 'complete') =>
    scheduler.onFinished(fake.host, { type: 'finished', uri, version, generation: fake.requests.findIndex((r) => r.version === version) + 1, outcome, inferred: 1, counters: { cacheHits: 0, cacheMisses: 0, cacheBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, documents: 0, problems: [] } });
  return { ...fake, scheduler, docs, published, errors, open, type, finish, text: () => text };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A patch with one entity "Paris" wherever it is in `text`, covering the whole text. */
function parisPatch(uri: string, version: number, text: string, complete = true): AnnotationPatch {
  const start = text.indexOf('Paris');
  const entity = { id: 'T1', type: 'Loc', start, end: start + 5, text: 'Paris', score: 0.9, model: 'fake', sentence: 0, assertion: { status: 'present' as const } };
  return {
    uri,
    version,
    complete,
    ranges: [{ start: 0, end: text.length, sentences: [{ index: 0, text, start: 0, end: text.length, tokens: [], kind: 'sentence' }], entities: start >= 0 ? [entity] : [], relations: [] }],
    stats: { ...emptyAnnotations(uri, version).stats },
  };
}

test('the first edit after idle goes out at once; a burst waits for its end and goes out as one request with every edit', async () => {
  const t = setup(40);
  t.open('a', 'We met in Paris .');
  await tick(5);
  assert.equal(t.requests.length, 1, 'opened: analysed at once');
  t.finish('a', 1);
  t.type('a', 0, 'So ');
  await tick(5);
  assert.equal(t.requests.length, 2, 'idle: the edit went out without waiting for the debounce');
  assert.deepEqual(t.requests[1].changes, [{ start: 0, end: 0, newLength: 3 }]);
  // A burst while that request runs: the run is stopped (its slot), nothing else goes out yet.
  for (let i = 0; i < 10_000; i++) t.type('a', t.text().length, 'x');
  assert.ok(t.stopped.length >= 1, 'the stale run was told to stop');
  assert.equal(t.requests.length, 2, 'one request in flight at a time');
  t.finish('a', 2, 'stopped');
  await tick(5);
  assert.equal(t.requests.length, 2, 'still in the burst: waits for debounceMs after the last edit');
  await tick(60);
  assert.equal(t.requests.length, 3, 'one request for the whole burst');
  const last = t.requests[2];
  assert.equal(last.version, 10_002);
  assert.equal(last.text, t.text());
  // Every edit since the previous request, composed: the 10,000 appended characters as one change.
  assert.deepEqual(last.changes, [{ start: 'So We met in Paris .'.length, end: 'So We met in Paris .'.length, newLength: 10_000 }]);
});

test('a patch for an older version lands at the right place in the current text; complete only when current', async () => {
  const t = setup(20);
  const text1 = 'We met in Paris .';
  t.open('a', text1);
  await tick(5);
  t.type('a', 0, 'Then ');
  t.scheduler.onPatch(t.host, parisPatch('a', 1, text1));
  const current = t.scheduler.get('a')!;
  assert.equal(current.version, 2);
  assert.equal(t.text().slice(current.entities[0].start, current.entities[0].end), 'Paris');
  assert.equal(t.published.at(-1)!.complete, false, 'the text changed since: not complete');
  let resolved = false;
  void t.scheduler.whenCurrent('a').then(() => (resolved = true));
  t.finish('a', 1);
  await tick(40);
  assert.equal(t.requests.length, 2);
  t.scheduler.onPatch(t.host, parisPatch('a', 2, t.text()));
  t.finish('a', 2);
  await tick(5);
  assert.ok(resolved);
  assert.deepEqual(t.published.at(-1), { uri: 'a', entities: 1, complete: true, version: 2 });
});

test('closing a document mid-run stops the run, tells the worker, and ignores what still arrives', async () => {
  const t = setup(20);
  t.open('a', 'We met in Paris .');
  await tick(5);
  t.docs.delete('a');
  t.scheduler.close('a');
  assert.deepEqual(t.closed, ['a']);
  assert.ok(t.stopped.includes(7));
  const before = t.published.length;
  t.scheduler.onPatch(t.host, parisPatch('a', 1, 'We met in Paris .'));
  t.finish('a', 1);
  assert.equal(t.published.length, before);
  assert.equal(t.scheduler.get('a'), undefined);
});

test('an oversized or binary document is cleared, not sent, and the worker forgets it', async () => {
  const t = setup(20);
  t.open('big', 'x'.repeat(100_001));
  await tick(5);
  assert.equal(t.requests.length, 0);
  assert.deepEqual(t.published.at(-1), { uri: 'big', entities: 0, complete: true, version: 1 });
  t.open('bin', 'PNG\u0000\u0001 data');
  await tick(5);
  assert.equal(t.requests.length, 0);
});

test('after the worker died, the document it was analysing is cleared until it changes; the others are sent again', async () => {
  const t = setup(20);
  t.open('a', 'We met in Paris .');
  await tick(5);
  assert.equal(t.requests.length, 1);
  t.scheduler.rescheduleAll(['a']);
  await tick(30);
  assert.equal(t.requests.length, 1, 'not sent again');
  assert.deepEqual(t.published.at(-1), { uri: 'a', entities: 0, complete: true, version: 1 });
  t.type('a', 0, 'So ');
  await tick(30);
  assert.equal(t.requests.length, 2, 'an edit gives it another chance');
});

test('a patch that cannot be applied clears the document with the reason, stops the run, and the next edit starts it afresh', async () => {
  const t = setup(20);
  t.open('a', 'We met in Paris .');
  await tick(5);
  assert.equal(t.requests.length, 1);
  const broken = { ...parisPatch('a', 1, 'We met in Paris .'), ranges: null } as unknown as AnnotationPatch;
  assert.doesNotThrow(() => t.scheduler.onPatch(t.host, broken));
  assert.equal(t.errors.length, 1);
  assert.match(t.errors[0], /could not be applied/);
  assert.ok(t.stopped.includes(7), 'the run was told to stop');
  assert.deepEqual(t.closed, ['a'], 'the worker forgets the document');
  assert.deepEqual(t.published.at(-1), { uri: 'a', entities: 0, complete: true, version: 1 });
  assert.match(t.scheduler.get('a')!.skipped ?? '', /could not be applied.*analysed again when it changes/);
  t.finish('a', 1, 'stopped');
  await tick(30);
  assert.equal(t.requests.length, 1, 'not retried on the same text');
  t.type('a', 0, 'So ');
  await tick(5);
  assert.equal(t.requests.length, 2, 'an edit analyses it again');
  t.scheduler.onPatch(t.host, parisPatch('a', 2, t.text()));
  assert.equal(t.scheduler.get('a')!.entities.length, 1);
});

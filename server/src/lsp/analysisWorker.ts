/**
 * The analysis worker: a worker thread that loads the models and analyses documents for the language
 * server (analysisProtocol.ts says why it is a thread). It keeps one DocumentAnalysis per open document,
 * so an edit costs the paragraphs it touched, and answers with patches as waves of sentences complete.
 *
 * Messages are handled one at a time, in order: a run for a document whose slot on the stop board no
 * longer holds the run's version stops before its next ORT call, and the next message is handled.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { Annotator } from '../pipeline/annotator';
import type { DocumentAnalysis } from '../pipeline/documentAnalysis';
import type { StopSignal } from '../model/abort';
import { EditMap } from '../text/editMap';
import type { FromWorker, ToWorker, WorkerCounters } from './analysisProtocol';
import { collectGarbage } from './compaction';

interface Held {
  analysis?: DocumentAnalysis;
  languageId: string;
}

let annotator: Annotator | undefined;
let board: Int32Array | undefined;
const documents = new Map<string, Held>();
const queue: ToWorker[] = [];
let pumping = false;

function post(message: FromWorker): void {
  parentPort!.postMessage(message);
}

function counters(): WorkerCounters {
  const s = annotator?.cacheStats();
  const heap = getHeapStatistics();
  return {
    cacheHits: s?.hits ?? 0,
    cacheMisses: s?.misses ?? 0,
    cacheBytes: s?.bytes ?? 0,
    heapUsedBytes: heap.used_heap_size,
    heapTotalBytes: heap.total_heap_size,
    externalBytes: heap.external_memory,
    documents: documents.size,
    problems: annotator?.errors.map((e) => ({ package: e.packageRef, message: e.problem })) ?? [],
  };
}

/** Stale as soon as the slot holds anything but `generation` (the loop writes the newest version there). */
function stopFor(slot: number, generation: number): StopSignal {
  return {
    get aborted() {
      return slot >= 0 && !!board && Atomics.load(board, slot) !== generation;
    },
  };
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      board = new Int32Array(m.board);
      const a = new Annotator(m.config.packageDirs, {
        executionProvider: m.config.executionProvider as never,
        threads: m.config.threads,
        cacheBytes: m.config.cacheBytes,
        ...(m.config.routing ? { routing: m.config.routing } : {}),
        ...(m.config.extensionRoot ? { extensionRoot: m.config.extensionRoot } : {}),
        log: (message) => post({ type: 'log', level: 'info', message }),
      });
      try {
        await a.ready();
      } catch (err) {
        post({ type: 'failed', message: (err as Error).message });
        return;
      }
      annotator = a;
      post({
        type: 'ready',
        models: a.loadedModels().map((l) => ({ id: l.id, provider: l.provider, graphSha256: l.graphSha256 })),
        problems: a.errors.map((e) => ({ package: e.packageRef, message: e.problem })),
      });
      return;
    }
    case 'close':
      documents.delete(m.uri);
      post({ type: 'counters', counters: counters() });
      return;
    case 'compact':
      collectGarbage();
      post({ type: 'counters', counters: counters() });
      return;
    case 'analyze':
      return analyze(m);
    case 'annotate': {
      if (!annotator) {
        post({ type: 'annotated', id: m.id, error: 'no model is loaded', counters: counters() });
        return;
      }
      const stop = stopFor(m.slot, m.generation);
      try {
        const { analysis, skipped } = annotator.open(m.uri, m.version, m.text, m.languageId);
        if (!analysis) {
          post({ type: 'annotated', id: m.id, annotations: annotator.empty(m.uri, m.version, skipped), counters: counters() });
          return;
        }
        const outcome = await analysis.run({ stop });
        if (outcome === 'stopped') post({ type: 'annotated', id: m.id, aborted: true, counters: counters() });
        else post({ type: 'annotated', id: m.id, annotations: analysis.snapshot(), counters: counters() });
      } catch (err) {
        post({ type: 'annotated', id: m.id, error: (err as Error).stack ?? String(err), counters: counters() });
      }
      return;
    }
  }
}

async function analyze(m: Extract<ToWorker, { type: 'analyze' }>): Promise<void> {
  let inferred = 0;
  const finished = (outcome: 'complete' | 'stopped' | 'skipped' | 'failed', reason?: string) =>
    post({ type: 'finished', uri: m.uri, version: m.version, generation: m.generation, outcome, ...(reason ? { reason } : {}), inferred, counters: counters() });
  if (!annotator) return finished('failed', 'no model is loaded');
  const stop = stopFor(m.slot, m.generation);
  try {
    let held = documents.get(m.uri);
    // The text is brought up to date even for a stale run: the next run's edits start from this version.
    if (held?.analysis && held.languageId === m.languageId) {
      const map = m.changes ? EditMap.of(m.changes) : undefined;
      held.analysis.update(m.text, m.version, map);
    } else {
      const { analysis, skipped } = annotator.open(m.uri, m.version, m.text, m.languageId);
      held = { analysis, languageId: m.languageId };
      documents.set(m.uri, held);
      if (!analysis) return finished('skipped', skipped);
    }
    if (stop.aborted) return finished('stopped');
    const outcome = await held.analysis!.run({
      stop,
      visible: m.visible,
      focus: m.focus,
      onPatch: (patch) => {
        inferred = patch.stats.inferred;
        post({ type: 'patch', patch });
      },
    });
    finished(outcome);
  } catch (err) {
    // The document's state may be half updated: start it afresh next time.
    documents.delete(m.uri);
    finished('failed', (err as Error).stack ?? String(err));
  }
}

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    while (queue.length > 0) await handle(queue.shift()!);
  } finally {
    pumping = false;
  }
}

if (parentPort) {
  parentPort.on('message', (m: ToWorker) => {
    queue.push(m);
    void pump();
  });
}

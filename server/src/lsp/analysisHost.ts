/**
 * The language server's handle on its analysis worker (analysisWorker.ts): starts it with the model
 * configuration, hands out stop-board slots, sends requests and passes patches and run ends on.
 *
 * A worker that dies (out of memory on a pathological document, a bug) is started again with the same
 * configuration, and the documents are analysed again: the message loop, and with it the editor
 * session, never goes down with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnnotationPatch, DocumentAnnotations } from '../annotations/types';
import { STOP_BOARD_SLOTS } from './analysisProtocol';
import type { AnnotateOptions } from '../pipeline/annotator';
import type { FromWorker, LoadedModelInfo, ToWorker, WorkerConfig, WorkerCounters } from './analysisProtocol';

export interface HostEvents {
  patch(patch: AnnotationPatch): void;
  finished(message: Extract<FromWorker, { type: 'finished' }>): void;
  /**
   * The worker was started again after it died: every document must be sent afresh, except `culprits`,
   * the documents it was analysing when it died (sent again, they would kill it again).
   */
  restarted(culprits: string[]): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** The worker script: next to this file, compiled (server/out/lsp) or bundled (dist/). */
function workerScript(): string {
  const beside = path.join(__dirname, 'analysisWorker.js');
  return fs.existsSync(beside) ? beside : path.join(__dirname, 'lsp', 'analysisWorker.js');
}

/** How many unexpected worker deaths in a row are retried before giving up. */
const MAX_RESTARTS = 3;
/**
 * V8 heap the worker may use: beyond it the worker dies (and is restarted), not the server.
 * ERLENS_WORKER_HEAP_MB lowers it, so that tests can make a document exhaust it.
 */
const WORKER_HEAP_MB = Number(process.env.ERLENS_WORKER_HEAP_MB) > 0 ? Number(process.env.ERLENS_WORKER_HEAP_MB) : 1536;
/**
 * The worker's young generation. Left to V8 it grows to 16 MB semi-spaces under the allocation rate of
 * analysis (tokens, windows, decoded spans: all short-lived) and stays that large; 6 MB keeps
 * scavenges short and the RSS flat over an editing session (`erlens bench --lsp`).
 */
const WORKER_YOUNG_GENERATION_MB = 6;

export class AnalysisHost {
  models: LoadedModelInfo[] = [];
  problems: { package: string; message: string }[] = [];
  counters: WorkerCounters = { cacheHits: 0, cacheMisses: 0, cacheBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, documents: 0, problems: [] };
  private worker!: Worker;
  private readonly board = new Int32Array(new SharedArrayBuffer(4 * STOP_BOARD_SLOTS));
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private generation = 0;
  private requests = 0;
  private readonly pending = new Map<number, { resolve(a: DocumentAnnotations | undefined): void; reject(e: Error): void }>();
  private restarts = 0;
  private disposed = false;
  /** Requests sent and not yet finished, by generation: what the worker was doing if it dies. */
  private readonly running = new Map<number, string>();

  private constructor(
    private readonly config: WorkerConfig,
    private readonly events: HostEvents,
  ) {}

  /** Starts a worker and loads the models; rejects when the worker cannot start at all. */
  static async start(config: WorkerConfig, events: HostEvents): Promise<AnalysisHost> {
    const host = new AnalysisHost(config, events);
    await host.spawn();
    return host;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerScript(), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      this.worker = worker;
      let ready = false;
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            ready = true;
            this.models = m.models;
            this.problems = m.problems;
            resolve();
            return;
          case 'failed':
            reject(new Error(m.message));
            return;
          case 'patch':
            this.events.patch(m.patch);
            return;
          case 'finished':
            this.counters = m.counters;
            this.restarts = 0;
            this.running.delete(m.generation);
            this.events.finished(m);
            return;
          case 'annotated': {
            this.counters = m.counters;
            const p = this.pending.get(m.id);
            this.pending.delete(m.id);
            if (!p) return;
            if (m.error) p.reject(new Error(m.error));
            else p.resolve(m.aborted ? undefined : m.annotations);
            return;
          }
          case 'counters':
            this.counters = m.counters;
            return;
          case 'log':
            this.events.log(m.level, m.message);
            return;
        }
      });
      worker.on('error', (err) => this.events.log('error', `analysis worker: ${err.stack ?? err.message}`));
      worker.on('exit', (code) => {
        if (!ready) {
          reject(new Error(`the analysis worker stopped before the models loaded (exit code ${code})`));
          return;
        }
        if (this.disposed || this.worker !== worker) return;
        for (const p of this.pending.values()) p.reject(new Error('the analysis worker stopped'));
        this.pending.clear();
        if (this.restarts >= MAX_RESTARTS) {
          this.events.log('error', `the analysis worker stopped (exit code ${code}) ${this.restarts} times in a row; documents are no longer analysed until the models are reloaded`);
          return;
        }
        this.restarts++;
        // The worker handles requests in order: the oldest unfinished one is the one it died on.
        const culprits = [...this.running.values()].slice(0, 1);
        this.running.clear();
        this.events.log('error', `the analysis worker stopped (exit code ${code}) while analysing ${culprits.join(', ') || 'nothing'}; starting it again`);
        this.spawn().then(
          () => this.events.restarted(culprits),
          (err) => this.events.log('error', `could not start the analysis worker again: ${(err as Error).message}`),
        );
      });
      this.send({ type: 'init', config: this.config, board: this.board.buffer as SharedArrayBuffer });
    });
  }

  private send(message: ToWorker): void {
    if (!this.disposed) this.worker.postMessage(message);
  }

  /** A stop-board slot for a document (or -1 when all are taken: its runs are then only stopped by messages). */
  allocateSlot(): number {
    if (this.freeSlots.length > 0) return this.freeSlots.pop()!;
    return this.nextSlot < STOP_BOARD_SLOTS ? this.nextSlot++ : -1;
  }

  releaseSlot(slot: number): void {
    if (slot < 0) return;
    this.stopSlot(slot);
    this.freeSlots.push(slot);
  }

  /** Whatever runs for the slot stops before its next batch. */
  stopSlot(slot: number): void {
    if (slot >= 0) Atomics.store(this.board, slot, ++this.generation);
  }

  /** Starts an analysis of a document's version; its patches and its end come through the events. Returns its generation. */
  analyze(request: Omit<Extract<ToWorker, { type: 'analyze' }>, 'type' | 'generation'>): number {
    const generation = ++this.generation;
    if (request.slot >= 0) Atomics.store(this.board, request.slot, generation);
    this.running.set(generation, request.uri);
    this.send({ type: 'analyze', generation, ...request });
    return generation;
  }

  /** A full garbage collection in the worker, after the requests before it. */
  compact(): void {
    this.send({ type: 'compact' });
  }

  /** The worker forgets a document (its next analysis starts afresh). */
  close(uri: string): void {
    this.send({ type: 'close', uri });
  }

  /**
   * Annotations of a whole text, without keeping it (exports of files that are not open). Resolves
   * undefined when `signal` aborted it; the run stops before its next batch.
   */
  annotate(uri: string, version: number, text: string, languageId: string, { signal }: AnnotateOptions = {}): Promise<DocumentAnnotations | undefined> {
    const id = ++this.requests;
    const slot = this.allocateSlot();
    const generation = ++this.generation;
    if (slot >= 0) Atomics.store(this.board, slot, generation);
    return new Promise<DocumentAnnotations | undefined>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      signal?.onAbort?.(() => this.stopSlot(slot));
      if (signal?.aborted) this.stopSlot(slot);
      this.send({ type: 'annotate', id, slot, generation, uri, version, languageId, text });
    }).finally(() => this.releaseSlot(slot));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of this.pending.values()) p.reject(new Error('the models were unloaded'));
    this.pending.clear();
    await this.worker.terminate().catch(() => undefined);
  }
}

/**
 * The messages between the language server's message loop and its analysis worker (analysisWorker.ts),
 * which owns the ONNX Runtime sessions, the caches and one DocumentAnalysis per open document.
 *
 * ORT runs a batch synchronously on the thread that calls it (onnxruntime-node's `run` only defers
 * to setImmediate), so inference on the message loop would block hovers for the length of a batch;
 * segmentation of a pathological document would block it too. In the worker, both leave the loop free.
 *
 * Cancellation does not wait for a message: every run carries a slot of a shared Int32Array (the stop
 * board) and a generation number, unique per request, that the loop wrote there when it sent the
 * request; an edit or a close writes a new number, and the worker compares before every ORT call.
 */
import type { AnnotationPatch, DocumentAnnotations } from '../annotations/types';
import type { Change } from '../text/editMap';

export interface WorkerConfig {
  packageDirs: string[];
  executionProvider: string;
  threads: number;
  cacheBytes: number;
  routing?: 'auto' | 'off';
  extensionRoot?: string;
}

export interface LoadedModelInfo {
  id: string;
  provider: string;
  graphSha256: string;
}

export type ToWorker =
  | { type: 'init'; config: WorkerConfig; board: SharedArrayBuffer }
  | {
      type: 'analyze';
      uri: string;
      slot: number;
      /** Unique per request: the run stops once the slot holds anything else. */
      generation: number;
      version: number;
      languageId: string;
      text: string;
      /** The edits since the previous analyze of this document (its coordinates); null: compare the texts. */
      changes: Change[] | null;
      visible?: { start: number; end: number };
      focus?: number[];
    }
  | { type: 'close'; uri: string }
  /** The user paused after much work: a full garbage collection of the worker's heap. */
  | { type: 'compact' }
  | { type: 'annotate'; id: number; slot: number; generation: number; uri: string; version: number; languageId: string; text: string };

export type FromWorker =
  | { type: 'ready'; models: LoadedModelInfo[]; problems: { package: string; message: string }[] }
  | { type: 'failed'; message: string }
  | { type: 'patch'; patch: AnnotationPatch }
  | {
      type: 'finished';
      uri: string;
      version: number;
      /** The request's generation: which request this is the end of. */
      generation: number;
      outcome: 'complete' | 'stopped' | 'skipped' | 'failed';
      /** Why the document is not analysed (binary, too large), or what failed. */
      reason?: string;
      /** Sentences the run inferred (cache misses). */
      inferred: number;
      counters: WorkerCounters;
    }
  | { type: 'annotated'; id: number; annotations?: DocumentAnnotations; aborted?: boolean; error?: string; counters: WorkerCounters }
  | { type: 'counters'; counters: WorkerCounters }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export interface WorkerCounters {
  cacheHits: number;
  cacheMisses: number;
  cacheBytes: number;
  /** The worker's V8 heap in use and allocated (its native memory, ORT's, is only in the process RSS). */
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory of the worker's objects held outside its heap (ArrayBuffers: tensors, token id arrays). */
  externalBytes: number;
  /** Documents the worker keeps an analysis of. */
  documents: number;
  problems: { package: string; message: string }[];
}

/** Slots on the stop board: one per open document and per running one-off annotation. */
export const STOP_BOARD_SLOTS = 4096;

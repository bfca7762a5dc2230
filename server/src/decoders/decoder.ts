/**
 * What a decoder family is to the runner: a function from a whole ORT batch of raw graph outputs to
 * word-level results, with a check of its part of model.json. A family with further graph stages
 * (model.json `stages`) runs them through the DecodeContext the runner hands it, so the runner does not
 * care which family a package uses. The families register in index.ts.
 */
import type * as ort from 'onnxruntime-node';
import { ModelPackageError } from './manifest';
import type { DecoderManifest } from './manifest';
import type { SentenceResult } from './types';

/** What a decoder may use besides the main graph's outputs. */
export interface DecodeContext {
  readonly meta: DecoderManifest;
  /**
   * Runs further graph stage `name` (a key of model.json `stages`) on a batch. The runner owns the
   * returned tensors and disposes them once decoding of the batch is over.
   */
  runStage(name: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  /**
   * Upper bound on batch x pairs x words x features of one span-pairs stage call (the stage pools
   * features between the spans of every pair, a [B,P,N,D] intermediate); longer pair lists are
   * scored in several calls. Absent: DEFAULT_PAIR_STAGE_CELLS.
   */
  readonly pairStageCells?: number;
}

export interface Decoder {
  readonly name: string;
  /** The first problem with this family's part of model.json, or null (checked when a package loads). */
  check(meta: DecoderManifest): string | null;
  /** Graph stages besides the main graph this family runs; their sessions are created with the main one. */
  readonly stages?: readonly string[];
  /** Feeds that exercise stage `name` once, built from the main graph's outputs on a probe sentence. */
  probeStage?(name: string, mainOutputs: Record<string, ort.Tensor>, meta: DecoderManifest): Record<string, ort.Tensor>;
  /** Results for every batch row, in order; row b is a sentence of nWords[b] words. */
  decode(outputs: Record<string, ort.Tensor>, nWords: readonly number[], ctx: DecodeContext): SentenceResult[] | Promise<SentenceResult[]>;
}

/** Decode batch row `batchIndex` (a sentence of `nWords` words) of a graph's outputs. */
export type RowDecoder = (outputs: Record<string, ort.Tensor>, batchIndex: number, nWords: number, meta: DecoderManifest) => SentenceResult;

/** A family that decodes each batch row on its own, with no further stages. */
export function rowDecoder(name: string, row: RowDecoder, check: (meta: DecoderManifest) => string | null): Decoder {
  return { name, check, decode: (outputs, nWords, ctx) => nWords.map((n, b) => row(outputs, b, n, ctx.meta)) };
}

export function graphOutput(outputs: Record<string, ort.Tensor>, name: string, meta: DecoderManifest): ort.Tensor {
  const t = outputs[name];
  if (!t) throw new ModelPackageError(meta.id, `the graph has no output '${name}'`);
  return t;
}

export function checkLastAxis(t: ort.Tensor, rank: number, expected: number, what: string, meta: DecoderManifest): void {
  if (t.dims.length !== rank || t.dims[rank - 1] !== expected) {
    throw new ModelPackageError(meta.id, `${what} has shape [${t.dims.join(',')}], expected ${rank} axes ending in ${expected}`);
  }
}

export const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Decoder registry: model.json `decoder` -> the family that turns a batch of raw graph outputs into
 * word-level results.
 *
 *   span-table  PFN, MGE              entity / relation tables            (spanTable.ts)
 *   tag-table   Table-Sequence,       tags per word, labels per word pair (tagTable.ts)
 *               TablERT-CNN
 *   span-pairs  STSN                  span classes, then a second graph   (spanPairs.ts)
 *                                     stage scores pairs of kept spans
 *
 * A decoder sees a whole ORT batch and may be async: a family with further graph stages (model.json
 * `stages`) runs them through the DecodeContext the runner hands it, so the runner does not care which
 * family a package uses.
 */
import * as ort from 'onnxruntime-node';
import type { SentenceResult } from '../pipeline/types';
import { ModelMeta, ModelPackageError, StageMeta } from '../model/package';
import { decodePairs, decodeSpans, pairIndex, spanView } from './spanPairs';
import { decodeTables, tableView } from './spanTable';
import { decodeTagTable, rowsView, tagCount } from './tagTable';

/** What a decoder may use besides the main graph's outputs. */
export interface DecodeContext {
  readonly meta: ModelMeta;
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
  check(meta: ModelMeta): string | null;
  /** Graph stages besides the main graph this family runs; their sessions are created with the main one. */
  readonly stages?: readonly string[];
  /** Feeds that exercise stage `name` once, built from the main graph's outputs on a probe sentence. */
  probeStage?(name: string, mainOutputs: Record<string, ort.Tensor>, meta: ModelMeta): Record<string, ort.Tensor>;
  /** Results for every batch row, in order; row b is a sentence of nWords[b] words. */
  decode(outputs: Record<string, ort.Tensor>, nWords: readonly number[], ctx: DecodeContext): SentenceResult[] | Promise<SentenceResult[]>;
}

/** Decode batch row `batchIndex` (a sentence of `nWords` words) of a graph's outputs. */
export type RowDecoder = (outputs: Record<string, ort.Tensor>, batchIndex: number, nWords: number, meta: ModelMeta) => SentenceResult;

/** A family that decodes each batch row on its own, with no further stages. */
export function rowDecoder(name: string, row: RowDecoder, check: (meta: ModelMeta) => string | null): Decoder {
  return { name, check, decode: (outputs, nWords, ctx) => nWords.map((n, b) => row(outputs, b, n, ctx.meta)) };
}

function output(outputs: Record<string, ort.Tensor>, name: string, meta: ModelMeta): ort.Tensor {
  const t = outputs[name];
  if (!t) throw new ModelPackageError(meta.id, `the graph has no output '${name}'`);
  return t;
}

function lastAxis(t: ort.Tensor, rank: number, expected: number, what: string, meta: ModelMeta): void {
  if (t.dims.length !== rank || t.dims[rank - 1] !== expected) {
    throw new ModelPackageError(meta.id, `${what} has shape [${t.dims.join(',')}], expected ${rank} axes ending in ${expected}`);
  }
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

// ---- span-table -------------------------------------------------------------------------------

export const decodeSpanTable: RowDecoder = (outputs, b, nWords, meta) => {
  const [entName = 'entity_probs', relName = 'relation_probs'] = meta.outputs;
  const ent = output(outputs, entName, meta);
  const rel = output(outputs, relName, meta);
  return decodeTables(tableView(ent.data as Float32Array, ent.dims, b), tableView(rel.data as Float32Array, rel.dims, b), nWords, {
    entityTypes: meta.entity_types,
    relationTypes: meta.relation_types,
    symmetricRelations: meta.symmetric_relations ?? [],
    entityThreshold: meta.thresholds!.entity!,
    relationThreshold: meta.thresholds!.relation!,
    pairPolicy: meta.pair_policy ?? 'all',
  });
};

export const spanTableDecoder = rowDecoder('span-table', decodeSpanTable, (meta) => {
  if (!isNumber(meta.thresholds?.entity) || !isNumber(meta.thresholds?.relation)) return 'model.json has no thresholds (entity, relation)';
  if (meta.pair_policy !== 'all' && meta.pair_policy !== 'best') return `pair_policy must be 'all' or 'best', not ${JSON.stringify(meta.pair_policy)}`;
  return null;
});

// ---- tag-table --------------------------------------------------------------------------------

export const decodeTagTableRow: RowDecoder = (outputs, b, nWords, meta) => {
  const [tagName = 'tag_probs', tableName = 'table_probs'] = meta.outputs;
  const tags = output(outputs, tagName, meta);
  const table = output(outputs, tableName, meta);
  const tagging = meta.decoding!.tagging as 'BIO' | 'BILOU';
  lastAxis(tags, 3, tagCount(tagging, meta.entity_types.length), `output '${tagName}'`, meta);
  lastAxis(table, 4, 2 * meta.relation_types.length + 1, `output '${tableName}'`, meta);
  return decodeTagTable(rowsView(tags.data as Float32Array, tags.dims, b), tableView(table.data as Float32Array, table.dims, b), nWords, {
    entityTypes: meta.entity_types,
    relationTypes: meta.relation_types,
    tagging,
    relationCells: meta.decoding!.relation_cells as 'block' | 'last-word',
  });
};

export const tagTableDecoder = rowDecoder('tag-table', decodeTagTableRow, (meta) => {
  const d = meta.decoding;
  if (!d || (d.tagging !== 'BIO' && d.tagging !== 'BILOU')) return `decoding.tagging must be 'BIO' or 'BILOU', not ${JSON.stringify(d?.tagging)}`;
  if (d.relation_cells !== 'block' && d.relation_cells !== 'last-word') {
    return `decoding.relation_cells must be 'block' or 'last-word', not ${JSON.stringify(d.relation_cells)}`;
  }
  return null;
});

// ---- span-pairs -------------------------------------------------------------------------------

/** See DecodeContext.pairStageCells: 2^24 floats, 64 MiB for the stage's largest intermediate. */
export const DEFAULT_PAIR_STAGE_CELLS = 1 << 24;
/**
 * Safety valve, not part of the spec: an uncalibrated graph that keeps every span would ask for
 * millions of pairs per sentence. Only the first pairs in pair_index order are scored.
 */
export const DEFAULT_MAX_PAIRS = 20_000;

/** The relation threshold: `thresholds.relation` (the knob every family shares), else `decoding.rel_threshold`. */
export function spanPairsThreshold(meta: ModelMeta): number {
  return isNumber(meta.thresholds?.relation) ? meta.thresholds.relation : (meta.decoding?.rel_threshold as number);
}

function pairsStage(meta: ModelMeta): StageMeta {
  return meta.stages!.pairs;
}

export const spanPairsDecoder: Decoder = {
  name: 'span-pairs',
  stages: ['pairs'],
  check(meta) {
    if (!isNumber(meta.thresholds?.relation) && !isNumber(meta.decoding?.rel_threshold)) return 'model.json has no relation threshold (thresholds.relation or decoding.rel_threshold)';
    const suppress = meta.decoding?.suppress_overlaps;
    if (suppress !== undefined && typeof suppress !== 'boolean') return `decoding.suppress_overlaps must be true or false, not ${JSON.stringify(suppress)}`;
    const stage = meta.stages?.pairs;
    if (!stage) return "the span-pairs decoder needs a 'pairs' stage in model.json stages";
    if (stage.inputs.length !== 2 || stage.outputs.length !== 1) return "stage 'pairs' must have two inputs (relation features, pair index) and one output";
    if (meta.outputs.length < 2) return 'model.json outputs must name the span probabilities and the relation features';
    return null;
  },
  probeStage(_name, mainOutputs, meta) {
    const stage = pairsStage(meta);
    return { [stage.inputs[0]]: mainOutputs[meta.outputs[1]], [stage.inputs[1]]: new ort.Tensor('int64', new BigInt64Array(4), [1, 1, 4]) };
  },
  async decode(outputs, nWords, ctx) {
    const meta = ctx.meta;
    const spans = output(outputs, meta.outputs[0], meta);
    const features = output(outputs, meta.outputs[1], meta);
    lastAxis(spans, 4, meta.entity_types.length + 1, `output '${meta.outputs[0]}'`, meta);
    const suppress = meta.decoding?.suppress_overlaps === true;
    const entities = nWords.map((n, b) => decodeSpans(spanView(spans.data as Float32Array, spans.dims, b), n, meta.entity_types, suppress));
    const rows = entities.map((e) => pairIndex(e, DEFAULT_MAX_PAIRS));
    const R = meta.relation_types.length;
    const probs = rows.map((r) => new Float64Array(r.length * R));
    const P = Math.max(0, ...rows.map((r) => r.length));
    if (P > 0 && R > 0) {
      const stage = pairsStage(meta);
      const B = nWords.length;
      const [, N = 1, D = 1] = features.dims;
      const chunk = Math.max(1, Math.floor((ctx.pairStageCells ?? DEFAULT_PAIR_STAGE_CELLS) / (B * N * D)));
      for (let from = 0; from < P; from += chunk) {
        const count = Math.min(chunk, P - from);
        const index = new BigInt64Array(B * count * 4); // padding rows stay [0,0,0,0]
        rows.forEach((r, b) => {
          for (let k = 0; k < count && from + k < r.length; k++) {
            for (let c = 0; c < 4; c++) index[(b * count + k) * 4 + c] = BigInt(r[from + k][c]);
          }
        });
        const out = await ctx.runStage('pairs', { [stage.inputs[0]]: features, [stage.inputs[1]]: new ort.Tensor('int64', index, [B, count, 4]) });
        const rel = output(out, stage.outputs[0], meta);
        if (rel.dims.length !== 3 || rel.dims[0] !== B || rel.dims[1] !== count || rel.dims[2] !== R) {
          throw new ModelPackageError(meta.id, `stage 'pairs' output has shape [${rel.dims.join(',')}], expected [${B},${count},${R}]`);
        }
        const data = rel.data as Float32Array;
        rows.forEach((r, b) => {
          for (let k = 0; k < count && from + k < r.length; k++) {
            for (let t = 0; t < R; t++) probs[b][(from + k) * R + t] = data[(b * count + k) * R + t];
          }
        });
      }
    }
    const threshold = spanPairsThreshold(meta);
    return entities.map((e, b) => ({
      entities: e,
      relations: decodePairs(e, (row, r) => probs[b][row * R + r], meta.relation_types, threshold, rows[b].length),
    }));
  },
};

// ---- registry ---------------------------------------------------------------------------------

const registry = new Map<string, Decoder>([spanTableDecoder, tagTableDecoder, spanPairsDecoder].map((d) => [d.name, d]));

export function registerDecoder(decoder: Decoder): void {
  registry.set(decoder.name, decoder);
}

export function knownDecoders(): string[] {
  return [...registry.keys()];
}

/** The decoder a package names, after checking its part of model.json; problems are package errors. */
export function decoderFor(meta: ModelMeta): Decoder {
  const d = registry.get(meta.decoder);
  if (!d) throw new ModelPackageError(meta.id, `unknown decoder '${meta.decoder}' (this ERlens knows: ${knownDecoders().join(', ')})`);
  const problem = d.check(meta);
  if (problem) throw new ModelPackageError(meta.id, problem);
  return d;
}

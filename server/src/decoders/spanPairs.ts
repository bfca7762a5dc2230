/**
 * STSN outputs -> entities and relations (spec/decoder-span-pairs.md; twin of
 * erlens_train/decode_span_pairs.py). Checked against spec/fixtures/span-pairs-decoder.json.
 *
 * Decoding runs in two halves because the second graph stage needs the kept spans:
 *   entities = decodeSpans(...) -> pairIndex(entities) -> stage "pairs" -> probabilities
 *   relations = decodePairs(entities, probabilities, ...)
 */
import type { WordEntity, WordRelation } from './types';
import { argmax } from './tagTable';
import * as ort from 'onnxruntime-node';
import { checkLastAxis, graphOutput, isNumber } from './decoder';
import type { Decoder } from './decoder';
import { ModelPackageError } from './manifest';
import type { DecoderManifest, StageMeta } from './manifest';

/** Read access to one sentence's [N,W,C] slice of a [B,N,W,C] output (C = |E|+1, class 0 = no entity). */
export interface SpanTable {
  /** W: spans from word i cover words i..i+w for w < width. */
  readonly width: number;
  readonly classes: number;
  get(i: number, w: number, c: number): number;
}

/** A row-major float array [B,N,W,C] viewed at batch row `b`. */
export function spanView(data: ArrayLike<number>, dims: readonly number[], b: number): SpanTable {
  const [, N, W, C] = dims;
  const base = b * N * W * C;
  return { width: W, classes: C, get: (i, w, c) => Number(data[base + (i * W + w) * C + c]) };
}

/**
 * Every span inside the sentence whose argmax class is a real type (score = its probability), sorted by
 * (start, end). With `suppressOverlaps`, a greedy pass by score (ties: earlier start, then shorter)
 * keeps only spans that share no word with a span kept before.
 */
export function decodeSpans(spans: SpanTable, nWords: number, entityTypes: readonly string[], suppressOverlaps = false): WordEntity[] {
  let kept: WordEntity[] = [];
  for (let i = 0; i < nWords; i++) {
    for (let w = 0; w < spans.width; w++) {
      if (i + w >= nWords) break;
      const [k, p] = argmax(spans.classes, (c) => spans.get(i, w, c));
      if (k) kept.push({ start: i, end: i + w + 1, type: entityTypes[k - 1], score: p });
    }
  }
  if (suppressOverlaps) {
    const chosen: WordEntity[] = [];
    const taken = new Array<boolean>(nWords).fill(false);
    const order = [...kept].sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : 0) || a.start - b.start || a.end - b.end);
    for (const e of order) {
      let free = true;
      for (let t = e.start; t < e.end; t++) if (taken[t]) free = false;
      if (!free) continue;
      chosen.push(e);
      for (let t = e.start; t < e.end; t++) taken[t] = true;
    }
    kept = chosen.sort((a, b) => a.start - b.start || a.end - b.end);
  }
  return kept;
}

/**
 * Rows [head start, head last word, tail start, tail last word] for every ordered pair of distinct
 * entities, head-major: the input of the "pairs" stage. `limit`: at most that many rows (the first ones).
 */
export function pairIndex(entities: readonly WordEntity[], limit = Number.MAX_SAFE_INTEGER): Array<[number, number, number, number]> {
  const rows: Array<[number, number, number, number]> = [];
  for (let a = 0; a < entities.length; a++) {
    for (let b = 0; b < entities.length; b++) {
      if (rows.length >= limit) return rows;
      const h = entities[a];
      const t = entities[b];
      if (a !== b) rows.push([h.start, h.end - 1, t.start, t.end - 1]);
    }
  }
  return rows;
}

/**
 * `pairProbs(row, r)`: the pairs stage's probability of relation type r for row `row` of pairIndex.
 * Every type with probability >= relThreshold gives a relation (several per pair allowed).
 * `maxPairs` (a safety valve, not part of the spec): rows at or past it were not scored and give nothing.
 */
export function decodePairs(
  entities: readonly WordEntity[],
  pairProbs: (row: number, r: number) => number,
  relationTypes: readonly string[],
  relThreshold: number,
  maxPairs = Number.MAX_SAFE_INTEGER,
): WordRelation[] {
  const relations: WordRelation[] = [];
  let row = 0;
  for (let a = 0; a < entities.length; a++) {
    for (let b = 0; b < entities.length; b++) {
      if (a === b) continue;
      if (row >= maxPairs) return relations;
      for (let r = 0; r < relationTypes.length; r++) {
        const p = pairProbs(row, r);
        if (p >= relThreshold) relations.push({ head: a, tail: b, type: relationTypes[r], score: p });
      }
      row++;
    }
  }
  return relations;
}

// ---- the family as the runner sees it (raw ORT outputs -> the functions above) ----

/** See DecodeContext.pairStageCells: 2^24 floats, 64 MiB for the stage's largest intermediate. */
export const DEFAULT_PAIR_STAGE_CELLS = 1 << 24;
/**
 * Safety valve, not part of the spec: an uncalibrated graph that keeps every span would ask for
 * millions of pairs per sentence. Only the first pairs in pair_index order are scored.
 */
export const DEFAULT_MAX_PAIRS = 20_000;

/** The relation threshold: `thresholds.relation` (the knob every family shares), else `decoding.rel_threshold`. */
export function spanPairsThreshold(meta: DecoderManifest): number {
  return isNumber(meta.thresholds?.relation) ? meta.thresholds.relation : (meta.decoding?.rel_threshold as number);
}

function pairsStage(meta: DecoderManifest): StageMeta {
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
    const spans = graphOutput(outputs, meta.outputs[0], meta);
    const features = graphOutput(outputs, meta.outputs[1], meta);
    checkLastAxis(spans, 4, meta.entity_types.length + 1, `output '${meta.outputs[0]}'`, meta);
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
        const rel = graphOutput(out, stage.outputs[0], meta);
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

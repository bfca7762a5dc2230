/**
 * STSN outputs -> entities and relations (spec/decoder-span-pairs.md; twin of
 * erlens_train/decode_spans.py). Checked against spec/fixtures/span-pairs-decoder.json.
 *
 * Decoding runs in two halves because the second graph stage needs the kept spans:
 *   entities = decodeSpans(...) -> pairIndex(entities) -> stage "pairs" -> probabilities
 *   relations = decodePairs(entities, probabilities, ...)
 */
import type { WordEntity, WordRelation } from '../pipeline/types';
import { argmax } from './tagTable';

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

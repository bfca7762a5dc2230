/**
 * Table-Sequence / TablERT-CNN outputs -> entities and relations (spec/decoder-tag-table.md; twin of
 * erlens_train/decode_tag_table.py). Checked against spec/fixtures/tag-table-decoder.json.
 *
 * tags [N,T] (softmax per word): 0 = O, then B,I (BIO) or B,I,L,U (BILOU) per entity type;
 * table [N,N,2|R|+1] (softmax per word-pair cell): 0 = none, 1+2r = r forward, 2+2r = r backward.
 *
 * Every sum runs in float64 in the same order as the Python side, so scores agree to the last bit.
 */
import type { SentenceResult } from './types';
import { tableView } from './spanTable';
import type { Table3 } from './spanTable';
import { checkLastAxis, graphOutput, rowDecoder } from './decoder';
import type { RowDecoder } from './decoder';

export type Tagging = 'BIO' | 'BILOU';
export type RelationCells = 'block' | 'last-word';

/** Read access to one sentence's [N,K] slice of a [B,N,K] output. */
export interface Table2 {
  get(i: number, k: number): number;
}

/** A row-major float array [B,N,K] viewed at batch row `b`. */
export function rowsView(data: ArrayLike<number>, dims: readonly number[], b: number): Table2 {
  const N = dims[1];
  const K = dims[2];
  const base = b * N * K;
  return { get: (i, k) => Number(data[base + i * K + k]) };
}

export interface TagTableSchema {
  entityTypes: readonly string[];
  relationTypes: readonly string[];
  tagging: Tagging;
  relationCells: RelationCells;
}

/** Index and value of the first maximum of `get(0..size-1)` (ties go to the lower index). */
export function argmax(size: number, get: (k: number) => number): [number, number] {
  let best = 0;
  let bestP = get(0);
  for (let k = 1; k < size; k++) {
    const p = get(k);
    if (p > bestP) {
      best = k;
      bestP = p;
    }
  }
  return [best, bestP];
}

/** [start, endExclusive, typeIndex, score] */
type Span = [number, number, number, number];
/** [head, tail, relationTypeIndex, score] */
type Rel = [number, number, number, number];

/** Number of tags a graph must output for `nTypes` entity types. */
export function tagCount(tagging: Tagging, nTypes: number): number {
  return 1 + (tagging === 'BIO' ? 2 : 4) * nTypes;
}

/**
 * Spans from the argmax tag of each word; score = mean of the chosen tags' probabilities.
 * BIO: B opens; I continues an open entity of its type, otherwise opens a new one; O and a type change
 * close. BILOU: a running start; O moves it past the word; B and I continue; L and U close an entity
 * from the running start to this word, typed by this word.
 */
export function tagSpans(tags: Table2, n: number, nTypes: number, tagging: Tagging): Span[] {
  const width = tagging === 'BIO' ? 2 : 4;
  const T = tagCount(tagging, nTypes);
  const chosen: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) chosen.push(argmax(T, (k) => tags.get(i, k)));
  const spans: Span[] = [];
  if (tagging === 'BIO') {
    let cur: [number, number, number] | null = null; // start, type, sum of probabilities
    for (let i = 0; i < n; i++) {
      const [tag, p] = chosen[i];
      if (tag === 0) {
        if (cur) spans.push([cur[0], i, cur[1], cur[2] / (i - cur[0])]);
        cur = null;
        continue;
      }
      const etype = Math.floor((tag - 1) / width);
      const prefix = (tag - 1) % width;
      if (prefix === 1 && cur && cur[1] === etype) {
        cur[2] += p;
        continue;
      }
      if (cur) spans.push([cur[0], i, cur[1], cur[2] / (i - cur[0])]);
      cur = [i, etype, p];
    }
    if (cur) spans.push([cur[0], n, cur[1], cur[2] / (n - cur[0])]);
    return spans;
  }
  let start = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const [tag, p] = chosen[i];
    if (tag === 0) {
      start = i + 1;
      acc = 0;
      continue;
    }
    acc += p;
    const etype = Math.floor((tag - 1) / width);
    const prefix = (tag - 1) % width;
    if (prefix >= 2) {
      // L or U
      spans.push([start, i + 1, etype, acc / (i + 1 - start)]);
      start = i + 1;
      acc = 0;
    }
  }
  return spans;
}

/**
 * Table-Sequence: for every ordered pair (a, b) of distinct entities, per label the sum over word pairs
 * (i in a, j in b) of P[i,j,r-forward] + P[j,i,r-backward] (and P[i,j,none] + P[j,i,none]); the argmax
 * wins; confidence = sum / (2 |a| |b|).
 */
export function blockRelations(table: Table3, spans: readonly Span[], nRel: number): Rel[] {
  const out: Rel[] = [];
  for (let a = 0; a < spans.length; a++) {
    const [as, ae] = spans[a];
    for (let b = 0; b < spans.length; b++) {
      if (a === b) continue;
      const [bs, be] = spans[b];
      const sums = new Array<number>(nRel + 1).fill(0);
      for (let i = as; i < ae; i++) {
        for (let j = bs; j < be; j++) {
          sums[0] += table.get(i, j, 0);
          sums[0] += table.get(j, i, 0);
          for (let r = 0; r < nRel; r++) {
            sums[r + 1] += table.get(i, j, 1 + 2 * r);
            sums[r + 1] += table.get(j, i, 2 + 2 * r);
          }
        }
      }
      const [k, best] = argmax(sums.length, (x) => sums[x]);
      if (k) out.push([a, b, k - 1, best / (2 * (ae - as) * (be - bs))]);
    }
  }
  return out;
}

/**
 * TablERT-CNN: one cell per unordered entity pair, at (earlier last word, later last word); r-forward
 * makes the entity ending first the subject, r-backward the other one.
 */
export function lastWordRelations(table: Table3, spans: readonly Span[], nRel: number): Rel[] {
  const K = 2 * nRel + 1;
  const out: Rel[] = [];
  for (let a = 0; a < spans.length; a++) {
    for (let b = a + 1; b < spans.length; b++) {
      const la = spans[a][1] - 1;
      const lb = spans[b][1] - 1;
      if (la === lb) continue;
      const [p, first, q, second] = la < lb ? [la, a, lb, b] : [lb, b, la, a];
      const [k, prob] = argmax(K, (x) => table.get(p, q, x));
      if (k === 0) continue;
      const r = Math.floor((k - 1) / 2);
      const forward = (k - 1) % 2 === 0;
      out.push(forward ? [first, second, r, prob] : [second, first, r, prob]);
    }
  }
  return out;
}

const byKeys = (x: readonly number[], y: readonly number[]) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** One sentence of `nWords` words. Entities sorted by (start, end, type index); relations by (head, tail, type index). */
export function decodeTagTable(tags: Table2, table: Table3, nWords: number, schema: TagTableSchema): SentenceResult {
  if (schema.tagging !== 'BIO' && schema.tagging !== 'BILOU') {
    throw new Error(`tagging must be 'BIO' or 'BILOU', not ${JSON.stringify(schema.tagging)}`);
  }
  if (schema.relationCells !== 'block' && schema.relationCells !== 'last-word') {
    throw new Error(`relation_cells must be 'block' or 'last-word', not ${JSON.stringify(schema.relationCells)}`);
  }
  const spans = tagSpans(tags, nWords, schema.entityTypes.length, schema.tagging).sort(byKeys);
  const nRel = schema.relationTypes.length;
  const rels = (schema.relationCells === 'block' ? blockRelations(table, spans, nRel) : lastWordRelations(table, spans, nRel)).sort(byKeys);
  return {
    entities: spans.map(([start, end, t, score]) => ({ start, end, type: schema.entityTypes[t], score })),
    relations: rels.map(([head, tail, r, score]) => ({ head, tail, type: schema.relationTypes[r], score })),
  };
}

// ---- the family as the runner sees it (raw ORT outputs -> the functions above) ----

export const decodeTagTableRow: RowDecoder = (outputs, b, nWords, meta) => {
  const [tagName = 'tag_probs', tableName = 'table_probs'] = meta.outputs;
  const tags = graphOutput(outputs, tagName, meta);
  const table = graphOutput(outputs, tableName, meta);
  const tagging = meta.decoding!.tagging as 'BIO' | 'BILOU';
  checkLastAxis(tags, 3, tagCount(tagging, meta.entity_types.length), `output '${tagName}'`, meta);
  checkLastAxis(table, 4, 2 * meta.relation_types.length + 1, `output '${tableName}'`, meta);
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

/**
 * PFN / MGE tables -> entities and relations (spec/decoder-span-table.md; twin of erlens_train/decode_span_table.py).
 * Checked against spec/fixtures/span-table-decoder.json.
 *
 * entity table [N,N,|E|]: cell (i, j, k) = words i..j form an entity of type k;
 * relation table [N,N,|R|]: cell (i, m, l) = relation l from the entity starting at word i to the
 * entity starting at word m.
 */
import type { SentenceResult, WordEntity, WordRelation } from './types';
import type * as ort from 'onnxruntime-node';
import { graphOutput, isNumber, rowDecoder } from './decoder';
import type { RowDecoder } from './decoder';

/** Read access to one sentence's [N,N,K] slice of a [B,N,N,K] output. */
export interface Table3 {
  get(i: number, j: number, k: number): number;
}

/** A row-major float array [B,N,N,K] viewed at batch row `b`. */
export function tableView(data: ArrayLike<number>, dims: readonly number[], b: number): Table3 {
  const N = dims[1];
  const M = dims[2];
  const K = dims[3];
  const base = b * N * M * K;
  return { get: (i, j, k) => Number(data[base + (i * M + j) * K + k]) };
}

export interface TableSchema {
  entityTypes: readonly string[];
  relationTypes: readonly string[];
  symmetricRelations: readonly string[];
  entityThreshold: number;
  /** Per entity type overrides of entityThreshold (model.json thresholds.entity_by_type). */
  entityThresholdByType?: Readonly<Record<string, number>>;
  relationThreshold: number;
  pairPolicy: 'all' | 'best';
  /**
   * Safety valve, not part of the spec: an uncalibrated graph (every cell near the threshold) would
   * otherwise emit groups x groups x types relations per pair of start words and exhaust memory.
   * Decoding stops adding relations at this many (the order is deterministic, so the cut is too).
   */
  maxRelations?: number;
}

export const DEFAULT_MAX_RELATIONS = 20_000;

export function decodeTables(ent: Table3, rel: Table3, nWords: number, schema: TableSchema): SentenceResult {
  if (schema.pairPolicy !== 'all' && schema.pairPolicy !== 'best') {
    throw new Error(`pair_policy must be 'all' or 'best', not ${JSON.stringify(schema.pairPolicy)}`);
  }
  // 1. Entities: every cell on or above the diagonal at or over the threshold; other types may nest,
  //    one type's overlapping spans leave only the strongest, and a span keeps one type. Scanning i, then j,
  //    then k already gives the sorted order.
  const thresholds = schema.entityTypes.map((type) => schema.entityThresholdByType?.[type] ?? schema.entityThreshold);
  const found: (WordEntity & { k: number })[] = [];
  for (let i = 0; i < nWords; i++) {
    for (let j = i; j < nWords; j++) {
      for (let k = 0; k < schema.entityTypes.length; k++) {
        const p = ent.get(i, j, k);
        if (p >= thresholds[k]) found.push({ start: i, end: j + 1, type: schema.entityTypes[k], score: p, k });
      }
    }
  }
  const entities = keepStrongestSpans(found, nWords, schema.entityTypes.length);
  // 2. Entities grouped by start word ("best": only the highest-scoring one, the earlier on ties).
  const byStart = new Map<number, number[]>();
  entities.forEach((e, idx) => {
    const group = byStart.get(e.start);
    if (group) group.push(idx);
    else byStart.set(e.start, [idx]);
  });
  if (schema.pairPolicy === 'best') {
    for (const [start, idxs] of byStart) {
      let best = idxs[0];
      for (const x of idxs) if (entities[x].score > entities[best].score) best = x;
      byStart.set(start, [best]);
    }
  }
  // 3. Relations between start words; a symmetric type is decided once per unordered pair.
  const symmetric = new Set(schema.symmetricRelations);
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const relations: WordRelation[] = [];
  const maxRelations = schema.maxRelations ?? DEFAULT_MAX_RELATIONS;
  for (const i of starts) {
    for (const m of starts) {
      for (let l = 0; l < schema.relationTypes.length; l++) {
        const type = schema.relationTypes[l];
        const isSymmetric = symmetric.has(type);
        if (isSymmetric && i > m) continue;
        const p = isSymmetric ? Math.max(rel.get(i, m, l), rel.get(m, i, l)) : rel.get(i, m, l);
        if (p < schema.relationThreshold) continue;
        for (const h of byStart.get(i)!) {
          for (const t of byStart.get(m)!) {
            if (h !== t && !(isSymmetric && i === m && h > t)) relations.push({ head: h, tail: t, type, score: p });
            if (relations.length >= maxRelations) return { entities, relations };
          }
        }
      }
    }
  }
  return { entities, relations };
}

/**
 * Of sorted entities of one type that share a word, the highest-scoring (ties: the earlier); and of one span
 * found with several types, its highest-scoring type. Other types may nest or overlap. No dataset or
 * guideline marks a span inside a span of its own type ("Timolol" in "Timolol eye drops") or one span with
 * two types, and a reader would see one word highlighted twice (spec/decoder-span-table.md, step 1).
 * Strongest first, a span is kept unless a kept span of its type covers one of its words or a kept span has
 * its boundaries. Linear in the words the spans cover: one occupancy bit per (word, type).
 */
function keepStrongestSpans(found: readonly (WordEntity & { k: number })[], nWords: number, nTypes: number): WordEntity[] {
  const occupied = new Uint8Array(nWords * nTypes);
  const keptSpans = new Set<number>(); // start * (nWords + 1) + end of every kept span
  const kept = new Uint8Array(found.length);
  const strongestFirst = found.map((_, x) => x).sort((a, b) => found[b].score - found[a].score || a - b);
  for (const x of strongestFirst) {
    const { start, end, k } = found[x];
    const span = start * (nWords + 1) + end;
    let free = !keptSpans.has(span);
    for (let w = start; w < end && free; w++) free = occupied[w * nTypes + k] === 0;
    if (!free) continue;
    kept[x] = 1;
    keptSpans.add(span);
    for (let w = start; w < end; w++) occupied[w * nTypes + k] = 1;
  }
  return found.filter((_, x) => kept[x] === 1).map(({ start, end, type, score }) => ({ start, end, type, score }));
}

// ---- the family as the runner sees it (raw ORT outputs -> the functions above) ----

export const decodeSpanTable: RowDecoder = (outputs, b, nWords, meta) => {
  const [entName = 'entity_probs', relName = 'relation_probs'] = meta.outputs;
  const ent = graphOutput(outputs, entName, meta);
  const rel = graphOutput(outputs, relName, meta);
  return decodeTables(tableView(ent.data as Float32Array, ent.dims, b), tableView(rel.data as Float32Array, rel.dims, b), nWords, {
    entityTypes: meta.entity_types,
    relationTypes: meta.relation_types,
    symmetricRelations: meta.symmetric_relations ?? [],
    entityThreshold: meta.thresholds!.entity!,
    entityThresholdByType: meta.thresholds!.entity_by_type,
    relationThreshold: meta.thresholds!.relation!,
    pairPolicy: meta.pair_policy ?? 'all',
  });
};

export const spanTableDecoder = rowDecoder('span-table', decodeSpanTable, (meta) => {
  if (!isNumber(meta.thresholds?.entity) || !isNumber(meta.thresholds?.relation)) return 'model.json has no thresholds (entity, relation)';
  const byType = meta.thresholds.entity_by_type;
  if (byType !== undefined) {
    if (typeof byType !== 'object' || byType === null || Array.isArray(byType)) return 'model.json thresholds.entity_by_type is not an object';
    for (const [type, value] of Object.entries(byType)) {
      if (!meta.entity_types.includes(type)) return `model.json thresholds.entity_by_type names '${type}', which is not one of entity_types`;
      if (!isNumber(value)) return `model.json thresholds.entity_by_type.${type} is not a number`;
    }
  }
  if (meta.pair_policy !== 'all' && meta.pair_policy !== 'best') return `pair_policy must be 'all' or 'best', not ${JSON.stringify(meta.pair_policy)}`;
  return null;
});

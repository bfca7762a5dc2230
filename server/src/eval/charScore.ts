/**
 * Strict scoring on character offsets: gold documents (charGold.ts) against what the editor's
 * annotator predicted on the same text, as the same ScoreReport token mode gives.
 *
 * An entity is (start, end, type) in document offsets; a relation ((head span, head type), type,
 * (tail span, tail type)), direction as annotated, except that a symmetric type compares its two
 * arguments unordered. Every item, gold or predicted, goes to the unit (gold sentence) where it
 * starts, so units never change what matches: a prediction that crosses gold sentences lands in one
 * of them and, as no gold item crosses, is a false positive there. Crossings are also counted.
 */
import type { GoldDocument, GoldUnit } from './charGold';
import { KeyedSentence, scoreKeyed, ScoreReport, SpanKey } from './metrics';

export interface PredictedEntity {
  start: number;
  end: number;
  type: string;
}
export interface PredictedRelation {
  head: PredictedEntity;
  tail: PredictedEntity;
  type: string;
  /** Set by the annotator from the producing model's `symmetric_relations`. */
  symmetric?: boolean;
}
/** What the scorer needs of a DocumentAnnotations (annotations/types.ts). */
export interface PredictedDocument {
  entities: readonly PredictedEntity[];
  relations: readonly PredictedRelation[];
}

export interface CrossingPredictions {
  entities: number;
  relations: number;
}

export interface CharScore {
  report: ScoreReport;
  /** The predicted items of every unit, in order (for false-alarm rates). */
  predicted: KeyedSentence[];
  crossing_predictions: CrossingPredictions;
}

type Relation = { head: SpanKey; tail: SpanKey; type: string };

const span = (e: PredictedEntity): SpanKey => [e.start, e.end, e.type];

function compareSpans(a: SpanKey, b: SpanKey): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/** A symmetric relation with its arguments in document order, so either direction matches. */
export function canonical(r: Relation, symmetric: boolean): Relation {
  return symmetric && compareSpans(r.tail, r.head) < 0 ? { head: r.tail, tail: r.head, type: r.type } : r;
}

/** The unit a document offset belongs to: the last one starting at or before it (units are sorted). */
export function unitAt(units: readonly GoldUnit[], pos: number): number {
  let lo = 0;
  let hi = units.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (units[mid].start <= pos) (found = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return found;
}

const inside = (u: GoldUnit, s: SpanKey) => u.start <= s[0] && s[1] <= u.end;

/** One document's gold and predicted items per unit. */
export function unitItems(
  gold: GoldDocument,
  predicted: PredictedDocument,
  symmetricTypes: ReadonlySet<string>,
): { gold: KeyedSentence[]; predicted: KeyedSentence[]; crossing: CrossingPredictions } {
  const units = gold.units;
  const empty = () => units.map(() => ({ entities: [] as SpanKey[], relations: [] as Relation[] }));
  const g = empty();
  const p = empty();
  const crossing = { entities: 0, relations: 0 };
  if (units.length === 0) return { gold: [], predicted: [], crossing };
  const addEntity = (to: typeof g, e: SpanKey) => to[unitAt(units, e[0])].entities.push(e);
  const addRelation = (to: typeof g, r: Relation) => to[unitAt(units, Math.min(r.head[0], r.tail[0]))].relations.push(r);

  for (const e of gold.entities) addEntity(g, [e.start, e.end, e.type]);
  for (const r of gold.relations) {
    const h = gold.entities[r.head];
    const t = gold.entities[r.tail];
    addRelation(g, canonical({ head: [h.start, h.end, h.type], tail: [t.start, t.end, t.type], type: r.type }, symmetricTypes.has(r.type)));
  }
  for (const e of predicted.entities) {
    const key = span(e);
    if (!inside(units[unitAt(units, e.start)], key)) crossing.entities++;
    addEntity(p, key);
  }
  for (const r of predicted.relations) {
    const rel = canonical({ head: span(r.head), tail: span(r.tail), type: r.type }, r.symmetric === true || symmetricTypes.has(r.type));
    const u = units[unitAt(units, Math.min(rel.head[0], rel.tail[0]))];
    if (!inside(u, rel.head) || !inside(u, rel.tail)) crossing.relations++;
    addRelation(p, rel);
  }
  return { gold: g, predicted: p, crossing };
}

/** Score every document's units together, as one evaluation (micro over all units of all documents). */
export function scoreDocuments(pairs: ReadonlyArray<{ gold: GoldDocument; predicted: PredictedDocument }>, symmetricTypes: ReadonlySet<string>): CharScore {
  const gold: KeyedSentence[] = [];
  const predicted: KeyedSentence[] = [];
  const crossing = { entities: 0, relations: 0 };
  for (const pair of pairs) {
    const u = unitItems(pair.gold, pair.predicted, symmetricTypes);
    gold.push(...u.gold);
    predicted.push(...u.predicted);
    crossing.entities += u.crossing.entities;
    crossing.relations += u.crossing.relations;
  }
  return { report: scoreKeyed(gold, predicted), predicted, crossing_predictions: crossing };
}

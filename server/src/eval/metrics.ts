/**
 * Strict joint NER/RE scoring (spec/evaluation.md; twin of erlens_train/metrics.py).
 * Checked against spec/fixtures/metrics.json.
 *
 * NER: exact span and type. RE strict ("RE+"): both arguments exact with their types, relation type
 * and direction right. RE boundary: the same without argument types. Micro pools TP/FP/FN; macro is
 * the unweighted mean of per-type F1 over the types present in the gold data.
 */

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}
export interface TaskReport {
  micro: Prf;
  macro_f1: number;
  per_type: Record<string, Prf>;
}
export interface ScoreReport {
  sentences: number;
  ner: TaskReport;
  re_strict: TaskReport;
  re_boundary: TaskReport;
}

/** Scoring items for one sentence: entities [start, end, type], relations over entity indices. */
export interface ScoredSentence {
  entities: ReadonlyArray<{ start: number; end: number; type: string }>;
  relations: ReadonlyArray<{ head: number; tail: number; type: string }>;
}

export function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, fp, fn };
}

class Counter {
  private readonly byType = new Map<string, [number, number, number]>();

  /** Items are strings whose type is known through `typeOf` (sets dedupe predictions). */
  add(gold: Set<string>, pred: Set<string>, typeOf: (item: string) => string): void {
    for (const item of new Set([...pred, ...gold])) {
      const t = typeOf(item);
      const c = this.byType.get(t) ?? [0, 0, 0];
      if (pred.has(item) && gold.has(item)) c[0]++;
      else if (pred.has(item)) c[1]++;
      else c[2]++;
      this.byType.set(t, c);
    }
  }

  report(goldTypes: Set<string>): TaskReport {
    let tp = 0, fp = 0, fn = 0;
    for (const c of this.byType.values()) (tp += c[0]), (fp += c[1]), (fn += c[2]);
    const per_type: Record<string, Prf> = {};
    for (const t of [...new Set([...this.byType.keys(), ...goldTypes])].sort()) per_type[t] = prf(...(this.byType.get(t) ?? [0, 0, 0]));
    const macroTypes = [...goldTypes].sort();
    const macro_f1 = macroTypes.length ? macroTypes.reduce((s, t) => s + per_type[t].f1, 0) / macroTypes.length : 0;
    return { micro: prf(tp, fp, fn), macro_f1, per_type };
  }
}

/** An entity as a scoring item: [start, end, type], in whatever coordinates the caller scores in. */
export type SpanKey = readonly [number, number, string];

/**
 * Scoring items for one unit with relations carrying their arguments' spans rather than indices, so a
 * caller that scores on character offsets (raw-text evaluation) can hand over relations whose
 * arguments it has already placed, without building an entity list that double-counts NER items.
 */
export interface KeyedSentence {
  entities: ReadonlyArray<SpanKey>;
  relations: ReadonlyArray<{ head: SpanKey; tail: SpanKey; type: string }>;
}

// Items are JSON strings of tuples, so set membership is structural; the type is a fixed position.
export const entityKey = (e: SpanKey): string => JSON.stringify(e);

export function relationKey(r: KeyedSentence['relations'][number], withTypes = true): string {
  const [hs, he, ht] = r.head;
  const [ts, te, tt] = r.tail;
  return withTypes ? JSON.stringify([[hs, he, ht], r.type, [ts, te, tt]]) : JSON.stringify([[hs, he], r.type, [ts, te]]);
}

export function keyed(s: ScoredSentence): KeyedSentence {
  const span = (e: { start: number; end: number; type: string }): SpanKey => [e.start, e.end, e.type];
  return {
    entities: s.entities.map(span),
    relations: s.relations.map((r) => ({ head: span(s.entities[r.head]), tail: span(s.entities[r.tail]), type: r.type })),
  };
}

export function score(gold: readonly ScoredSentence[], predicted: readonly ScoredSentence[]): ScoreReport {
  if (gold.length !== predicted.length) throw new Error(`${gold.length} gold sentences but ${predicted.length} predictions`);
  return scoreKeyed(gold.map(keyed), predicted.map(keyed));
}

/** `score` over units whose relations name their arguments' spans (see KeyedSentence). */
export function scoreKeyed(gold: readonly KeyedSentence[], predicted: readonly KeyedSentence[]): ScoreReport {
  if (gold.length !== predicted.length) throw new Error(`${gold.length} gold sentences but ${predicted.length} predictions`);
  const ner = new Counter();
  const rel = new Counter();
  const relBoundary = new Counter();
  const goldEntTypes = new Set<string>();
  const goldRelTypes = new Set<string>();
  const relations = (s: KeyedSentence, withTypes: boolean) => new Set(s.relations.map((r) => relationKey(r, withTypes)));
  gold.forEach((g, i) => {
    const p = predicted[i];
    for (const e of g.entities) goldEntTypes.add(e[2]);
    for (const r of g.relations) goldRelTypes.add(r.type);
    ner.add(new Set(g.entities.map(entityKey)), new Set(p.entities.map(entityKey)), (x) => JSON.parse(x)[2]);
    rel.add(relations(g, true), relations(p, true), (x) => JSON.parse(x)[1]);
    relBoundary.add(relations(g, false), relations(p, false), (x) => JSON.parse(x)[1]);
  });
  return {
    sentences: gold.length,
    ner: ner.report(goldEntTypes),
    re_strict: rel.report(goldRelTypes),
    re_boundary: relBoundary.report(goldRelTypes),
  };
}

export interface Headline {
  ner_micro: number;
  re_micro: number;
  ner_macro: number;
  re_macro: number;
}

/** The four numbers `erlens eval` prints last, as percentages. */
export function headline(report: ScoreReport): Headline {
  return {
    ner_micro: 100 * report.ner.micro.f1,
    re_micro: 100 * report.re_strict.micro.f1,
    ner_macro: 100 * report.ner.macro_f1,
    re_macro: 100 * report.re_strict.macro_f1,
  };
}

/**
 * Two decimals as Python's '%.2f' writes them. They differ from toFixed only on exact binary ties
 * (x.xx5 exactly, e.g. 50.125), which Python rounds to even and toFixed rounds up.
 */
export function fixed2(v: number): string {
  const s = v.toFixed(2);
  if (Number.isInteger(v * 8) && v.toFixed(3).endsWith('5')) {
    const down = (Math.floor(v * 100) / 100).toFixed(2);
    return Number(down.slice(-1)) % 2 === 0 ? down : s;
  }
  return s;
}

/** `ner_micro=.. re_micro=.. ner_macro=.. re_macro=..` with two decimals. */
export function headlineLine(report: ScoreReport): string {
  const h = headline(report);
  return `ner_micro=${fixed2(h.ner_micro)} re_micro=${fixed2(h.re_micro)} ner_macro=${fixed2(h.ner_macro)} re_macro=${fixed2(h.re_macro)}`;
}

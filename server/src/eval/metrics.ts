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

// Items are JSON strings of tuples, so set membership is structural; the type is a fixed position.
const entityKey = (e: { start: number; end: number; type: string }) => JSON.stringify([e.start, e.end, e.type]);

function relationItems(s: ScoredSentence, withTypes: boolean): Set<string> {
  const out = new Set<string>();
  for (const r of s.relations) {
    const h = s.entities[r.head];
    const t = s.entities[r.tail];
    out.add(withTypes ? JSON.stringify([[h.start, h.end, h.type], r.type, [t.start, t.end, t.type]]) : JSON.stringify([[h.start, h.end], r.type, [t.start, t.end]]));
  }
  return out;
}

export function score(gold: readonly ScoredSentence[], predicted: readonly ScoredSentence[]): ScoreReport {
  if (gold.length !== predicted.length) throw new Error(`${gold.length} gold sentences but ${predicted.length} predictions`);
  const ner = new Counter();
  const rel = new Counter();
  const relBoundary = new Counter();
  const goldEntTypes = new Set<string>();
  const goldRelTypes = new Set<string>();
  gold.forEach((g, i) => {
    const p = predicted[i];
    for (const e of g.entities) goldEntTypes.add(e.type);
    for (const r of g.relations) goldRelTypes.add(r.type);
    ner.add(new Set(g.entities.map(entityKey)), new Set(p.entities.map(entityKey)), (x) => JSON.parse(x)[2]);
    rel.add(relationItems(g, true), relationItems(p, true), (x) => JSON.parse(x)[1]);
    relBoundary.add(relationItems(g, false), relationItems(p, false), (x) => JSON.parse(x)[1]);
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

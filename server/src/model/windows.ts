/**
 * Sentences longer than a model's window are split into overlapping windows, never truncated.
 *
 * Windows hold at most `maxWords` words and `maxCost` subwords (WordPiece packages count pieces).
 * Each window's predictions are mapped back to sentence words and merged: a span is decided by the one
 * window that sees it with the most context on both sides (its "best" window), so an entity inside a
 * window's non-overlapping core always comes from that window and the half-seen edges of neighbours
 * do not compete with it. A relation survives when both its arguments are in the merged set.
 */
import type { SentenceResult, WordEntity, WordRelation } from '../decoders/types';

export interface WordWindow {
  start: number; // first word (inclusive)
  end: number; // last word + 1
}

/** The overlap between windows for a model window of `maxWords` words (32, less for tiny windows). */
export function defaultOverlap(maxWords: number): number {
  return Math.max(0, Math.min(32, Math.floor(maxWords / 4)));
}

export function planWindows(costs: readonly number[], maxWords: number, maxCost = Number.MAX_SAFE_INTEGER, overlap = defaultOverlap(maxWords)): WordWindow[] {
  const n = costs.length;
  const windows: WordWindow[] = [];
  let a = 0;
  while (a < n) {
    let b = a;
    let cost = 0;
    while (b < n && b - a < maxWords && cost + costs[b] <= maxCost) cost += costs[b++];
    if (b === a) b = a + 1; // one word over the budget on its own: the featurizer reports it
    windows.push({ start: a, end: b });
    if (b >= n) break;
    const ov = Math.min(overlap, Math.floor((b - a) / 2));
    a = Math.max(a + 1, b - ov);
  }
  return windows;
}

/** How much context window `w` gives span [s, e) on its poorer side (a sentence edge is unlimited). */
function margin(w: WordWindow, s: number, e: number, nWords: number): number {
  const left = w.start === 0 ? Infinity : s - w.start;
  const right = w.end === nWords ? Infinity : w.end - e;
  return Math.min(left, right);
}

function bestWindow(windows: readonly WordWindow[], s: number, e: number, nWords: number): number {
  let best = -1;
  let bestMargin = -Infinity;
  windows.forEach((w, k) => {
    if (w.start <= s && e <= w.end) {
      const m = margin(w, s, e, nWords);
      if (m > bestMargin) (best = k), (bestMargin = m);
    }
  });
  return best;
}

/** Merge per-window results (window-local word indices) into one sentence result. */
export function mergeWindowResults(
  windows: readonly WordWindow[],
  results: readonly SentenceResult[],
  nWords: number,
  entityTypeOrder: readonly string[],
): SentenceResult {
  const key = (s: number, e: number, t: string) => `${s}:${e}:${t}`;
  const merged = new Map<string, WordEntity>();
  windows.forEach((w, k) => {
    for (const e of results[k].entities) {
      const s = e.start + w.start;
      const end = e.end + w.start;
      if (bestWindow(windows, s, end, nWords) !== k) continue;
      const kk = key(s, end, e.type);
      const prev = merged.get(kk);
      if (!prev || prev.score < e.score) merged.set(kk, { ...e, start: s, end });
    }
  });
  const typeIndex = new Map(entityTypeOrder.map((t, i) => [t, i]));
  const entities = [...merged.values()].sort(
    (x, y) => x.start - y.start || x.end - y.end || (typeIndex.get(x.type) ?? 1e9) - (typeIndex.get(y.type) ?? 1e9),
  );
  const index = new Map(entities.map((e, i) => [key(e.start, e.end, e.type), i]));

  const relations = new Map<string, WordRelation>();
  windows.forEach((w, k) => {
    const local = results[k].entities;
    for (const r of results[k].relations) {
      const h = local[r.head];
      const t = local[r.tail];
      const hi = index.get(key(h.start + w.start, h.end + w.start, h.type));
      const ti = index.get(key(t.start + w.start, t.end + w.start, t.type));
      if (hi === undefined || ti === undefined) continue;
      const rk = `${hi}:${ti}:${r.type}`;
      const prev = relations.get(rk);
      if (!prev || prev.score < r.score) relations.set(rk, { head: hi, tail: ti, type: r.type, score: r.score });
    }
  });
  const rels = [...relations.values()].sort((x, y) => x.head - y.head || x.tail - y.tail || x.type.localeCompare(y.type));
  return { entities, relations: rels };
}

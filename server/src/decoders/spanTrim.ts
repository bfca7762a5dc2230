/**
 * Span trimming: words a package's annotation guidelines keep out of an entity type's spans.
 *
 * The clinical guidelines (../shared/notes/gold/GUIDELINES.md) name a medication without its route,
 * timing or dose form ("IV antibiotics" -> antibiotics, "Phenergan tablets" -> Phenergan). The training
 * data never shows such modifiers inside a drug span, so a model that meets them in notes guesses;
 * model.json `span_trim` ({"Drug": {"leading": [...], "trailing": [...]}}, lower-case words) says
 * which words to cut from the edges of a type's spans. Applied to every decoder family's output after
 * windows are merged, like the relation constraints; the Python twin is `erlens_train.span_trim.trim_spans`
 * (both tested on spec/fixtures/span-trim.json). A span is never trimmed to nothing; two entities that
 * become the same span merge (the higher score wins) and their relations follow.
 */
import type { SentenceResult, WordEntity } from './types';

export type SpanTrim = Record<string, { leading?: readonly string[]; trailing?: readonly string[] }>;

export function trimSpans(result: SentenceResult, words: readonly string[], trim: SpanTrim | undefined): SentenceResult {
  if (!trim || result.entities.length === 0) return result;
  const sets = new Map(Object.entries(trim).map(([t, r]) => [t, { lead: new Set(r.leading ?? []), trail: new Set(r.trailing ?? []) }]));
  let changed = false;
  const trimmed: WordEntity[] = result.entities.map((e) => {
    const rule = sets.get(e.type);
    if (!rule) return e;
    let { start, end } = e;
    while (end - start > 1 && rule.lead.has(words[start].toLowerCase())) start++;
    while (end - start > 1 && rule.trail.has(words[end - 1].toLowerCase())) end--;
    if (start === e.start && end === e.end) return e;
    changed = true;
    return { ...e, start, end };
  });
  if (!changed) return result;
  // Merge entities that now coincide; keep the first position of each, the best score.
  const index: number[] = [];
  const entities: WordEntity[] = [];
  const byKey = new Map<string, number>();
  trimmed.forEach((e) => {
    const key = `${e.start}:${e.end}:${e.type}`;
    const known = byKey.get(key);
    if (known === undefined) {
      byKey.set(key, entities.length);
      index.push(entities.length);
      entities.push(e);
    } else {
      index.push(known);
      if (e.score > entities[known].score) entities[known] = e;
    }
  });
  const seen = new Set<string>();
  const relations = result.relations
    .map((r) => ({ ...r, head: index[r.head], tail: index[r.tail] }))
    .filter((r) => {
      const key = `${r.head}:${r.tail}:${r.type}`;
      if (r.head === r.tail || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { entities, relations };
}

/**
 * Span trimming: what a package's annotation guidelines keep out of an entity type's spans.
 *
 * The clinical guidelines (../shared/notes/gold/GUIDELINES.md) name a medication without its route,
 * timing, strength or dose form ("IV antibiotics" -> antibiotics, "2% Xylocaine" -> Xylocaine,
 * "Phenergan tablets" -> Phenergan), and say what is not a medication at all: sutures, dressings,
 * devices and procedures ("4-0 Vicryl", "Steri-Strips", "Foley", "MAC"). The training data never shows
 * those words, so a model that meets them in notes guesses. model.json `span_trim` says, per type:
 * `leading` / `trailing` (lower-case words cut from the edges), `strength` (a leading number + "%" cut)
 * and `never` (phrases of the tokenizer's words, lower case, one space apart: a span that is one of them,
 * once its edges and any leading size or count such as "4 - 0" are cut, is dropped with its relations).
 * Applied to every decoder family's output after windows are merged, like the relation constraints; the
 * Python twin is `erlens_train.span_trim.trim_spans` (both tested on spec/fixtures/span-trim.json). A span
 * is never trimmed to nothing; two entities that become the same span merge (the higher score wins) and
 * their relations follow.
 */
import type { SentenceResult, WordEntity, WordRelation } from './types';

export interface SpanTrimRule {
  leading?: readonly string[];
  trailing?: readonly string[];
  strength?: boolean;
  never?: readonly string[];
}
export type SpanTrim = Record<string, SpanTrimRule>;

const NUMBER = /^\d+(?:[.,]\d+)*$/;
// What may stand before a `never` phrase and still be the same thing: sizes and counts ("4-0", "2").
const SIZE = /^(?:\d+(?:[.,]\d+)*|-|%|x)$/;

function neverKey(words: readonly string[], start: number, end: number): string {
  while (end - start > 1 && SIZE.test(words[start].toLowerCase())) start++;
  return words.slice(start, end).map((w) => w.toLowerCase()).join(' ');
}

export function trimSpans(result: SentenceResult, words: readonly string[], trim: SpanTrim | undefined): SentenceResult {
  if (!trim || result.entities.length === 0) return result;
  const sets = new Map(
    Object.entries(trim).map(([t, r]) => [t, { lead: new Set(r.leading ?? []), trail: new Set(r.trailing ?? []), strength: r.strength === true, never: new Set(r.never ?? []) }]),
  );
  let changed = false;
  const trimmed: Array<WordEntity | undefined> = result.entities.map((e) => {
    const rule = sets.get(e.type);
    if (!rule) return e;
    let { start, end } = e;
    while (end - start > 1) {
      if (rule.strength && end - start > 2 && NUMBER.test(words[start]) && words[start + 1] === '%') start += 2;
      else if (rule.lead.has(words[start].toLowerCase())) start++;
      else break;
    }
    while (end - start > 1 && rule.trail.has(words[end - 1].toLowerCase())) end--;
    if (rule.never.size > 0 && rule.never.has(neverKey(words, start, end))) {
      changed = true;
      return undefined;
    }
    if (start === e.start && end === e.end) return e;
    changed = true;
    return { ...e, start, end };
  });
  if (!changed) return result;
  // Merge entities that now coincide; keep the first position of each, the best score.
  const index: Array<number | undefined> = [];
  const entities: WordEntity[] = [];
  const byKey = new Map<string, number>();
  trimmed.forEach((e) => {
    if (!e) {
      index.push(undefined);
      return;
    }
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
  const relations: WordRelation[] = [];
  for (const r of result.relations) {
    const head = index[r.head];
    const tail = index[r.tail];
    const key = `${head}:${tail}:${r.type}`;
    if (head === undefined || tail === undefined || head === tail || seen.has(key)) continue;
    seen.add(key);
    relations.push({ ...r, head, tail });
  }
  return { entities, relations };
}

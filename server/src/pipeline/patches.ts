/**
 * Applying an AnnotationPatch (types.ts): each range's sentences, entities and relations replace
 * everything that intersects the range; the rest is kept. Ranges are disjoint and sorted, and every list
 * is sorted by start, so this is one merge pass per list. Ids (T1…, R1…) and sentence indices are then
 * renumbered in document order; objects whose numbers change are copied, never mutated, because a
 * reader (an export in progress) may still hold the previous annotations.
 */
import type { AnnotationPatch, DocumentAnnotations, EntityAnnotation, PatchRange, RelationAnnotation } from '../annotations/types';
import type { SentenceSpan } from '../text/types';
import { appendAll } from '../arrays';

/** `items` without those intersecting a range, with each range's items in its place. */
function splice<T extends { start: number; end: number }>(items: readonly T[], ranges: readonly PatchRange[], of: (r: PatchRange) => readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  for (const range of ranges) {
    for (; i < items.length && items[i].start < range.start; i++) if (items[i].end <= range.start) out.push(items[i]);
    appendAll(out, of(range));
    while (i < items.length && items[i].start < range.end) i++;
  }
  for (; i < items.length; i++) out.push(items[i]);
  return out;
}

export function applyPatch(base: DocumentAnnotations, patch: AnnotationPatch): DocumentAnnotations {
  const sentences = splice(base.sentences, patch.ranges, (r) => r.sentences);
  const entities = splice(base.entities, patch.ranges, (r) => r.entities);
  // Relations are in their heads' order, and a relation's arguments are in one sentence: a relation
  // whose head is inside a range is replaced with the range, one whose argument is gone goes too.
  const kept = new Set<EntityAnnotation>(entities);
  const relations = splice(
    base.relations.map((r) => ({ r, start: r.head.start, end: r.head.end })),
    patch.ranges,
    (range) => range.relations.map((r) => ({ r, start: r.head.start, end: r.head.end })),
  )
    .map((x) => x.r)
    .filter((r) => kept.has(r.head) && kept.has(r.tail));
  return renumber({ ...base, version: patch.version, sentences, entities, relations, stats: patch.stats });
}

/**
 * Sentence indices, entity ids and relation ids in document order. Entities take the index of the
 * sentence they start in; relations keep their order (by head, then tail, then type, as the merge
 * sorts them) and take their head's sentence.
 */
export function renumber(a: DocumentAnnotations): DocumentAnnotations {
  const sentences: SentenceSpan[] = a.sentences.map((s, i) => (s.index === i ? s : { ...s, index: i }));
  const copies = new Map<EntityAnnotation, EntityAnnotation>();
  let k = 0;
  const entities = a.entities.map((e, i) => {
    while (k + 1 < sentences.length && sentences[k + 1].start <= e.start) k++;
    const sentence = sentences.length > 0 && sentences[k].start <= e.start ? k : e.sentence;
    const id = `T${i + 1}`;
    if (e.id === id && e.sentence === sentence) return e;
    const copy = { ...e, id, sentence };
    copies.set(e, copy);
    return copy;
  });
  const relations = a.relations.map((r, i) => {
    const head = copies.get(r.head) ?? r.head;
    const tail = copies.get(r.tail) ?? r.tail;
    const id = `R${i + 1}`;
    return head === r.head && tail === r.tail && r.id === id && r.sentence === head.sentence ? r : { ...r, head, tail, id, sentence: head.sentence };
  });
  return { ...a, sentences, entities, relations };
}

/**
 * Applying an AnnotationPatch (types.ts): each range's sentences, entities and relations replace
 * everything that intersects the range; the rest is kept. Ranges are disjoint and sorted, and every list
 * is sorted by start, so this is one merge pass per list. Ids (T1…, R1…) and sentence indices are then
 * renumbered in document order; objects whose numbers change are copied, never mutated, because a
 * reader (an export in progress) may still hold the previous annotations.
 */
import type { AnnotationPatch, DocumentAnnotations, EntityAnnotation, PatchRange, RelationAnnotation, SentenceSpan } from './types';

/** `items` without those intersecting a range, with each range's items in its place. */
function splice<T extends { start: number; end: number }>(items: readonly T[], ranges: readonly PatchRange[], of: (r: PatchRange) => readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  for (const range of ranges) {
    for (; i < items.length && items[i].start < range.start; i++) if (items[i].end <= range.start) out.push(items[i]);
    out.push(...of(range));
    while (i < items.length && items[i].start < range.end) i++;
  }
  for (; i < items.length; i++) out.push(items[i]);
  return out;
}

export function applyPatch(base: DocumentAnnotations, patch: AnnotationPatch): DocumentAnnotations {
  const sentences = splice(base.sentences, patch.ranges, (r) => r.sentences);
  const entities = splice(base.entities, patch.ranges, (r) => r.entities);
  const kept = new Set<EntityAnnotation>(entities);
  const relations: RelationAnnotation[] = base.relations.filter((r) => kept.has(r.head) && kept.has(r.tail) && !patch.ranges.some((p) => intersects(r, p)));
  for (const range of patch.ranges) relations.push(...range.relations);
  return renumber({ ...base, version: patch.version, sentences, entities, relations, stats: patch.stats });
}

function intersects(r: RelationAnnotation, range: PatchRange): boolean {
  const start = Math.min(r.head.start, r.tail.start);
  const end = Math.max(r.head.end, r.tail.end);
  return start < range.end && end > range.start;
}

/**
 * Sentence indices, entity ids and relation ids in document order. Entities take the index of the
 * sentence they start in; relations are sorted by head, then tail, then type, as the merge sorts them.
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
  const order = new Map<EntityAnnotation, number>();
  entities.forEach((e, i) => order.set(e, i));
  const relations = a.relations
    .map((r) => {
      const head = copies.get(r.head) ?? r.head;
      const tail = copies.get(r.tail) ?? r.tail;
      return head === r.head && tail === r.tail ? r : { ...r, head, tail };
    })
    .sort((x, y) => order.get(x.head)! - order.get(y.head)! || order.get(x.tail)! - order.get(y.tail)! || x.type.localeCompare(y.type))
    .map((r, i) => {
      const id = `R${i + 1}`;
      const sentence = r.head.sentence;
      return r.id === id && r.sentence === sentence ? r : { ...r, id, sentence };
    });
  return { ...a, sentences, entities, relations };
}

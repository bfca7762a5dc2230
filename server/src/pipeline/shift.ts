/**
 * Keeps annotations usable while a new version is being analysed: edits move every annotation after
 * them by the length difference and drop those they touched (text/editMap.ts decides both). Without
 * this, the editor would show highlights and diagnostics at stale offsets (or none) until the
 * analysis of the new version lands. A burst of edits is one EditMap, so this is one pass however many
 * keystrokes it holds.
 */
import { EditMap, mapSorted } from '../text/editMap';
import type { TextReplacement } from '../text/editMap';
import type { Assertion, DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import type { SentenceSpan } from '../text/types';

export type { TextReplacement };

/** The assertion with its trigger moved too; an edit inside the trigger keeps the status, drops the offsets. */
function moveAssertion(a: Assertion, map: EditMap): Assertion {
  if (!a.trigger) return a;
  const span = map.mapSpan(a.trigger.start, a.trigger.end);
  if (span?.start === a.trigger.start) return a;
  return span ? { ...a, trigger: { ...a.trigger, ...span } } : { status: a.status };
}

/** Annotations after the edits of `map` (in the coordinates of the annotations' text), at `version`. */
export function shiftThrough(annotations: DocumentAnnotations, map: EditMap, version: number): DocumentAnnotations {
  if (map.size === 0) return annotations.version === version ? annotations : { ...annotations, version };
  const moved = new Map<EntityAnnotation, EntityAnnotation>();
  const entities = mapSorted(
    annotations.entities,
    map,
    (e) => e,
    (e, start, end) => ({ ...e, start, end }),
    (original, result) => {
      // An entity can stay put while its assertion's trigger (elsewhere in the sentence) moves or goes.
      const assertion = moveAssertion(original.assertion, map);
      const final = assertion === result.assertion ? result : { ...result, assertion };
      moved.set(original, final);
      return final;
    },
  );
  const relations: RelationAnnotation[] = [];
  for (const rel of annotations.relations) {
    const head = moved.get(rel.head);
    const tail = moved.get(rel.tail);
    if (!head || !tail) continue;
    const assertion = moveAssertion(rel.assertion, map);
    relations.push(head === rel.head && tail === rel.tail && assertion === rel.assertion ? rel : { ...rel, head, tail, assertion });
  }
  // Moved sentences keep their bounds but not their word list: nothing reads the words of kept
  // annotations, and copying every token after the caret on every keystroke is what makes a
  // 50,000-line note lag.
  const sentences = mapSorted(annotations.sentences, map, (s) => s, (s, start, end): SentenceSpan => ({ ...s, start, end, tokens: [] }));
  return { ...annotations, version, entities, relations, sentences };
}

/** One edit (the single-edit case of shiftThrough). */
export function shiftAnnotations(annotations: DocumentAnnotations, r: TextReplacement, newVersion: number): DocumentAnnotations {
  const map = new EditMap();
  map.add(r);
  return shiftThrough(annotations, map, newVersion);
}

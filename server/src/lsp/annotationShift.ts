/**
 * Keeps the last annotations usable while a new version is being inferred: an edit moves every
 * annotation after it by the edit's length difference and drops those it touched. Without this, the
 * editor would show highlights and diagnostics at stale offsets (or none) for the debounce + inference
 * time after every keystroke.
 */
import type { Assertion, DocumentAnnotations, EntityAnnotation, RelationAnnotation, SentenceSpan } from '../pipeline/types';

/** One replacement in old-document UTF-16 offsets: [start, end) becomes `insertedLength` units. */
export interface TextReplacement {
  start: number;
  end: number;
  insertedLength: number;
}

/** Where a span lands after the replacement, or null when the replacement touched it. */
function moveSpan(start: number, end: number, r: TextReplacement): { start: number; end: number } | null {
  const delta = r.insertedLength - (r.end - r.start);
  if (end <= r.start) return { start, end };
  if (start >= r.end) return { start: start + delta, end: end + delta };
  return null;
}

/** The assertion with its trigger moved too; an edit inside the trigger keeps the status, drops the offsets. */
function moveAssertion(a: Assertion, r: TextReplacement): Assertion {
  if (!a.trigger) return a;
  const span = moveSpan(a.trigger.start, a.trigger.end, r);
  if (span?.start === a.trigger.start) return a;
  return span ? { ...a, trigger: { ...a.trigger, ...span } } : { status: a.status };
}

export function shiftAnnotations(annotations: DocumentAnnotations, r: TextReplacement, newVersion: number): DocumentAnnotations {
  const moved = new Map<EntityAnnotation, EntityAnnotation>();
  const entities: EntityAnnotation[] = [];
  for (const e of annotations.entities) {
    const span = moveSpan(e.start, e.end, r);
    if (!span) continue;
    const assertion = moveAssertion(e.assertion, r);
    const copy = span.start === e.start && assertion === e.assertion ? e : { ...e, ...span, assertion };
    moved.set(e, copy);
    entities.push(copy);
  }
  const relations: RelationAnnotation[] = [];
  for (const rel of annotations.relations) {
    const head = moved.get(rel.head);
    const tail = moved.get(rel.tail);
    const assertion = moveAssertion(rel.assertion, r);
    if (head && tail) relations.push(head === rel.head && tail === rel.tail && assertion === rel.assertion ? rel : { ...rel, head, tail, assertion });
  }
  const sentences: SentenceSpan[] = [];
  for (const s of annotations.sentences) {
    const span = moveSpan(s.start, s.end, r);
    if (!span) continue;
    // Moved sentences keep their bounds but not their word list: nothing reads the words of kept
    // annotations, and copying every token after the caret on every keystroke is what makes a
    // 50,000-line note lag.
    sentences.push(span.start === s.start ? s : { ...s, ...span, tokens: [] });
  }
  return { ...annotations, version: newVersion, entities, relations, sentences };
}

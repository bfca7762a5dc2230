/**
 * Which assertion statuses a reader wants to see: `erlens.assertions.show` in the editor and
 * `erlens extract --assertions` on the command line.
 *
 *  - `all`: everything; in the editor, relations that are not affirmed are faded.
 *  - `affirmed` (the default): what the text says happened or may have happened to the patient:
 *    present, historical, possible. Negated, hypothetical and family mentions are hidden.
 *  - `present`: only what is actual now.
 */
import type { AssertionStatus, DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';

export const ASSERTION_VIEWS = ['all', 'affirmed', 'present'] as const;
export type AssertionView = (typeof ASSERTION_VIEWS)[number];
export const DEFAULT_ASSERTION_VIEW: AssertionView = 'affirmed';

const AFFIRMED: ReadonlySet<AssertionStatus> = new Set(['present', 'historical', 'possible']);

export function isAssertionView(v: unknown): v is AssertionView {
  return typeof v === 'string' && (ASSERTION_VIEWS as readonly string[]).includes(v);
}

/** Affirmed statuses: the text says it happened (now, before) or may have. */
export function isAffirmed(status: AssertionStatus): boolean {
  return AFFIRMED.has(status);
}

export function isShown(view: AssertionView, status: AssertionStatus): boolean {
  return view === 'all' || (view === 'present' ? status === 'present' : AFFIRMED.has(status));
}

/**
 * The annotations a view keeps: relations whose status it shows, and entities whose status it shows
 * or that are an argument of a kept relation (a relation never points at a missing entity).
 */
export function filterByAssertion(annotations: DocumentAnnotations, view: AssertionView): DocumentAnnotations {
  if (view === 'all') return annotations;
  const relations: RelationAnnotation[] = annotations.relations.filter((r) => isShown(view, r.assertion.status));
  const needed = new Set<EntityAnnotation>(relations.flatMap((r) => [r.head, r.tail]));
  const entities = annotations.entities.filter((e) => needed.has(e) || isShown(view, e.assertion.status));
  return { ...annotations, entities, relations };
}

/**
 * A user's corrections of what the models show: on the floor below the store that applies them and the
 * LSP code actions that make them. A correction belongs to a sentence's text, not to a document
 * position, so it holds wherever that sentence appears (in this note, after edits around it, in other
 * notes) and it is training data as it stands (feedback.jsonl).
 */

/** An entity as a correction names it: character offsets within its sentence's text, and its type. */
export interface SpanRef {
  start: number;
  end: number;
  type: string;
}

export interface RelationRef {
  head: SpanRef;
  tail: SpanRef;
  type: string;
}

export type Correction =
  | { kind: 'not-entity'; entity: SpanRef }
  | { kind: 'retype-entity'; entity: SpanRef; type: string }
  | { kind: 'not-relation'; relation: RelationRef }
  | { kind: 'add-relation'; relation: RelationRef };

export const CORRECTION_KINDS = ['not-entity', 'retype-entity', 'not-relation', 'add-relation'] as const;

/** What the user changed, with the sentence it applies to (its exact text). */
export interface SentenceCorrection {
  sentence: string;
  correction: Correction;
}

/** The model name corrected annotations carry: they are the user's, not a package's. */
export const USER_MODEL = 'user';

/**
 * Document-level annotations: entities and relations in document coordinates (UTF-16 offsets unless
 * a name says otherwise), with their assertion status, merged over models. The pipeline builds them;
 * feature modules (semantic tokens, diagnostics, hovers, code lenses, export) only read them.
 */
import type { SentenceSpan } from '../text/types';

/**
 * Assertion status (../shared/notes/gold/GUIDELINES.md): whether the text says a finding or drug is
 * actual for the patient. Set by server/src/assertion (ConText) on every entity and relation.
 */
export const ASSERTION_STATUSES = ['present', 'negated', 'possible', 'hypothetical', 'historical', 'family'] as const;
export type AssertionStatus = (typeof ASSERTION_STATUSES)[number];

export interface Assertion {
  status: AssertionStatus;
  /** The trigger term that set the status ("denies"), in document offsets. */
  trigger?: { text: string; start: number; end: number };
  /** The section heading whose default set the status ("Family History"), when no trigger did. */
  section?: string;
}

/** Document-level annotations, merged over models, in document coordinates. */
export interface EntityAnnotation {
  id: string; // stable within one annotation set, e.g. "T3"
  type: string;
  start: number; // UTF-16 document offsets
  end: number;
  text: string;
  score: number;
  model: string; // package id that produced it
  sentence: number; // SentenceSpan.index
  assertion: Assertion;
}
export interface RelationAnnotation {
  id: string; // e.g. "R1"
  type: string;
  head: EntityAnnotation;
  tail: EntityAnnotation;
  score: number;
  model: string;
  sentence: number;
  symmetric: boolean;
  /** The status of its finding argument (the head of Adverse-Effect) unless a trigger between the arguments says otherwise. */
  assertion: Assertion;
}
export interface DocumentAnnotations {
  uri: string;
  version: number;
  sentences: SentenceSpan[];
  entities: EntityAnnotation[]; // sorted by start, then end
  relations: RelationAnnotation[];
  stats: {
    sentences: number;
    inferred: number;
    cacheHits: number;
    models: string[];
    /** Set when packages name domains: the document's domains and the models that did not fit it. */
    routing?: { domains: string[]; reason: string; notRun: string[] };
  };
  /** Set when the document was not analysed at all (binary content, too large), saying why. */
  skipped?: string;
}

/**
 * Annotations of part of a document: each range's annotations replace whatever the receiver has in
 * that range (anything intersecting it), in the coordinates of the text at `version`. An analysis sends
 * a series of patches (pipeline/documentAnalysis.ts); applied in order, they give the whole
 * document's annotations. Sentences come without their words.
 */
export interface AnnotationPatch {
  uri: string;
  version: number;
  ranges: PatchRange[];
  /** The last patch of a run that analysed everything. */
  complete: boolean;
  stats: DocumentAnnotations['stats'];
  /** Sentences inferred so far in this run, of those it had to infer (cold documents). */
  progress?: { done: number; total: number };
}

export interface PatchRange {
  start: number;
  end: number;
  sentences: SentenceSpan[];
  entities: EntityAnnotation[];
  relations: RelationAnnotation[];
}

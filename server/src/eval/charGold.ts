/**
 * Gold annotations on running text, in document character offsets (UTF-16, as the editor counts).
 *
 * Raw-text evaluation scores what the editor shows, so gold has to live where the editor's
 * annotations live: in a document, not in a token list. A document is built from a JSONL file
 * (rawLayout.ts) or read from brat standoff (brat.ts); both give this shape to the scorer.
 */
import type { SegmentLanguage } from '../text/prose';

export interface CharEntity {
  start: number; // UTF-16 offset into the document text
  end: number; // exclusive
  type: string;
}

export interface CharRelation {
  head: number; // index into the document's entities
  tail: number;
  type: string;
}

/**
 * A scoring unit: one gold sentence (JSONL) or one line (brat). Units only group items for the
 * per-sentence numbers (sentence count, false alarms per 100 sentences); matching is on offsets.
 */
export interface GoldUnit {
  id: string;
  start: number;
  end: number;
}

export type DocumentLanguage = SegmentLanguage;

export interface GoldDocument {
  /** A file name stem (brat writes <name>.txt / <name>.ann). */
  name: string;
  /** Where it came from, for messages and the file URI handed to the annotator. */
  source: string;
  text: string;
  language: DocumentLanguage;
  /** Sorted by start, non-overlapping. */
  units: GoldUnit[];
  entities: CharEntity[];
  relations: CharRelation[];
}

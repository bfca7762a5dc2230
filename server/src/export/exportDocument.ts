import type { DocumentAnnotations } from '../annotations/types';

/** One document to export: its annotations and the exact text they were computed on. */
export interface ExportDocument {
  annotations: DocumentAnnotations;
  text: string;
  /** Path of the source file, when there is one (brat names its files after it). */
  path?: string;
}

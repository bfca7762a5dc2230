/**
 * Bridge from the export command to the format writers in ../export (json, jsonl, csv, ntriples, brat)
 * and their atomic write. Placeholder until ../export/formats lands: it fails with a clear message.
 */
import type { DocumentAnnotations } from '../pipeline/types';

export interface ExportDocument {
  annotations: DocumentAnnotations;
  text: string;
  path?: string;
}

export async function writeExports(documents: ExportDocument[], formats: string[], outDir: string): Promise<string[]> {
  void documents;
  void formats;
  void outDir;
  throw new Error('export writers are not available in this build');
}

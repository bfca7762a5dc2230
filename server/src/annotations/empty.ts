import type { DocumentAnnotations } from './types';

/** No annotations: for a document not analysed (with the reason) or not analysed yet. */
export function emptyAnnotations(uri: string, version: number, models: readonly string[] = [], skipped?: string): DocumentAnnotations {
  return { uri, version, sentences: [], entities: [], relations: [], stats: { sentences: 0, inferred: 0, cacheHits: 0, models: [...models] }, ...(skipped ? { skipped } : {}) };
}

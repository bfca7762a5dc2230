/**
 * Per-sentence result cache: an edit re-infers only the sentences it touched.
 *
 * The key is (model id, graph checksum, the sentence's token texts): the checksum makes a re-exported
 * package with the same id miss, and token texts (not offsets) make a sentence that merely moved hit.
 */
import { LRUCache } from 'lru-cache';
import type { SentenceResult } from './types';

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
  max: number;
}

export class SentenceCache {
  hits = 0;
  misses = 0;
  private readonly lru: LRUCache<string, SentenceResult>;

  constructor(readonly max = 20_000) {
    this.lru = new LRUCache<string, SentenceResult>({ max: Math.max(1, max) });
  }

  static key(modelId: string, graphSha: string, tokens: readonly string[]): string {
    // \u0000 and \u0001 cannot occur in tokens (the tokenizer drops control-only tokens and never
    // splits inside words at them), so the key is unambiguous.
    return `${modelId}\u0000${graphSha}\u0000${tokens.join('\u0001')}`;
  }

  get(key: string): SentenceResult | undefined {
    const v = this.lru.get(key);
    if (v) this.hits++;
    else this.misses++;
    return v;
  }

  set(key: string, value: SentenceResult): void {
    this.lru.set(key, value);
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.lru.size, max: this.max };
  }

  clear(): void {
    this.lru.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

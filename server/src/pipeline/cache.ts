/**
 * Per-sentence result cache: an edit re-infers only the sentences it touched, and a sentence seen in
 * another document (or before a reload of the same one) is not inferred again.
 *
 * The key is (model id, graph checksum, the sentence's token texts): the checksum makes a re-exported
 * package with the same id miss, and token texts (not offsets) make a sentence that merely moved hit.
 * The cache is bounded in bytes, not entries (lru-cache maxSize): a cache of 20,000 entries holds 20,000
 * sentences of any length, and a key is as long as its sentence.
 */
import { LRUCache } from 'lru-cache';
import { detach } from '../text/detach';
import type { SentenceResult } from '../decoders/types';

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
  /** Estimated bytes held, and the bound. */
  bytes: number;
  maxBytes: number;
}

export const DEFAULT_CACHE_BYTES = 32 * 2 ** 20;

/** An estimate of what an entry costs: UTF-16 key, the result's objects, the LRU's own bookkeeping. */
export function resultBytes(key: string, value: SentenceResult): number {
  return 2 * key.length + 96 + 64 * value.entities.length + 56 * value.relations.length;
}

export class SentenceCache {
  hits = 0;
  misses = 0;
  private readonly lru: LRUCache<string, SentenceResult>;

  constructor(readonly maxBytes = DEFAULT_CACHE_BYTES) {
    this.lru = new LRUCache<string, SentenceResult>({ maxSize: Math.max(1024, maxBytes), sizeCalculation: (v, k) => resultBytes(k, v) });
  }

  static key(modelId: string, graphSha: string, tokens: readonly string[]): string {
    // \u0000 and \u0001 cannot occur in tokens (the tokenizer drops control-only tokens and never
    // splits inside words at them), so the key is unambiguous. Detached: tokens are slices of the text.
    return detach(`${modelId}\u0000${graphSha}\u0000${tokens.join('\u0001')}`);
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
    return { hits: this.hits, misses: this.misses, size: this.lru.size, bytes: this.lru.calculatedSize, maxBytes: this.maxBytes };
  }

  clear(): void {
    this.lru.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

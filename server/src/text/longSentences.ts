/**
 * A cap on sentence length.
 *
 * Text without full stops (a pasted log, a 100,000-character line, a note dictated as one run-on) would
 * otherwise be one sentence, and everything downstream — the models' pair tables, the cache keys, the
 * editor's hovers — grows with it (a 100,000-character line cost 25 s and 1.6 GB). No real sentence
 * needs more than about a hundred words to be read correctly, so longer ones are cut into pieces of at
 * most MAX_SENTENCE_WORDS words, each cut at the best break in the last half of the allowed length: after
 * the last ';', else after the last ',' or ':', else after the last dash, else exactly at the limit.
 * Each cut looks at no more than MAX_SENTENCE_WORDS / 2 tokens, so the whole is linear in the length.
 * (The model layer still windows what it is given, server/src/model/windows.ts, as a second net.)
 */
import type { RawToken } from './wordTokenizer';

export const MAX_SENTENCE_WORDS = 100;

const BREAK_RANK: ReadonlyMap<string, number> = new Map([
  [';', 3],
  [',', 2],
  [':', 2],
  ['-', 1],
  ['--', 1],
  ['–', 1],
  ['—', 1],
]);

/** `tokens[from, to)` as pieces of at most `max` tokens, cut at the best break near each limit. */
export function capLength(tokens: readonly RawToken[], from: number, to: number, max = MAX_SENTENCE_WORDS): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  let a = from;
  while (to - a > max) {
    const limit = a + max; // the piece may end here at the latest (exclusive)
    let cut = limit;
    let bestRank = 0;
    for (let k = limit - 1; k >= a + Math.ceil(max / 2); k--) {
      const rank = BREAK_RANK.get(tokens[k].text) ?? 0;
      if (rank > bestRank) {
        bestRank = rank;
        cut = k + 1;
        if (rank === 3) break;
      }
    }
    pieces.push([a, cut]);
    a = cut;
  }
  pieces.push([a, to]);
  return pieces;
}

/**
 * Prose tokens -> sentences.
 *
 * Works on the word tokens of one block (paragraph, list item, ...), never across blocks. The word
 * tokenizer already keeps abbreviations (Dr. U.S. e.g. Feb.), decimals (2.5) and initials (F.) in
 * one token, so a sentence ends at a free-standing terminator (. ! ? ... …), followed by any closing
 * quotes or brackets, when the next token is separated by whitespace and does not start with a
 * lower-case letter. Units that often end a sentence ("5 mg. The") split when a capital follows.
 */
import type { RawToken } from './wordTokenizer';

const TERMINATORS = new Set(['.', '!', '?', '...', '…', '‼', '⁇', '。', '！', '？']);
const CLOSERS = new Set(['"', "'", "''", '”', '’', '»', ')', ']', '}']);
const SENTENCE_FINAL_ABBREVIATIONS = new Set(['etc.', 'mg.', 'ml.', 'kg.', 'mcg.']);

/** Token index ranges [start, end) of the sentences in `tokens`. */
export function sentenceRanges(tokens: readonly RawToken[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let first = 0;
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i].text;
    let endsHere = false;
    let last = i;
    if (TERMINATORS.has(tok) || /^[.!?]+$/.test(tok)) {
      while (last + 1 < tokens.length && (TERMINATORS.has(tokens[last + 1].text) || /^[.!?]+$/.test(tokens[last + 1].text)) && tokens[last + 1].start === tokens[last].end) last++;
      while (last + 1 < tokens.length && CLOSERS.has(tokens[last + 1].text) && tokens[last + 1].start === tokens[last].end) last++;
      endsHere = startsNewSentence(tokens, last, false);
      // Dictated notes glue sections as "124/78.,HEENT: ..." - the comma belongs to the sentence end.
      const comma = tokens[last + 1];
      const following = tokens[last + 2];
      if (!endsHere && comma?.text === ',' && comma.start === tokens[last].end && following && /^\p{Lu}/u.test(following.text)) {
        last++;
        endsHere = true;
      }
    } else if (SENTENCE_FINAL_ABBREVIATIONS.has(tok)) {
      endsHere = startsNewSentence(tokens, last, true);
    }
    if (endsHere) {
      ranges.push([first, last + 1]);
      first = last + 1;
    }
    i = last + 1;
  }
  if (first < tokens.length) ranges.push([first, tokens.length]);
  return ranges;
}

function startsNewSentence(tokens: readonly RawToken[], last: number, needCapital: boolean): boolean {
  const next = tokens[last + 1];
  if (!next) return false;
  if (next.start === tokens[last].end) return false; // "124/78.,HEENT" or "Hello.World": not a boundary
  const firstChar = String.fromCodePoint(next.text.codePointAt(0)!);
  if (needCapital) return /\p{Lu}/u.test(firstChar);
  return !/\p{Ll}/u.test(firstChar);
}

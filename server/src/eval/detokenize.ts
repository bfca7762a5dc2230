/**
 * Gold tokens -> the running text they were cut from, with each token's [start, end) in it.
 *
 * The benchmarks ship tokens only, so raw-text evaluation and the tokenizer-agreement report need a
 * plausible original: PTB-style spacing (no space before , . ; : ! ? ) ] } % and clitics, none after
 * ( [ { `` $ #, straight double quotes alternate open/close), and hyphens and slashes between two
 * words or numbers joined without spaces ("Gemcitabine - induced" -> "Gemcitabine-induced",
 * "and / or" -> "and/or"): ADE and DDI split compounds that way, and their sources wrote them joined.
 */
const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '!', '?', ')', ']', '}', '%', "''", "'s", "'S", "n't", "N'T", "'re", "'ve", "'ll", "'d", "'m", '...']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``', '$', '#']);
const JOINERS = new Set(['-', '/']);
const ALNUM_END = /[\p{L}\p{N}]$/u;
const ALNUM_START = /^[\p{L}\p{N}]/u;

export interface DetokenizedSentence {
  text: string;
  spans: Array<[number, number]>;
}

export function detokenize(tokens: readonly string[]): DetokenizedSentence {
  let text = '';
  const spans: Array<[number, number]> = [];
  let openQuote = false;
  tokens.forEach((tok, i) => {
    let space = i > 0;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (NO_SPACE_BEFORE.has(tok)) space = false;
    if (prev !== undefined && NO_SPACE_AFTER.has(prev)) space = false;
    if (JOINERS.has(tok) && prev !== undefined && next !== undefined && ALNUM_END.test(prev) && ALNUM_START.test(next)) space = false;
    if (prev !== undefined && JOINERS.has(prev) && i >= 2 && ALNUM_END.test(tokens[i - 2]) && ALNUM_START.test(tok)) space = false;
    if (tok === '"') {
      if (openQuote) space = false; // closing quote hugs the word before
      openQuote = !openQuote;
    } else if (prev === '"' && openQuote) space = false; // the word after an opening quote
    if (space) text += ' ';
    spans.push([text.length, text.length + tok.length]);
    text += tok;
  });
  return { text, spans };
}

/**
 * Prose tokens -> sentences, by punctuation.
 *
 * Works on a range of the word tokens of one piece of prose (a line unit, or the content after a
 * label), never across pieces. The word tokenizer already keeps abbreviations (Dr. U.S. e.g. Feb.),
 * decimals (2.5) and initials (F.) in one token, so a sentence ends at a free-standing terminator
 * (. ! ? ... …), followed by any closing quotes or brackets (glued, or detached as tokenised text writes
 * them: "back. ' '", and any ',' ';' ':' that cannot open a sentence), when the next token is separated
 * by whitespace and does not start with a lower-case letter. Units that often end a sentence
 * ("5 mg. The") split when a capital follows; an initial or a dotted abbreviation keeps its period
 * inside its token, so "by Dr. Y. The patient" or "in the U.S. The market" split only when the next
 * word is one that usually opens a sentence ("The", "He", ...), which a name's next part never is. So do
 * the abbreviations the tokenizer keeps whole that end a place or a name ("born in Concord, Mass. The
 * nine", "Corp. In 1990", "King Jr. He"), and any word not in lower case after a dateline ("GRAND
 * RAPIDS, Mich. New Jersey ..."); titles ("Dr.", "Gov.", "St.") come before a name and never do.
 */
import { ABBREVIATIONS, type RawToken } from './wordTokenizer';

const TERMINATORS = new Set(['.', '!', '?', '...', '…', '‼', '⁇', '。', '！', '？']);
export const CLOSERS = new Set(['"', "'", "''", '”', '’', '»', ')', ']', '}']);
const SENTENCE_FINAL_ABBREVIATIONS = new Set(['etc.', 'mg.', 'ml.', 'kg.', 'mcg.']);
// "Y." (an initial: names in transcribed notes are often one letter) and "U.S." / "p.m.", but not the
// lower-case Latin abbreviations that introduce what follows.
const DOTTED = /^(?:\p{Lu}\.|(?:[A-Za-z]\.){2,})$/u;
const NOT_FINAL_DOTTED = new Set(['e.g.', 'i.e.', 'cf.']);
const SENTENCE_OPENERS = new Set([
  'The', 'He', 'She', 'It', 'They', 'We', 'His', 'Her', 'Their', 'Its', 'Our', 'This', 'That', 'These', 'Those', 'There',
  'Then', 'However', 'After', 'In', 'On', 'At', 'A', 'An', 'But', 'When', 'If',
]);
// Abbreviations of the tokenizer's list that stand before a name (a title, "St. Louis", "Mt. Everest")
// and so never end a sentence; the others (states, Jr., Inc., Corp., months, etc.) may.
const TITLES = new Set(['Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'Sen', 'Rep', 'Gov', 'Gen', 'Col', 'Lt', 'Sgt', 'Capt', 'Maj', 'Cmdr', 'Adm', 'Rev', 'St', 'Mt', 'Ft', 'No', 'vs', 'cf', 'Fig', 'Figs', 'Eq', 'Eqs', 'approx']);
const MAY_END_ABBREVIATIONS = new Set(ABBREVIATIONS.filter((a) => !TITLES.has(a)).map((a) => a + '.'));

/** A token that can end a sentence: . ! ? … and runs of them ("?!", "..."). */
export function isTerminator(tok: string): boolean {
  return TERMINATORS.has(tok) || /^[.!?]+$/.test(tok);
}

/**
 * A token after which a new statement may start: a terminator, or an abbreviation that often ends a
 * sentence in notes ("81 mg.", "b.i.d."). List markers and labels may follow one.
 */
export function mayEndSentence(tok: string): boolean {
  return isTerminator(tok) || SENTENCE_FINAL_ABBREVIATIONS.has(tok) || (LOWER_DOTTED.test(tok) && !NOT_FINAL_DOTTED.has(tok));
}
const LOWER_DOTTED = /^(?:[a-z]\.){2,}$/; // b.i.d. t.i.d. p.r.n. p.m.

/** The last token of the terminator group at `i`: adjacent terminators, then adjacent closers. */
export function terminatorGroupEnd(tokens: readonly RawToken[], i: number, to: number): number {
  let last = i;
  while (last + 1 < to && isTerminator(tokens[last + 1].text) && tokens[last + 1].start === tokens[last].end) last++;
  while (last + 1 < to && CLOSERS.has(tokens[last + 1].text) && tokens[last + 1].start === tokens[last].end) last++;
  return last;
}

// What can follow a sentence end but never opens a sentence, even after a space ("back. ' '" in
// tokenised text, "Highway 49. ;"): it belongs to the sentence before.
const NEVER_OPENS = new Set([')', ']', '}', '”', '’', '»', "''", ',', ';', ':']);
// Straight quotes open or close; one that is not glued to a word after it closes ("... he said. ' ' and").
const EITHER_WAY = new Set(['"', "'"]);

/** After a sentence end at `last`: the last of the detached closing tokens that follow it. */
function trailingCloserEnd(tokens: readonly RawToken[], last: number, to: number): number {
  while (last + 1 < to) {
    const next = tokens[last + 1];
    if (NEVER_OPENS.has(next.text)) {
      // "124/78.,HEENT": a glued comma before a capital is the dictation join, handled by the caller.
      if (next.text === ',' && next.start === tokens[last].end) break;
      last++;
    } else if (EITHER_WAY.has(next.text) && (last + 2 >= to || tokens[last + 2].start > next.end)) last++;
    else break;
  }
  return last;
}

/** Token index ranges [start, end) of the sentences in `tokens[from, to)`. */
export function sentenceRanges(tokens: readonly RawToken[], from = 0, to = tokens.length): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let first = from;
  let i = from;
  while (i < to) {
    const tok = tokens[i].text;
    let endsHere = false;
    let last = i;
    if (isTerminator(tok)) {
      last = trailingCloserEnd(tokens, terminatorGroupEnd(tokens, i, to), to);
      endsHere = startsNewSentence(tokens, last, to, 'notLower');
      // Dictated notes glue sections as "124/78.,HEENT: ..." - the comma belongs to the sentence end.
      const comma = last + 1 < to ? tokens[last + 1] : undefined;
      const following = last + 2 < to ? tokens[last + 2] : undefined;
      if (!endsHere && comma?.text === ',' && comma.start === tokens[last].end && following && /^\p{Lu}/u.test(following.text)) {
        last++;
        endsHere = true;
      }
    } else if (SENTENCE_FINAL_ABBREVIATIONS.has(tok)) {
      endsHere = startsNewSentence(tokens, last, to, 'capital');
    } else if ((DOTTED.test(tok) && !NOT_FINAL_DOTTED.has(tok)) || MAY_END_ABBREVIATIONS.has(tok)) {
      endsHere = startsNewSentence(tokens, last, to, isDatelineSoFar(tokens, first, i) ? 'notLower' : 'opener');
    }
    if (endsHere) {
      ranges.push([first, last + 1]);
      first = last + 1;
    }
    i = last + 1;
  }
  if (first < to) ranges.push([first, to]);
  return ranges;
}

const OPENING_QUOTES = new Set(['`', '``', '“', '"']);

/**
 * After an abbreviation that may end a sentence ("Amherst, Mass.", "2 p.m."), what opens a new one even
 * though it is no opener word: a quotation starting with a capital ("` ` This is ...", as tokenised news
 * writes an opening quote) or a news dateline, a word in capitals followed by ',' or '(' ("BRISBANE,
 * Australia (AP)", "MEXICO CITY (AP)"); a name's next part is never either.
 */
function opensQuoteOrDateline(tokens: readonly RawToken[], k: number, to: number): boolean {
  let j = k;
  while (j < to && j - k < 2 && OPENING_QUOTES.has(tokens[j].text)) j++;
  if (j > k) return j < to && /^\p{Lu}/u.test(tokens[j].text);
  j = datelinePlaceEnd(tokens, k, to);
  const letters = tokens.slice(k, j).reduce((n, t) => n + t.text.length, 0);
  return j > k && letters >= 4 && j < to && (tokens[j].text === ',' || tokens[j].text === '(');
}

// A dateline's place: one to three words in capitals ("BRISBANE", "GRAND RAPIDS").
const DATELINE_PLACE_WORDS = 3;
const CAPITALS_WORD = /^\p{Lu}{2,}$/u;

/** The end of the dateline place words from `k` (at most DATELINE_PLACE_WORDS; `k` when there are none). */
function datelinePlaceEnd(tokens: readonly RawToken[], k: number, to: number): number {
  let j = k;
  while (j < to && j - k < DATELINE_PLACE_WORDS && CAPITALS_WORD.test(tokens[j].text)) j++;
  return j;
}

/**
 * A news dateline up to the abbreviation at `i`: one to three words in capitals, a comma, the
 * abbreviation ("GRAND RAPIDS, Mich.", "BELEN, N.M."). Nothing of a sentence follows a dateline's place
 * inside it, so any word not in lower case opens the next ("GRAND RAPIDS, Mich. New Jersey Gov. ...").
 */
function isDatelineSoFar(tokens: readonly RawToken[], first: number, i: number): boolean {
  const comma = i - 1;
  return comma > first && tokens[comma].text === ',' && datelinePlaceEnd(tokens, first, comma) === comma;
}

function startsNewSentence(tokens: readonly RawToken[], last: number, to: number, need: 'notLower' | 'capital' | 'opener'): boolean {
  if (last + 1 >= to) return false;
  const next = tokens[last + 1];
  // "Hello.World" is no boundary, nor "124/78.,HEENT" (the caller handles that join); after a detached
  // comma the join is written with a space: "obstruction. ,To be followed".
  const afterComma = tokens[last].text === ',' || tokens[last].text === ';';
  if (next.start === tokens[last].end && !afterComma) return false;
  if (need === 'opener') return SENTENCE_OPENERS.has(next.text) || opensQuoteOrDateline(tokens, last + 1, to);
  const firstChar = String.fromCodePoint(next.text.codePointAt(0)!);
  if (need === 'capital') return /\p{Lu}/u.test(firstChar);
  return !/\p{Ll}/u.test(firstChar);
}

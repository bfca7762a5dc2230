/**
 * Line breaks inside a block -> units that sentences never cross.
 *
 * People end statements with a line break as often as with a full stop: a heading line, a list line, a
 * one-sentence-per-line file. So a line break ends a sentence unless the next line is a soft-wrapped
 * continuation of the previous one. A break is a continuation when the previous line does not end with
 * a sentence terminator (. ! ? …, maybe followed by closing quotes or brackets), the next line does not
 * start with a section label ("HEENT:", "Allergies:"; unless the previous line ends in a word in capitals
 * that may be the label's first part), and either
 *
 *  (a) the block looks hard-wrapped and either the next line's first word would not have fitted on the
 *      previous line (previous length + 1 + first word > W) or the next line starts in lower case; or
 *  (b) the previous line ends with a comma, a hyphen, an opening bracket or a function word ("and",
 *      "of", "the", ...) and the next line starts with a lower-case letter.
 *
 * "Looks hard-wrapped": W, the wrap width, is the block's longest line; the block has at least three
 * lines, 40 <= W <= 130, and at least 60% of the lines before the last are at least 0.7 W long. A
 * wrapper fills lines to nearly W; one-sentence-per-line text has lengths all over the place, and with
 * fewer than three lines there is no evidence of a width at all (only (b) applies there). A line's
 * length is counted in UTF-16 units from the start of its document line, so a block that starts after
 * a list marker or quote marker counts those columns too.
 */
import { isCapsWord, labelStartsAt } from './labels';
import { splitLines } from './lines';
import { CLOSERS, isTerminator } from './sentences';
import type { RawToken } from './wordTokenizer';

const MIN_WRAP = 40;
const MAX_WRAP = 130;
const FULL_LINE = 0.7;
const FULL_SHARE = 0.6;
const SOFT_ENDINGS = new Set([',', '-', '–', '(', '[', '{', '/', '&']);
const FUNCTION_WORDS = new Set(
  ('a an the and or but nor of to in on at by for from with without into onto over under than as ' +
    'that which who whom whose if when while because although its his her their our your my this these those ' +
    'is are was were be been has have had not no per via including such').split(' '),
);

interface TokenLine {
  first: number; // token index range [first, end) of the line
  end: number;
  length: number; // columns up to the end of the line's last token
}

/** Token index ranges [start, end) of the units of a block; `firstColumn` is the block's column in its line. */
export function lineUnits(text: string, tokens: readonly RawToken[], firstColumn = 0): Array<[number, number]> {
  if (tokens.length === 0) return [];
  const lines = tokenLines(text, tokens, firstColumn);
  if (lines.length === 1) return [[0, tokens.length]];
  const width = wrapWidth(lines);
  const units: Array<[number, number]> = [];
  let unitStart = 0;
  for (let k = 1; k < lines.length; k++) {
    if (!continues(text, tokens, lines[k - 1], lines[k], width)) {
      units.push([unitStart, lines[k].first]);
      unitStart = lines[k].first;
    }
  }
  units.push([unitStart, tokens.length]);
  return units;
}

/** The lines of the block that hold tokens (a line of masked markup only is skipped). */
function tokenLines(text: string, tokens: readonly RawToken[], firstColumn: number): TokenLine[] {
  const out: TokenLine[] = [];
  let t = 0;
  for (const [n, line] of splitLines(text).entries()) {
    const first = t;
    while (t < tokens.length && tokens[t].start < line.next) t++;
    if (t > first) out.push({ first, end: t, length: (n === 0 ? firstColumn : 0) + tokens[t - 1].end - line.start });
    if (t >= tokens.length) break;
  }
  return out;
}

/** The wrap width when the block looks hard-wrapped, else 0. */
function wrapWidth(lines: readonly TokenLine[]): number {
  if (lines.length < 3) return 0;
  let w = 0;
  for (const l of lines) w = Math.max(w, l.length);
  if (w < MIN_WRAP || w > MAX_WRAP) return 0;
  let full = 0;
  for (let k = 0; k < lines.length - 1; k++) if (lines[k].length >= FULL_LINE * w) full++;
  return full >= FULL_SHARE * (lines.length - 1) ? w : 0;
}

function continues(text: string, tokens: readonly RawToken[], prev: TokenLine, next: TokenLine, width: number): boolean {
  if (endsWithTerminator(tokens, prev)) return false;
  // A line that starts with a label starts a new unit, unless the label may have begun on the previous
  // line ("...trachea.,POSTOPERATIVE" / "DIAGNOSES,Airway ..." wrapped inside a run-on).
  if (labelStartsAt(tokens, next.first, next.end) && !isCapsWord(tokens[prev.end - 1].text)) return false;
  const lower = /^\p{Ll}/u.test(tokens[next.first].text);
  if (width > 0 && (lower || prev.length + 1 + firstWordLength(text, tokens[next.first].start) > width)) return true;
  const last = tokens[prev.end - 1].text;
  return lower && (SOFT_ENDINGS.has(last) || FUNCTION_WORDS.has(last.toLowerCase()));
}

function endsWithTerminator(tokens: readonly RawToken[], line: TokenLine): boolean {
  let k = line.end - 1;
  while (k > line.first && CLOSERS.has(tokens[k].text)) k--;
  return isTerminator(tokens[k].text);
}

/** Length of the whitespace-delimited word at `start` (what a wrapper would have had to fit). */
function firstWordLength(text: string, start: number): number {
  let i = start;
  while (i < text.length && !/\s/.test(text[i])) i++;
  return i - start;
}

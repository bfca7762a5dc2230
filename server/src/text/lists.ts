/**
 * Lists written inside running text: each item is a statement of its own.
 *
 *  - Numbered items: "Medications: 1. Aspirin 81 mg. 2. Lisinopril 10 mg." A number with a glued '.'
 *    or ')' is an item marker when a word follows after a space, and it opens a line (one to three
 *    digits), or it follows a label, a sentence end, ':' or ';' and is 1 or continues the list
 *    (2 after 1, 1000 after 999). So "seen on day 3. Then" (after a word), "Pulse: 60. Temperature"
 *    (not a list's first number) and "Surgery: 2019. Seen again." keep their numbers as words.
 *    Without this the marker's period would end a sentence of its own ("1." | "Aspirin ..."). The
 *    marker is not part of the item's words.
 *  - Medication lists after a medication label: "Medications: X 10 mg daily, Y 5 mg" splits after each
 *    ',' or ';' outside brackets, but only when at least two of the parts name a dose (hold a number),
 *    so "Medications: aspirin, which he stopped" stays whole.
 */
import { isTerminator, mayEndSentence, terminatorGroupEnd } from './sentences';
import type { RawToken } from './wordTokenizer';

/**
 * The items of `tokens[from, to)`: ranges without their markers; text before the first marker is an
 * item too. `atLineStart`: `from` is the first token of a line.
 */
export function numberedItems(tokens: readonly RawToken[], from: number, to: number, atLineStart: boolean): Array<[number, number]> {
  const items: Array<[number, number]> = [];
  let itemStart = from;
  let opens = true; // may a marker start at i?
  let lastNumber = -1;
  let i = from;
  while (i < to) {
    if (opens && isMarkerAt(tokens, i, to, i === from && atLineStart ? null : lastNumber)) {
      lastNumber = Number(tokens[i].text);
      if (i > itemStart) items.push([itemStart, i]);
      i += 2;
      itemStart = i;
      opens = false;
      continue;
    }
    const t = tokens[i].text;
    if (isTerminator(t)) {
      i = terminatorGroupEnd(tokens, i, to) + 1;
      opens = true;
      continue;
    }
    opens = t === ':' || t === ';' || mayEndSentence(t);
    i++;
  }
  if (itemStart < to) items.push([itemStart, to]);
  return items;
}

/** `lastNumber`: the list's previous number (-1: none yet), or null at the start of a line (any short number). */
function isMarkerAt(tokens: readonly RawToken[], i: number, to: number, lastNumber: number | null): boolean {
  if (i + 2 >= to) return false;
  const [num, dot, next] = [tokens[i], tokens[i + 1], tokens[i + 2]];
  if (!/^\d{1,9}$/.test(num.text)) return false;
  const n = Number(num.text);
  const numbered = lastNumber === null ? num.text.length <= 3 : n === lastNumber + 1 || (n === 1 && lastNumber < 0);
  return numbered && (dot.text === '.' || dot.text === ')') && dot.start === num.end && next.start > dot.end && /^\p{L}/u.test(next.text);
}

const OPENING = new Set(['(', '[', '{']);
const CLOSING = new Set([')', ']', '}']);

/** A medication list's items: `tokens[from, to)` split after top-level ',' and ';' when two parts hold a dose. */
export function medicationItems(tokens: readonly RawToken[], from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let partStart = from;
  for (let i = from; i < to; i++) {
    const t = tokens[i].text;
    if (OPENING.has(t)) depth++;
    else if (CLOSING.has(t)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (t === ',' || t === ';') && i + 1 < to) {
      parts.push([partStart, i + 1]);
      partStart = i + 1;
    }
  }
  parts.push([partStart, to]);
  let withDose = 0;
  for (const [a, b] of parts) {
    for (let k = a; k < b; k++) {
      if (/\p{Nd}/u.test(tokens[k].text)) {
        withDose++;
        break;
      }
    }
  }
  return withDose >= 2 ? parts : [[from, to]];
}

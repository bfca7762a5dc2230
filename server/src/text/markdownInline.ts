/**
 * Inline Markdown of one block -> which characters are markup (code spans, links, images, autolinks,
 * HTML, escapes, emphasis delimiters), in time linear in the block's length.
 *
 * The reading is the one markdown.ts always had; what changed is how far each step looks. Before, every
 * `[` scanned to the end of the block for its `]` (and every `](` for its `)`, every `[^` for its `]`,
 * every unmatched backtick run for a run of its length, every emphasis closer down the whole opener
 * stack), so `'['.repeat(40000)` took seconds. Now one pre-pass over the block pairs brackets and
 * parentheses with stacks and indexes backtick runs by length, and emphasis keeps one opener stack per
 * delimiter character, so every question the main loop asks is answered in O(1) or O(log n).
 */

/** Where masked characters are recorded (prose.ts's Mask, shared with the block reader). */
export interface InlineMask {
  set(start: number, end: number): void;
  has(i: number): boolean;
}

const ASCII_PUNCT = /[!-\/:-@\[-`{-~]/;
const PUNCT_OR_SYMBOL = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const AUTOLINK = /^<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+\/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>/;
const HTML_TAG = /^<\/?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>/;
const BARE_URL = /^(?:https?:\/\/|www\.)[^\s<>]*[^\s<>.,;:!?'")\]*_~]/;
/** How far an autolink, a tag or a bare URL may reach: a bound on the work one `<` or `h` can cause. */
const TAG_WINDOW = 2048;
const URL_WINDOW = 4096;
/** CommonMark: a link label has at most 999 characters; longer bracketed text is never a reference. */
const MAX_LABEL = 999;

export function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Sorted positions, with "the first one at or after x" by binary search. */
class Positions {
  readonly at: number[] = [];
  firstFrom(x: number): number {
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.at.length ? this.at[lo] : -1;
  }
}

/**
 * What the main loop needs to know about a block, computed in one pass each:
 * - backtick runs (maximal, as in the raw text) indexed by length, so "the next run of exactly n
 *   backticks after x" is a binary search;
 * - for each `[` the `]` that closes it, counting nested brackets and skipping escapes and code spans;
 * - for each `(` the `)` that closes it (escapes skipped; code spans do not hide parentheses);
 * - every `]` and every whitespace position, for reference labels and footnote references.
 */
class BlockIndex {
  private readonly runsByLength = new Map<number, Positions>();
  readonly bracketClose = new Map<number, number>();
  readonly parenClose = new Map<number, number>();
  readonly closers = new Positions();
  readonly spaces = new Positions();

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
  ) {
    for (let i = start; i < end; ) {
      const c = text.charCodeAt(i);
      if (c === 96 /* ` */) {
        const n = runLength(text, i, end, '`');
        let runs = this.runsByLength.get(n);
        if (!runs) this.runsByLength.set(n, (runs = new Positions()));
        runs.at.push(i);
        i += n;
        continue;
      }
      if (c === 93 /* ] */) this.closers.at.push(i);
      else if (isSpace(c, text, i)) this.spaces.at.push(i);
      i++;
    }
    this.pairBrackets(start);
    this.pairParentheses(start);
  }

  /** Start of the first run of exactly `n` backticks at or after `from`, or -1 (runs are maximal). */
  backtickRun(from: number, n: number): number {
    return this.runsByLength.get(n)?.firstFrom(from) ?? -1;
  }

  private pairBrackets(start: number): void {
    const { text, end } = this;
    const open: number[] = [];
    for (let i = start; i < end; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '`') {
        const n = runLength(text, i, end, '`');
        const close = this.backtickRun(i + n, n);
        i = close >= 0 ? close + n - 1 : i + n - 1;
      } else if (c === '[') open.push(i);
      else if (c === ']' && open.length > 0) this.bracketClose.set(open.pop()!, i);
    }
  }

  private pairParentheses(start: number): void {
    const { text, end } = this;
    const open: number[] = [];
    for (let i = start; i < end; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '(') open.push(i);
      else if (c === ')' && open.length > 0) this.parenClose.set(open.pop()!, i);
    }
  }
}

interface DelimiterRun {
  ch: string;
  start: number;
  end: number;
  canOpen: boolean;
  canClose: boolean;
}

/** Inline markup of one block [start, end): code spans, links, autolinks, HTML, escapes, emphasis delimiters. */
export function maskInline(text: string, mask: InlineMask, start: number, end: number, referenceLabels: ReadonlySet<string>): void {
  const index = new BlockIndex(text, start, end);
  const runs: DelimiterRun[] = [];
  let i = start;
  while (i < end) {
    if (mask.has(i)) {
      i++;
      continue;
    }
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (i + 1 < end && ASCII_PUNCT.test(next)) {
        mask.set(i, i + 1); // the escaped character is literal prose
        i += 2;
        continue;
      }
      if (next === '\n' || next === '\r') mask.set(i, i + 1); // hard line break
      i++;
      continue;
    }
    if (c === '`') {
      const n = runLength(text, i, end, '`');
      const closeAt = index.backtickRun(i + n, n);
      if (closeAt >= 0) {
        mask.set(i, closeAt + n);
        i = closeAt + n;
      } else i += n;
      continue;
    }
    if (c === '<') {
      const rest = text.slice(i, Math.min(end, i + TAG_WINDOW));
      if (rest.startsWith('<!--')) {
        // Looked for inside the block only: an unclosed comment in every block must not scan the document each time.
        const closeAt = text.slice(i + 4, end).indexOf('-->');
        const stop = closeAt < 0 ? end : i + 4 + closeAt + 3;
        mask.set(i, stop);
        i = stop;
        continue;
      }
      const m = AUTOLINK.exec(rest) ?? HTML_TAG.exec(rest);
      if (m) {
        mask.set(i, i + m[0].length);
        i += m[0].length;
        continue;
      }
    }
    if (c === '!' && text[i + 1] === '[') {
      const link = parseLink(text, i + 1, end, referenceLabels, index);
      if (link) {
        mask.set(i, link.end); // images: alt text is not part of the reading flow
        i = link.end;
        continue;
      }
    }
    if (c === '[') {
      if (text[i + 1] === '^') {
        const closeAt = index.closers.firstFrom(i);
        const space = index.spaces.firstFrom(i);
        if (closeAt > 0 && closeAt < end && (space < 0 || space > closeAt)) {
          mask.set(i, closeAt + 1); // footnote reference
          i = closeAt + 1;
          continue;
        }
      }
      const link = parseLink(text, i, end, referenceLabels, index);
      if (link) {
        // keep the link text, mask the brackets and the target
        mask.set(i, i + 1);
        mask.set(link.textEnd, link.end);
        i++;
        continue;
      }
    }
    if ((c === 'h' || c === 'w') && (i === start || !LETTER_OR_DIGIT.test(text[i - 1]))) {
      const m = BARE_URL.exec(text.slice(i, Math.min(end, i + URL_WINDOW)));
      if (m && (m[0].startsWith('http') || m[0].startsWith('www.'))) {
        mask.set(i, i + m[0].length);
        i += m[0].length;
        continue;
      }
    }
    if (c === '*' || c === '_' || c === '~') {
      const n = runLength(text, i, end, c);
      runs.push(delimiterRun(text, c, i, i + n, start, end));
      i += n;
      continue;
    }
    i++;
  }
  maskMatchedEmphasis(runs, mask);
}

/** `\s`, with the common cases decided without a regular expression (this runs on every character). */
function isSpace(c: number, text: string, i: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return WHITESPACE.test(text[i]);
}

function runLength(text: string, i: number, end: number, ch: string): number {
  let j = i;
  while (j < end && text[j] === ch) j++;
  return j - i;
}

/** `[text](target)`, `[text][ref]`, `[text][]` or `[ref]` (when defined). Nested brackets are fine. */
function parseLink(text: string, open: number, end: number, referenceLabels: ReadonlySet<string>, index: BlockIndex): { textEnd: number; end: number } | null {
  const closeAt = index.bracketClose.get(open);
  if (closeAt === undefined) return null;
  const after = text[closeAt + 1];
  if (after === '(') {
    const targetEnd = index.parenClose.get(closeAt + 1);
    return targetEnd === undefined ? null : { textEnd: closeAt, end: targetEnd + 1 };
  }
  if (after === '[') {
    const refClose = index.closers.firstFrom(closeAt + 2);
    if (refClose > 0 && refClose < end) {
      if (refClose === closeAt + 2) return { textEnd: closeAt, end: refClose + 1 }; // [text][]
      if (isReference(text, closeAt + 2, refClose, referenceLabels)) return { textEnd: closeAt, end: refClose + 1 };
    }
    return null;
  }
  if (isReference(text, open + 1, closeAt, referenceLabels)) return { textEnd: closeAt, end: closeAt + 1 };
  return null;
}

/** Whether text[from, to) names a defined reference; never reads more than a label's length. */
function isReference(text: string, from: number, to: number, referenceLabels: ReadonlySet<string>): boolean {
  return referenceLabels.size > 0 && to - from <= MAX_LABEL && referenceLabels.has(normaliseLabel(text.slice(from, to)));
}

/** CommonMark's flanking rules decide whether a run of `*`, `_` or `~` can open or close emphasis. */
function delimiterRun(text: string, ch: string, start: number, end: number, blockStart: number, blockEnd: number): DelimiterRun {
  const before = start > blockStart ? text[start - 1] : ' ';
  const after = end < blockEnd ? text[end] : ' ';
  const beforeSpace = WHITESPACE.test(before);
  const afterSpace = WHITESPACE.test(after);
  const beforePunct = PUNCT_OR_SYMBOL.test(before);
  const afterPunct = PUNCT_OR_SYMBOL.test(after);
  const left = !afterSpace && (!afterPunct || beforeSpace || beforePunct);
  const right = !beforeSpace && (!beforePunct || afterSpace || afterPunct);
  if (ch === '_') {
    return { ch, start, end, canOpen: left && (!right || beforePunct), canClose: right && (!left || afterPunct) };
  }
  if (ch === '~' && end - start > 2) return { ch, start, end, canOpen: false, canClose: false };
  return { ch, start, end, canOpen: left, canClose: right };
}

/**
 * Only delimiters that pair up are markup; a lone `*` in "5 * 3" or "~10 mg" stays text. A closer pairs
 * with the nearest opener of its character, and every opener above that one is discarded. The openers
 * live on one stack (positions), with one stack of indices per character so that finding the nearest
 * opener of a character never walks past openers of the others: each opener is pushed and removed once.
 */
function maskMatchedEmphasis(runs: readonly DelimiterRun[], mask: InlineMask): void {
  const stack: DelimiterRun[] = [];
  const byChar = new Map<string, number[]>();
  for (const run of runs) {
    if (run.canClose) {
      const mine = byChar.get(run.ch);
      const k = mine && mine.length > 0 ? mine[mine.length - 1] : -1;
      if (k >= 0) {
        mask.set(stack[k].start, stack[k].end);
        mask.set(run.start, run.end);
        stack.length = k;
        for (const list of byChar.values()) while (list.length > 0 && list[list.length - 1] >= k) list.pop();
        continue;
      }
    }
    if (run.canOpen) {
      let mine = byChar.get(run.ch);
      if (!mine) byChar.set(run.ch, (mine = []));
      mine.push(stack.length);
      stack.push(run);
    }
  }
}

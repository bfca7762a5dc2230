/**
 * Markdown -> the prose a model should read, with an exact map back to the document.
 *
 * The map is the identity: we never copy or rewrite text. Instead every character that is markup or
 * code (fences, indented code, inline code, front matter, HTML comments and tags, link targets,
 * autolinks and bare URLs, table pipes, heading/list/quote markers, emphasis delimiters, backslashes
 * of escapes) is replaced by a space in a same-length `masked` copy of the text. Offsets into `masked`
 * are offsets into the document, and since the word tokenizer never puts whitespace in a token, every
 * token found in `masked` is also, character for character, a slice of the document.
 *
 * Blocks (paragraphs, headings, list items, table cells) are the units sentences never cross.
 * This is a pragmatic line-based reading of CommonMark + GFM, not a full parser: it aims to never
 * show code or URLs to a model and to never lose prose, not to render HTML.
 */
import { isBlank, Line, splitLines } from './lines';
import { maskInline, normaliseLabel } from './markdownInline';

export type ProseKind = 'paragraph' | 'heading' | 'listItem' | 'tableCell';

export interface ProseBlock {
  kind: ProseKind;
  start: number; // UTF-16 document offsets
  end: number;
}

export interface ProseView {
  /** The document with markup and code replaced by spaces (line endings kept): same length. */
  masked: string;
  blocks: ProseBlock[];
}

class Mask {
  readonly flags: Uint8Array;
  constructor(readonly text: string) {
    this.flags = new Uint8Array(text.length);
  }
  set(start: number, end: number): void {
    this.flags.fill(1, Math.max(0, start), Math.min(this.text.length, end));
  }
  has(i: number): boolean {
    return this.flags[i] === 1;
  }
  /** The text with masked characters as spaces; line endings survive so lines keep their offsets. */
  apply(): string {
    const t = this.text;
    const parts: string[] = [];
    let runStart = 0;
    let i = 0;
    while (i < t.length) {
      if (!this.flags[i]) {
        i++;
        continue;
      }
      parts.push(t.slice(runStart, i));
      let j = i;
      let spaces = '';
      while (j < t.length && this.flags[j]) {
        const c = t[j];
        spaces += c === '\n' || c === '\r' ? c : ' ';
        j++;
      }
      parts.push(spaces);
      i = runStart = j;
    }
    parts.push(t.slice(runStart));
    return parts.join('');
  }
}

const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const ATX_HEADING = /^(#{1,6})(?=[ \t]|$)/;
const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^([-*_])[ \t]*(?:\1[ \t]*){2,}$/;
const REFERENCE_DEFINITION = /^\[([^\]^][^\]]*)\]:[ \t]*\S/;
const FOOTNOTE_DEFINITION = /^\[\^[^\]\s]+\]:[ \t]?/;
const LIST_MARKER = /^([-+*]|(\d{1,9})[.)])([ \t]+|$)/;
const TASK_BOX = /^\[[ xX]\](?=[ \t])/;
const TABLE_SEPARATOR = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const RAW_HTML_BLOCK = /^<(script|pre|style|textarea)(?=[\s>]|$)/i;

/** The prose of a Markdown document. */
export function markdownProse(text: string): ProseView {
  const mask = new Mask(text);
  const lines = splitLines(text);
  const blocks: ProseBlock[] = [];
  const referenceLabels = new Set<string>();

  let open: ProseBlock | null = null;
  const close = () => {
    if (open && open.end > open.start) blocks.push(open);
    open = null;
  };
  const maskLine = (line: Line) => mask.set(line.start, line.end);

  let li = skipFrontMatter(text, lines, mask);
  let fence: { ch: string; len: number } | null = null;
  let rawHtmlTag: string | null = null;
  let listIndent = -1; // content column of the list item we are in, -1 outside lists
  let prevBlank = true;
  let prevQuoteDepth = 0;

  for (; li < lines.length; li++) {
    const line = lines[li];
    if (fence) {
      const content = text.slice(stripQuotes(text, line, null).pos, line.end).replace(/^[ \t]{0,3}/, '');
      maskLine(line);
      const closing = new RegExp(`^${fence.ch === '`' ? '`' : '~'}{${fence.len},}[ \\t]*$`);
      if (closing.test(content)) fence = null;
      continue;
    }
    if (rawHtmlTag) {
      maskLine(line);
      if (new RegExp(`</${rawHtmlTag}\\s*>`, 'i').test(text.slice(line.start, line.end))) rawHtmlTag = null;
      continue;
    }

    const { pos, depth } = stripQuotes(text, line, mask);
    if (depth !== prevQuoteDepth) close();
    prevQuoteDepth = depth;
    if (isBlank(text, { start: pos, end: line.end, next: line.next })) {
      close();
      prevBlank = true;
      continue;
    }
    const { cols: indent, contentStart } = indentation(text, pos, line.end);
    const rest = text.slice(contentStart, line.end);

    if (listIndent >= 0 && prevBlank && indent < listIndent && !LIST_MARKER.test(rest)) listIndent = -1;
    const relIndent = listIndent >= 0 && indent >= listIndent ? indent - listIndent : indent;
    const continuesParagraph = open !== null && !prevBlank;

    if (relIndent >= 4 && !continuesParagraph) {
      // indented code block
      close();
      maskLine(line);
      prevBlank = false;
      continue;
    }
    prevBlank = false;

    if (relIndent <= 3) {
      const fenceMatch = FENCE_OPEN.exec(rest);
      if (fenceMatch && !(fenceMatch[1][0] === '`' && fenceMatch[2].includes('`'))) {
        close();
        fence = { ch: fenceMatch[1][0], len: fenceMatch[1].length };
        maskLine(line);
        continue;
      }
      if (rest.startsWith('<!--') && !rest.includes('-->')) {
        // a comment over several lines: mask up to its end (or the end of the document)
        close();
        const endAt = text.indexOf('-->', contentStart + 4);
        const stop = endAt < 0 ? text.length : endAt + 3;
        while (li + 1 < lines.length && lines[li + 1].start < stop) li++;
        mask.set(contentStart, lines[li].end);
        continue;
      }
      const raw = RAW_HTML_BLOCK.exec(rest);
      if (raw) {
        close();
        maskLine(line);
        if (!new RegExp(`</${raw[1]}\\s*>`, 'i').test(rest)) rawHtmlTag = raw[1];
        continue;
      }
      const atx = ATX_HEADING.exec(rest);
      if (atx) {
        close();
        mask.set(contentStart, contentStart + atx[1].length);
        const closingSeq = /(?:^|[ \t]+)#+[ \t]*$/.exec(rest.slice(atx[1].length));
        const bodyEnd = closingSeq ? line.end - closingSeq[0].length : line.end;
        mask.set(bodyEnd, line.end);
        blocks.push({ kind: 'heading', start: contentStart + atx[1].length, end: bodyEnd });
        continue;
      }
      if (open !== null && continuesParagraph && (open as ProseBlock).kind === 'paragraph' && SETEXT_UNDERLINE.test(rest)) {
        (open as ProseBlock).kind = 'heading';
        maskLine(line);
        close();
        continue;
      }
      if (THEMATIC_BREAK.test(rest)) {
        close();
        maskLine(line);
        continue;
      }
      if (!continuesParagraph) {
        const ref = REFERENCE_DEFINITION.exec(rest);
        if (ref) {
          close();
          referenceLabels.add(normaliseLabel(ref[1]));
          maskLine(line);
          continue;
        }
      }
      const footnote = FOOTNOTE_DEFINITION.exec(rest);
      if (footnote) {
        close();
        mask.set(contentStart, contentStart + footnote[0].length);
        open = { kind: 'paragraph', start: contentStart + footnote[0].length, end: line.end };
        continue;
      }
      if (rest.includes('|') && li + 1 < lines.length) {
        const nextLine = lines[li + 1];
        if (TABLE_SEPARATOR.test(text.slice(nextLine.start, nextLine.end)) && text.slice(nextLine.start, nextLine.end).includes('-')) {
          close();
          li = readTable(text, lines, li, mask, blocks) - 1;
          continue;
        }
      }
      const marker = LIST_MARKER.exec(rest);
      // An ordered item only interrupts a paragraph when it starts at 1 (CommonMark), so "1994. It" in
      // running text stays prose.
      const interruptsParagraph = continuesParagraph && (open as ProseBlock | null)?.kind === 'paragraph';
      if (marker && !(interruptsParagraph && marker[2] !== undefined && marker[2] !== '1')) {
        close();
        const markerEnd = contentStart + marker[1].length;
        const spaces = marker[3].length;
        let itemStart = markerEnd + (spaces > 4 ? 1 : spaces);
        mask.set(contentStart, markerEnd);
        listIndent = indent + marker[1].length + (spaces > 4 || spaces === 0 ? 1 : spaces);
        const task = TASK_BOX.exec(text.slice(itemStart, line.end));
        if (task) {
          mask.set(itemStart, itemStart + task[0].length);
          itemStart += task[0].length;
        }
        open = { kind: 'listItem', start: itemStart, end: line.end };
        continue;
      }
    }
    // Paragraph text: continue the open block (lazy continuation) or start a new paragraph.
    if (continuesParagraph && open) (open as ProseBlock).end = line.end;
    else {
      close();
      open = { kind: 'paragraph', start: contentStart, end: line.end };
    }
  }
  close();

  for (const block of blocks) maskInline(text, mask, block.start, block.end, referenceLabels);
  return { masked: mask.apply(), blocks };
}

/** YAML (`---`) or TOML (`+++`) front matter at the very top; returns the first line after it. */
function skipFrontMatter(text: string, lines: Line[], mask: Mask): number {
  const first = text.slice(lines[0].start, lines[0].end).replace(/^\uFEFF/, '').trimEnd();
  if (first !== '---' && first !== '+++') return 0;
  for (let i = 1; i < lines.length; i++) {
    const l = text.slice(lines[i].start, lines[i].end).trimEnd();
    if (l === first || (first === '---' && l === '...')) {
      mask.set(0, lines[i].end);
      return i + 1;
    }
  }
  return 0; // no closing line: not front matter (a thematic break, for example)
}

/** Block-quote markers at the start of a line (masked when `mask` is given). */
function stripQuotes(text: string, line: Line, mask: Mask | null): { pos: number; depth: number } {
  let pos = line.start;
  let depth = 0;
  for (;;) {
    const m = /^[ ]{0,3}>[ ]?/.exec(text.slice(pos, Math.min(line.end, pos + 5)));
    if (!m) break;
    mask?.set(pos, pos + m[0].length);
    pos += m[0].length;
    depth++;
  }
  return { pos, depth };
}

function indentation(text: string, pos: number, end: number): { cols: number; contentStart: number } {
  let cols = 0;
  let i = pos;
  for (; i < end; i++) {
    const c = text[i];
    if (c === ' ') cols++;
    else if (c === '\t') cols += 4 - (cols % 4);
    else break;
  }
  return { cols, contentStart: i };
}

/** A GFM table starting at line `first`; masks pipes and the separator row, one block per cell. */
function readTable(text: string, lines: Line[], first: number, mask: Mask, blocks: ProseBlock[]): number {
  let li = first;
  for (; li < lines.length; li++) {
    const line = lines[li];
    const row = text.slice(line.start, line.end);
    if (isBlank(text, line) || (li > first + 1 && !row.includes('|'))) break;
    if (li === first + 1) {
      mask.set(line.start, line.end); // the separator row
      continue;
    }
    let cellStart = line.start;
    const pushCell = (end: number) => {
      const cell = text.slice(cellStart, end);
      const lead = cell.length - cell.trimStart().length;
      const trail = cell.length - cell.trimEnd().length;
      if (cell.trim()) blocks.push({ kind: 'tableCell', start: cellStart + lead, end: end - trail });
    };
    let inCode = false;
    for (let i = line.start; i < line.end; i++) {
      const c = text[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '`') inCode = !inCode;
      if (c === '|' && !inCode) {
        mask.set(i, i + 1);
        pushCell(i);
        cellStart = i + 1;
      }
    }
    pushCell(line.end);
  }
  return li;
}


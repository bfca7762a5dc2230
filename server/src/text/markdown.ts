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
 *
 * The block structure is read line by line by `readMarkdown`, which can start at any checkpoint
 * (prose.ts) and stop at one, so an edit re-reads its paragraph only; inline markup is read per block
 * (markdownInline.ts) once the document's reference labels are known.
 */
import { isBlank } from './lines';
import { maskInline, normaliseLabel } from './markdownInline';
import { DOCUMENT_START, lineAt, Mask } from './prose';
import type { ProseBlock, ProseView, ReaderCheckpoint, RegionRead } from './prose';

export type { ProseBlock, ProseKind, ProseView } from './prose';

type Line = { start: number; end: number; next: number };

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

/** The Markdown reader for DocumentSegmentation: blocks by readMarkdown, inline markup per block. */
export const markdownReader = {
  read: readMarkdown,
  finish(text: string, region: RegionRead, labels: ReadonlySet<string>): void {
    for (const block of region.blocks) maskInline(text, region.mask, block.start, block.end, labels);
  },
};

/** The prose of a Markdown document. */
export function markdownProse(text: string): ProseView {
  const region = readMarkdown(text, { offset: 0, state: DOCUMENT_START });
  const labels = new Set(region.labels.map((l) => l.label));
  for (const block of region.blocks) maskInline(text, region.mask, block.start, block.end, labels);
  return { masked: region.mask.apply(text, 0, text.length), blocks: region.blocks };
}

/** A checkpoint's state: the content column of the enclosing list item (-1: none) and the quote depth. */
function stateOf(listIndent: number, quoteDepth: number): string {
  return `${listIndent},${quoteDepth}`;
}

/**
 * The block structure of text from the checkpoint `from` until `stop` accepts a checkpoint (or the end):
 * blocks, the masks of block markup (inline markup is maskInline's), the reference labels defined and
 * the checkpoints passed.
 */
export function readMarkdown(text: string, from: ReaderCheckpoint, stop?: (at: ReaderCheckpoint) => boolean): RegionRead {
  const mask = new Mask(from.offset);
  const blocks: ProseBlock[] = [];
  const labels: RegionRead['labels'] = [];
  const checkpoints: ReaderCheckpoint[] = [from];

  let open: ProseBlock | null = null;
  const close = () => {
    if (open && open.end > open.start) blocks.push(open);
    open = null;
  };
  const maskLine = (line: Line) => mask.set(line.start, line.end);

  let pos = from.offset;
  // Set by readLine (a closure), so typed through this holder: TypeScript does not follow closure assignments.
  const inside: { fence: RegExp | null; rawHtml: RegExp | null } = { fence: null, rawHtml: null };
  let listIndent = -1; // content column of the list item we are in, -1 outside lists
  let prevBlank = true;
  let prevQuoteDepth = 0;
  let openFrontMatter = false;
  if (from.state === DOCUMENT_START) {
    const front = skipFrontMatter(text, mask);
    pos = front.next;
    openFrontMatter = front.open;
  } else {
    const [indent, depth] = from.state.split(',').map(Number);
    listIndent = indent;
    prevQuoteDepth = depth;
  }
  let afterBlank = false;
  let end = text.length;

  for (let line = lineAt(text, pos); ; line = lineAt(text, line.next)) {
    if (afterBlank && !inside.fence && !inside.rawHtml) {
      const at = { offset: line.start, state: stateOf(listIndent, prevQuoteDepth) };
      if (stop?.(at)) {
        end = line.start;
        break;
      }
      checkpoints.push(at);
    }
    afterBlank = false;
    const last = line.end >= text.length;
    if (inside.fence) {
      const content = text.slice(stripQuotes(text, line, null).pos, line.end).replace(/^[ \t]{0,3}/, '');
      maskLine(line);
      if (inside.fence.test(content)) inside.fence = null;
      if (last) break;
      continue;
    }
    if (inside.rawHtml) {
      maskLine(line);
      if (inside.rawHtml.test(text.slice(line.start, line.end))) inside.rawHtml = null;
      if (last) break;
      continue;
    }

    const { pos: quoted, depth } = stripQuotes(text, line, mask);
    if (depth !== prevQuoteDepth) close();
    prevQuoteDepth = depth;
    if (isBlank(text, { start: quoted, end: line.end, next: line.next })) {
      close();
      prevBlank = true;
      afterBlank = true;
      if (last) break;
      continue;
    }
    const next = readLine(line, quoted);
    if (next !== undefined) line = next;
    if (line.end >= text.length) break;
  }
  close();
  return { blocks, checkpoints, end, labels, mask, ...(openFrontMatter ? { openFrontMatter } : {}) };

  /** One non-blank line outside fences and raw HTML; returns the last line it consumed when it read on. */
  function readLine(line: Line, quoted: number): Line | undefined {
    const { cols: indent, contentStart } = indentation(text, quoted, line.end);
    const rest = text.slice(contentStart, line.end);

    if (listIndent >= 0 && prevBlank && indent < listIndent && !LIST_MARKER.test(rest)) listIndent = -1;
    const relIndent = listIndent >= 0 && indent >= listIndent ? indent - listIndent : indent;
    const continuesParagraph = open !== null && !prevBlank;

    if (relIndent >= 4 && !continuesParagraph) {
      // indented code block
      close();
      maskLine(line);
      prevBlank = false;
      return;
    }
    prevBlank = false;

    if (relIndent <= 3) {
      const fenceMatch = FENCE_OPEN.exec(rest);
      if (fenceMatch && !(fenceMatch[1][0] === '`' && fenceMatch[2].includes('`'))) {
        close();
        inside.fence = new RegExp(`^${fenceMatch[1][0] === '`' ? '`' : '~'}{${fenceMatch[1].length},}[ \\t]*$`);
        maskLine(line);
        return;
      }
      if (rest.startsWith('<!--') && !rest.includes('-->')) {
        // a comment over several lines: mask up to its end (or the end of the document)
        close();
        const endAt = text.indexOf('-->', contentStart + 4);
        const stopAt = endAt < 0 ? text.length : endAt + 3;
        let lastLine = line;
        while (lastLine.end < text.length && lastLine.next < stopAt) lastLine = lineAt(text, lastLine.next);
        mask.set(contentStart, lastLine.end);
        return lastLine;
      }
      const raw = RAW_HTML_BLOCK.exec(rest);
      if (raw) {
        close();
        maskLine(line);
        const closing = new RegExp(`</${raw[1]}\\s*>`, 'i');
        if (!closing.test(rest)) inside.rawHtml = closing;
        return;
      }
      const atx = ATX_HEADING.exec(rest);
      if (atx) {
        close();
        mask.set(contentStart, contentStart + atx[1].length);
        const closingSeq = /(?:^|[ \t]+)#+[ \t]*$/.exec(rest.slice(atx[1].length));
        const bodyEnd = closingSeq ? line.end - closingSeq[0].length : line.end;
        mask.set(bodyEnd, line.end);
        blocks.push({ kind: 'heading', start: contentStart + atx[1].length, end: bodyEnd });
        return;
      }
      if (open !== null && continuesParagraph && (open as ProseBlock).kind === 'paragraph' && SETEXT_UNDERLINE.test(rest)) {
        (open as ProseBlock).kind = 'heading';
        maskLine(line);
        close();
        return;
      }
      if (THEMATIC_BREAK.test(rest)) {
        close();
        maskLine(line);
        return;
      }
      if (!continuesParagraph) {
        const ref = REFERENCE_DEFINITION.exec(rest);
        if (ref) {
          close();
          labels.push({ offset: line.start, label: normaliseLabel(ref[1]) });
          maskLine(line);
          return;
        }
      }
      const footnote = FOOTNOTE_DEFINITION.exec(rest);
      if (footnote) {
        close();
        mask.set(contentStart, contentStart + footnote[0].length);
        open = { kind: 'paragraph', start: contentStart + footnote[0].length, end: line.end };
        return;
      }
      if (rest.includes('|') && line.end < text.length) {
        const nextLine = lineAt(text, line.next);
        const row = text.slice(nextLine.start, nextLine.end);
        if (TABLE_SEPARATOR.test(row) && row.includes('-')) {
          close();
          return readTable(text, line, mask, blocks);
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
        return;
      }
    }
    // Paragraph text: continue the open block (lazy continuation) or start a new paragraph.
    if (continuesParagraph && open) (open as ProseBlock).end = line.end;
    else {
      close();
      open = { kind: 'paragraph', start: contentStart, end: line.end };
    }
    return;
  }
}

/**
 * YAML (`---`) or TOML (`+++`) front matter at the very top: masks it and returns where the body
 * starts. `open`: the first line is a delimiter that no line closes (so it is not front matter yet).
 */
function skipFrontMatter(text: string, mask: Mask): { next: number; open: boolean } {
  const firstLine = lineAt(text, 0);
  const first = text.slice(firstLine.start, firstLine.end).replace(/^\uFEFF/, '').trimEnd();
  if (first !== '---' && first !== '+++') return { next: 0, open: false };
  for (let line = firstLine; line.end < text.length; ) {
    line = lineAt(text, line.next);
    const l = text.slice(line.start, line.end).trimEnd();
    if (l === first || (first === '---' && l === '...')) {
      mask.set(0, line.end);
      return { next: line.next, open: false };
    }
  }
  return { next: 0, open: true }; // no closing line: not front matter (a thematic break, for example)
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

/** A GFM table starting at `first`; masks pipes and the separator row, one block per cell. Returns its last line. */
function readTable(text: string, first: Line, mask: Mask, blocks: ProseBlock[]): Line {
  let last = first;
  for (let line = first, row = 0; ; line = lineAt(text, line.next), row++) {
    const content = text.slice(line.start, line.end);
    if (isBlank(text, line) || (row > 1 && !content.includes('|'))) break;
    last = line;
    if (row === 1) mask.set(line.start, line.end); // the separator row
    else {
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
    if (line.end >= text.length) break;
  }
  return last;
}

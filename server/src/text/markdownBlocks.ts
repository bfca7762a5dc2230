/**
 * The block reader of Markdown: which lines are prose blocks (paragraphs, headings, list items, table
 * cells) and which characters of them are block markup (quote and list markers, heading hashes, table
 * pipes), and which lines are not prose at all (fences, indented code, raw HTML, comments, front
 * matter, reference definitions, thematic breaks). Inline markup inside the blocks is markdownInline.ts's.
 *
 * One pass, line by line, each line looked at a bounded number of times (a table or a comment reads
 * ahead and the main loop resumes after what it consumed), so the time stays linear in the text.
 * Reading can start at any checkpoint (prose.ts) and stop at one, so an edit re-reads its paragraph only.
 */
import { isBlank } from './lines';
import { normaliseLabel } from './markdownInline';
import { DOCUMENT_START, lineAt, Mask } from './prose';
import type { ProseBlock, ReaderCheckpoint, RegionRead } from './prose';

type Line = { start: number; end: number; next: number };

const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const ATX_HEADING = /^(#{1,6})(?=[ \t]|$)/;
const ATX_CLOSING = /(?:^|[ \t]+)#+[ \t]*$/;
const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^([-*_])[ \t]*(?:\1[ \t]*){2,}$/;
const REFERENCE_DEFINITION = /^\[([^\]^][^\]]*)\]:[ \t]*\S/;
const FOOTNOTE_DEFINITION = /^\[\^[^\]\s]+\]:[ \t]?/;
const LIST_MARKER = /^([-+*]|(\d{1,9})[.)])([ \t]+|$)/;
const TASK_BOX = /^\[[ xX]\](?=[ \t])/;
const TABLE_SEPARATOR = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const RAW_HTML_BLOCK = /^<(script|pre|style|textarea)(?=[\s>]|$)/i;
const QUOTE_MARKER = /^[ ]{0,3}>[ ]?/;

/**
 * The block structure of text from the checkpoint `from` until `stop` accepts a checkpoint (or the end):
 * blocks, the masks of block markup, the reference labels defined and the checkpoints passed.
 */
export function readMarkdownBlocks(text: string, from: ReaderCheckpoint, stop?: (at: ReaderCheckpoint) => boolean): RegionRead {
  return new BlockReader(text, from).read(stop);
}

/** A checkpoint's state: the content column of the enclosing list item (-1: none) and the quote depth. */
function stateOf(listIndent: number, quoteDepth: number): string {
  return `${listIndent},${quoteDepth}`;
}

/** A non-blank line outside fences and raw HTML, as the block starts see it. */
interface BlockLine {
  line: Line;
  /** Where the content starts, after quote markers and indentation. */
  contentStart: number;
  /** The content: from contentStart to the end of the line. */
  rest: string;
  /** Columns of indentation after the quote markers (a tab to the next multiple of 4). */
  indent: number;
  /** A block is open and the previous line was not blank: the line may continue a paragraph. */
  continuesParagraph: boolean;
}

/**
 * The reader's state between lines. A block start (fence, comment, heading, list item...) is one
 * method each, tried in CommonMark's order of precedence; it returns the last line it consumed, or
 * undefined when the line does not start that kind of block.
 */
class BlockReader {
  private readonly mask: Mask;
  private readonly blocks: ProseBlock[] = [];
  private readonly labels: RegionRead['labels'] = [];
  private readonly checkpoints: ReaderCheckpoint[];
  /** The paragraph, list item or footnote that following lines may continue. */
  private open: ProseBlock | null = null;
  /** Inside a code fence: its closing line. */
  private fence: RegExp | null = null;
  /** Inside a raw HTML block (script, pre, style, textarea): its closing tag. */
  private rawHtml: RegExp | null = null;
  /** The content column of the list item we are in; -1 outside lists. */
  private listIndent = -1;
  private prevBlank = true;
  private prevQuoteDepth = 0;
  private openFrontMatter = false;
  private readonly startAt: number;

  constructor(
    private readonly text: string,
    from: ReaderCheckpoint,
  ) {
    this.mask = new Mask(from.offset);
    this.checkpoints = [from];
    if (from.state === DOCUMENT_START) {
      const front = skipFrontMatter(text, this.mask);
      this.startAt = front.next;
      this.openFrontMatter = front.open;
    } else {
      const [indent, depth] = from.state.split(',').map(Number);
      this.listIndent = indent;
      this.prevQuoteDepth = depth;
      this.startAt = from.offset;
    }
  }

  read(stop?: (at: ReaderCheckpoint) => boolean): RegionRead {
    const { text } = this;
    let afterBlank = false;
    let end = text.length;
    for (let line = lineAt(text, this.startAt); ; line = lineAt(text, line.next)) {
      // A checkpoint is a line after a blank one, outside fences and raw HTML.
      if (afterBlank && !this.fence && !this.rawHtml) {
        const at = { offset: line.start, state: stateOf(this.listIndent, this.prevQuoteDepth) };
        if (stop?.(at)) {
          end = line.start;
          break;
        }
        this.checkpoints.push(at);
      }
      afterBlank = false;
      if (this.fence) this.fenceLine(line);
      else if (this.rawHtml) this.rawHtmlLine(line);
      else {
        const { pos: quoted, depth } = stripQuotes(text, line, this.mask);
        if (depth !== this.prevQuoteDepth) this.close();
        this.prevQuoteDepth = depth;
        if (isBlank(text, { start: quoted, end: line.end, next: line.next })) {
          this.close();
          this.prevBlank = true;
          afterBlank = true;
        } else line = this.readLine(line, quoted);
      }
      if (line.end >= text.length) break;
    }
    this.close();
    const { blocks, checkpoints, labels, mask, openFrontMatter } = this;
    return { blocks, checkpoints, end, labels, mask, ...(openFrontMatter ? { openFrontMatter } : {}) };
  }

  private close(): void {
    if (this.open && this.open.end > this.open.start) this.blocks.push(this.open);
    this.open = null;
  }

  private maskLine(line: Line): void {
    this.mask.set(line.start, line.end);
  }

  /** A line inside a code fence: code, until the closing fence (after the same quote markers). */
  private fenceLine(line: Line): void {
    const content = this.text.slice(stripQuotes(this.text, line, null).pos, line.end).replace(/^[ \t]{0,3}/, '');
    this.maskLine(line);
    if (this.fence!.test(content)) this.fence = null;
  }

  private rawHtmlLine(line: Line): void {
    this.maskLine(line);
    if (this.rawHtml!.test(this.text.slice(line.start, line.end))) this.rawHtml = null;
  }

  /** One non-blank line outside fences and raw HTML; returns the last line it consumed. */
  private readLine(line: Line, quoted: number): Line {
    const { cols: indent, contentStart } = indentation(this.text, quoted, line.end);
    const rest = this.text.slice(contentStart, line.end);
    // A line less indented than the item's content after a blank line ends the list (unless it is an item).
    if (this.listIndent >= 0 && this.prevBlank && indent < this.listIndent && !LIST_MARKER.test(rest)) this.listIndent = -1;
    const relIndent = this.listIndent >= 0 && indent >= this.listIndent ? indent - this.listIndent : indent;
    const continuesParagraph = this.open !== null && !this.prevBlank;
    this.prevBlank = false;
    if (relIndent >= 4 && !continuesParagraph) {
      // indented code block
      this.close();
      this.maskLine(line);
      return line;
    }
    const at: BlockLine = { line, contentStart, rest, indent, continuesParagraph };
    if (relIndent <= 3) {
      const consumed =
        this.fenceOpen(at) ??
        this.htmlComment(at) ??
        this.rawHtmlOpen(at) ??
        this.atxHeading(at) ??
        this.setextUnderline(at) ??
        this.thematicBreak(at) ??
        this.referenceDefinition(at) ??
        this.footnoteDefinition(at) ??
        this.table(at) ??
        this.listItem(at);
      if (consumed) return consumed;
    }
    this.paragraphLine(at);
    return line;
  }

  private fenceOpen({ line, rest }: BlockLine): Line | undefined {
    const m = FENCE_OPEN.exec(rest);
    // A backtick fence's info string may not contain a backtick (it would be inline code).
    if (!m || (m[1][0] === '`' && m[2].includes('`'))) return undefined;
    this.close();
    this.fence = new RegExp(`^${m[1][0] === '`' ? '`' : '~'}{${m[1].length},}[ \\t]*$`);
    this.maskLine(line);
    return line;
  }

  /** A comment over several lines: masked up to its end (or the end of the document). */
  private htmlComment({ line, rest, contentStart }: BlockLine): Line | undefined {
    if (!rest.startsWith('<!--') || rest.includes('-->')) return undefined;
    this.close();
    const endAt = this.text.indexOf('-->', contentStart + 4);
    const stopAt = endAt < 0 ? this.text.length : endAt + 3;
    let lastLine = line;
    while (lastLine.end < this.text.length && lastLine.next < stopAt) lastLine = lineAt(this.text, lastLine.next);
    this.mask.set(contentStart, lastLine.end);
    return lastLine;
  }

  private rawHtmlOpen({ line, rest }: BlockLine): Line | undefined {
    const raw = RAW_HTML_BLOCK.exec(rest);
    if (!raw) return undefined;
    this.close();
    this.maskLine(line);
    const closing = new RegExp(`</${raw[1]}\\s*>`, 'i');
    if (!closing.test(rest)) this.rawHtml = closing;
    return line;
  }

  /** `# Heading #`: the hashes (opening and closing) are masked, the rest is a heading block. */
  private atxHeading({ line, rest, contentStart }: BlockLine): Line | undefined {
    const atx = ATX_HEADING.exec(rest);
    if (!atx) return undefined;
    this.close();
    const bodyStart = contentStart + atx[1].length;
    this.mask.set(contentStart, bodyStart);
    const closingSeq = ATX_CLOSING.exec(rest.slice(atx[1].length));
    const bodyEnd = closingSeq ? line.end - closingSeq[0].length : line.end;
    this.mask.set(bodyEnd, line.end);
    this.blocks.push({ kind: 'heading', start: bodyStart, end: bodyEnd });
    return line;
  }

  /** `===` or `---` under a paragraph makes it a heading. */
  private setextUnderline({ line, rest, continuesParagraph }: BlockLine): Line | undefined {
    if (!continuesParagraph || this.open?.kind !== 'paragraph' || !SETEXT_UNDERLINE.test(rest)) return undefined;
    this.open.kind = 'heading';
    this.maskLine(line);
    this.close();
    return line;
  }

  private thematicBreak({ line, rest }: BlockLine): Line | undefined {
    if (!THEMATIC_BREAK.test(rest)) return undefined;
    this.close();
    this.maskLine(line);
    return line;
  }

  /** `[label]: url` (not inside a paragraph): masked, and its label makes `[label]` a link. */
  private referenceDefinition({ line, rest, continuesParagraph }: BlockLine): Line | undefined {
    if (continuesParagraph) return undefined;
    const ref = REFERENCE_DEFINITION.exec(rest);
    if (!ref) return undefined;
    this.close();
    this.labels.push({ offset: line.start, label: normaliseLabel(ref[1]) });
    this.maskLine(line);
    return line;
  }

  /** `[^1]: text`: the marker is masked, the text is a paragraph. */
  private footnoteDefinition({ line, rest, contentStart }: BlockLine): Line | undefined {
    const footnote = FOOTNOTE_DEFINITION.exec(rest);
    if (!footnote) return undefined;
    this.close();
    this.mask.set(contentStart, contentStart + footnote[0].length);
    this.open = { kind: 'paragraph', start: contentStart + footnote[0].length, end: line.end };
    return line;
  }

  /** A row with a pipe followed by a separator row starts a GFM table. */
  private table({ line, rest }: BlockLine): Line | undefined {
    if (!rest.includes('|') || line.end >= this.text.length) return undefined;
    const nextLine = lineAt(this.text, line.next);
    const row = this.text.slice(nextLine.start, nextLine.end);
    if (!TABLE_SEPARATOR.test(row) || !row.includes('-')) return undefined;
    this.close();
    return readTable(this.text, line, this.mask, this.blocks);
  }

  /** `- item`, `1. item`, `- [x] task`: the marker (and box) masked, the rest a list item block. */
  private listItem({ line, rest, contentStart, indent, continuesParagraph }: BlockLine): Line | undefined {
    const marker = LIST_MARKER.exec(rest);
    if (!marker) return undefined;
    // An ordered item only interrupts a paragraph when it starts at 1 (CommonMark), so "1994. It" in
    // running text stays prose.
    const interruptsParagraph = continuesParagraph && this.open?.kind === 'paragraph';
    if (interruptsParagraph && marker[2] !== undefined && marker[2] !== '1') return undefined;
    this.close();
    const markerEnd = contentStart + marker[1].length;
    const spaces = marker[3].length;
    let itemStart = markerEnd + (spaces > 4 ? 1 : spaces);
    this.mask.set(contentStart, markerEnd);
    this.listIndent = indent + marker[1].length + (spaces > 4 || spaces === 0 ? 1 : spaces);
    const task = TASK_BOX.exec(this.text.slice(itemStart, line.end));
    if (task) {
      this.mask.set(itemStart, itemStart + task[0].length);
      itemStart += task[0].length;
    }
    this.open = { kind: 'listItem', start: itemStart, end: line.end };
    return line;
  }

  /** Paragraph text: continues the open block (lazy continuation) or starts a new paragraph. */
  private paragraphLine({ line, contentStart, continuesParagraph }: BlockLine): void {
    if (continuesParagraph && this.open) this.open.end = line.end;
    else {
      this.close();
      this.open = { kind: 'paragraph', start: contentStart, end: line.end };
    }
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
    // At most 5 characters per marker: a line of 20,000 '>' costs 20,000 short matches, not a quadratic slice.
    const m = QUOTE_MARKER.exec(text.slice(pos, Math.min(line.end, pos + 5)));
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

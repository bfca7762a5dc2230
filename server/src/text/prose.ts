/**
 * What the two prose readers (markdown.ts, plainText.ts) share: the blocks they find, the mask of
 * markup characters, and the checkpoints that let a reader start in the middle of a document.
 *
 * A checkpoint is the start of a line that follows a blank line, outside code fences, raw HTML and
 * comments. Everything a reader decides from there on depends only on the text from there on and on
 * a small state (`state`, e.g. the enclosing list's indent), so after an edit a reader can restart at
 * the last checkpoint before it and stop at the first checkpoint after it whose state and text are
 * unchanged: the rest of the document reads as before (documentSegmentation.ts).
 */

import { detach } from './detach';

/** How a document is read: the one list the CLI options, the stream requests and the readers share. */
export const SEGMENT_LANGUAGES = ['markdown', 'plaintext'] as const;
export type SegmentLanguage = (typeof SEGMENT_LANGUAGES)[number];

export function isSegmentLanguage(v: unknown): v is SegmentLanguage {
  return typeof v === 'string' && (SEGMENT_LANGUAGES as readonly string[]).includes(v);
}

export function languageOf(languageId: string | undefined): SegmentLanguage {
  return languageId === 'markdown' ? 'markdown' : 'plaintext';
}

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

export interface ReaderCheckpoint {
  offset: number;
  /** The reader's state at `offset`, as a string so that two checkpoints compare with `===`. */
  state: string;
}

/** The state a reader starts a document in (front matter is only read from here). */
export const DOCUMENT_START = 'start';

export interface RegionRead {
  blocks: ProseBlock[];
  /** Checkpoints passed, in order; the first is where reading started. */
  checkpoints: ReaderCheckpoint[];
  /** Where reading stopped: the offset of the checkpoint `stop` accepted, or the end of the text. */
  end: number;
  /** Reference definitions found (Markdown), normalised, with the offset of their line. */
  labels: Array<{ offset: number; label: string }>;
  mask: Mask;
  /** The first line looks like front matter that never closes: any later edit may close it. */
  openFrontMatter?: boolean;
}

/** Reads a region of a document: from a checkpoint until `stop` accepts one, or the end. */
export type RegionReader = (text: string, from: ReaderCheckpoint, stop?: (at: ReaderCheckpoint) => boolean) => RegionRead;

/**
 * Which characters of a region are markup. Offsets are document offsets; the flags cover only the
 * region read (and grow as it is read), so reading one paragraph of a long document costs that
 * paragraph, not the document.
 */
export class Mask {
  private flags = new Uint8Array(256);

  constructor(readonly base: number) {}

  set(start: number, end: number): void {
    const a = Math.max(start, this.base) - this.base;
    const b = end - this.base;
    if (b <= a) return;
    if (b > this.flags.length) {
      const grown = new Uint8Array(Math.max(b, this.flags.length * 2));
      grown.set(this.flags);
      this.flags = grown;
    }
    this.flags.fill(1, a, b);
  }

  has(i: number): boolean {
    const k = i - this.base;
    return k >= 0 && k < this.flags.length && this.flags[k] === 1;
  }

  /** text[start, end) with masked characters as spaces; line endings survive so lines keep their offsets. */
  apply(text: string, start: number, end: number): string {
    const parts: string[] = [];
    let runStart = start;
    let i = start;
    while (i < end) {
      if (!this.has(i)) {
        i++;
        continue;
      }
      parts.push(text.slice(runStart, i));
      let j = i;
      let from = i;
      while (j < end && this.has(j)) {
        const c = text.charCodeAt(j);
        if (c === 10 || c === 13) {
          parts.push(' '.repeat(j - from), text[j]);
          from = j + 1;
        }
        j++;
      }
      parts.push(' '.repeat(j - from));
      i = runStart = j;
    }
    parts.push(text.slice(runStart, end));
    // Detached: a block without markup would otherwise be a view into the whole document text.
    return detach(parts.join(''));
  }
}

/** The line starting at `start`: `\n`, `\r\n` and a lone `\r` all end a line (as lines.ts's splitLines). */
export function lineAt(text: string, start: number): { start: number; end: number; next: number } {
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return { start, end: i, next: c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1 };
  }
  return { start, end: text.length, next: text.length };
}

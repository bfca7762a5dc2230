/**
 * A document's segmentation kept across edits: an edit re-reads only the paragraphs it touched.
 *
 * The document is cut into chunks at the readers' checkpoints (prose.ts: a line after a blank line,
 * outside code). A chunk's sentences and words have offsets relative to the chunk's start, so a chunk
 * an edit did not touch is kept as it is (the same objects, with which later stages keep their
 * results) and only its `start` moves. After an edit, reading restarts at the last checkpoint before
 * the change and stops at the first checkpoint after it that has the same state and the same text
 * after it as before; what lies beyond reads as before, by construction of the checkpoints.
 *
 * Two things reach further than a paragraph and are handled by reading everything again: a change
 * to the Markdown reference definitions (a link anywhere may change), and a document whose first line
 * opens front matter that nothing closes yet (any new `---` line may close it).
 */
import type { SentenceSpan, WordToken } from './types';
import { segmentBlock } from './blockSegments';
import type { SegmentKind } from './blockSegments';
import { EditMap } from './editMap';
import type { Change } from './editMap';
import { markdownReader } from './markdown';
import { plainTextReader } from './plainText';
import { DOCUMENT_START, languageOf } from './prose';
import type { ReaderCheckpoint, RegionRead } from './prose';
import { appendAll } from '../arrays';

/** A sentence of a chunk; offsets are relative to the chunk's start. */
export interface ChunkSentence {
  kind: SegmentKind;
  start: number;
  end: number;
  /** The sentence as the model reads it (markup masked by spaces). */
  text: string;
  tokens: WordToken[];
  chunk: Chunk;
}

export interface Chunk {
  /** Document offset of the chunk's first character, in the current text. */
  start: number;
  length: number;
  /** The reader's state at the chunk's start checkpoint. */
  state: string;
  /** Reference labels defined in the chunk (Markdown). */
  labels: string[];
  sentences: ChunkSentence[];
}

/** What one update replaced: old chunks `removed` became `added`, covering [start, end) of the new text. */
export interface SegmentationRegion {
  start: number;
  end: number;
  removed: Chunk[];
  added: Chunk[];
}

export interface ProseReaderOf {
  read(text: string, from: ReaderCheckpoint, stop?: (at: ReaderCheckpoint) => boolean): RegionRead;
  /** Inline masking of the blocks read, once the document's reference labels are known. */
  finish(text: string, region: RegionRead, labels: ReadonlySet<string>): void;
}

/** The absolute start of a chunk sentence. */
export function sentenceStart(s: ChunkSentence): number {
  return s.chunk.start + s.start;
}

export class DocumentSegmentation {
  chunks: Chunk[] = [];
  private text = '';
  private readonly reader: ProseReaderOf;
  private labelCounts = new Map<string, number>();
  private openFrontMatter = false;

  constructor(text: string, languageId: string | undefined) {
    this.reader = languageOf(languageId) === 'markdown' ? markdownReader : plainTextReader;
    this.readAll(text);
  }

  /** Every sentence, in document coordinates, with its index (a copy: the chunks stay as they are). */
  sentences(): SentenceSpan[] {
    const out: SentenceSpan[] = [];
    for (const chunk of this.chunks) for (const s of chunk.sentences) out.push(absoluteSentence(s, out.length));
    return out;
  }

  /**
   * Brings the segmentation to `text`, the current text after the edits in `map` (in the coordinates of
   * the previous text); without a map the change is found by comparing the texts' ends. Returns what
   * was re-read, in document order.
   */
  update(text: string, map?: EditMap): SegmentationRegion[] {
    const old = this.text;
    const edits = map ?? diff(old, text);
    if (edits.size === 0) {
      this.text = text;
      return [];
    }
    if (this.openFrontMatter) return [this.rereadAll(text)];
    const changes = edits.laterRanges();
    const chunks = this.chunks;
    const next: Chunk[] = [];
    const regions: SegmentationRegion[] = [];
    let i = 0;
    let k = 0;
    let delta = 0;
    const deltaOf = (c: Change) => c.newLength - (c.end - c.start);
    while (i < chunks.length) {
      const c = chunks[i];
      if (k >= changes.length || changes[k].start > c.start + c.length) {
        c.start += delta;
        next.push(c);
        i++;
        continue;
      }
      // Chunk i is the first one change k touches (ends at or after its start): it starts before the
      // change, or it is the first chunk, so reading from its checkpoint sees the text before unchanged.
      const from: ReaderCheckpoint = i === 0 ? { offset: 0, state: DOCUMENT_START } : { offset: c.start + delta, state: c.state };
      let kk = k;
      let deltaK = delta;
      let sync = chunks.length;
      const stop = (at: ReaderCheckpoint): boolean => {
        while (kk < changes.length && changes[kk].newEnd < at.offset) deltaK += deltaOf(changes[kk++]);
        if (kk < changes.length && changes[kk].newStart <= at.offset) return false; // inside or touching a change
        const j = findChunk(chunks, at.offset - deltaK, i + 1);
        if (j < 0 || chunks[j].state !== at.state) return false;
        if (kk < changes.length && changes[kk].start <= chunks[j].start + chunks[j].length) return false; // the next change touches it
        sync = j;
        return true;
      };
      const region = this.reader.read(text, from, stop);
      const removed = chunks.slice(i, sync);
      if (region.openFrontMatter || !sameLabels(removed, region)) return [this.rereadAll(text)];
      const added = this.chunksOf(text, region);
      regions.push({ start: from.offset, end: region.end, removed, added });
      appendAll(next, added);
      i = sync;
      k = kk;
      delta = deltaK;
    }
    this.chunks = next;
    this.text = text;
    return regions;
  }

  private readAll(text: string): void {
    this.text = text;
    this.labelCounts = new Map();
    const region = this.reader.read(text, { offset: 0, state: DOCUMENT_START });
    this.openFrontMatter = !!region.openFrontMatter;
    for (const { label } of region.labels) this.labelCounts.set(label, (this.labelCounts.get(label) ?? 0) + 1);
    this.chunks = this.chunksOf(text, region);
  }

  private rereadAll(text: string): SegmentationRegion {
    const removed = this.chunks;
    this.readAll(text);
    return { start: 0, end: text.length, removed, added: this.chunks };
  }

  /** The chunks of a region read: blocks cut into sentences, grouped by the checkpoints passed. */
  private chunksOf(text: string, region: RegionRead): Chunk[] {
    this.reader.finish(text, region, new Set(this.labelCounts.keys()));
    const { checkpoints, blocks } = region;
    const chunks: Chunk[] = [];
    let b = 0;
    let l = 0;
    for (let m = 0; m < checkpoints.length; m++) {
      const start = checkpoints[m].offset;
      const end = m + 1 < checkpoints.length ? checkpoints[m + 1].offset : region.end;
      const chunk: Chunk = { start, length: end - start, state: checkpoints[m].state, labels: [], sentences: [] };
      for (; l < region.labels.length && region.labels[l].offset < end; l++) chunk.labels.push(region.labels[l].label);
      for (; b < blocks.length && blocks[b].start < end; b++) {
        const block = blocks[b];
        const masked = region.mask.apply(text, block.start, block.end);
        const column = block.kind === 'paragraph' || block.kind === 'listItem' ? columnOf(text, block.start) : 0;
        const { tokens: raw, segments } = segmentBlock(block.kind, masked, column);
        const shift = block.start - start;
        for (const { start: a, end: z, kind } of segments) {
          const tokens: WordToken[] = new Array(z - a);
          for (let t = a; t < z; t++) tokens[t - a] = { text: raw[t].text, start: raw[t].start + shift, end: raw[t].end + shift };
          const first = raw[a].start;
          const after = raw[z - 1].end;
          chunk.sentences.push({ kind, start: first + shift, end: after + shift, text: masked.slice(first, after), tokens, chunk });
        }
      }
      chunks.push(chunk);
    }
    return chunks;
  }
}

/** A chunk sentence in document coordinates. */
export function absoluteSentence(s: ChunkSentence, index: number): SentenceSpan {
  const base = s.chunk.start;
  return {
    index,
    text: s.text,
    start: base + s.start,
    end: base + s.end,
    tokens: s.tokens.map((t) => ({ text: t.text, start: t.start + base, end: t.end + base })),
    kind: s.kind,
  };
}

/** One change: from the first to the last character in which the texts differ. */
function diff(a: string, b: string): EditMap {
  const map = new EditMap();
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p === a.length && p === b.length) return map;
  let s = 0;
  while (s < n - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  map.add({ start: p, end: a.length - s, insertedLength: b.length - s - p });
  return map;
}

/** Index of the chunk starting exactly at `offset` (old coordinates), searching from `from`; -1 if none. */
function findChunk(chunks: readonly Chunk[], offset: number, from: number): number {
  let lo = from;
  let hi = chunks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = chunks[mid].start;
    if (s === offset) return mid;
    if (s < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Whether a region defines the same reference labels as the chunks it replaces. */
function sameLabels(removed: readonly Chunk[], region: RegionRead): boolean {
  const before = removed.flatMap((c) => c.labels).sort();
  const after = region.labels.map((l) => l.label).sort();
  return before.length === after.length && before.every((l, i) => l === after[i]);
}

/** The column of `pos` in its line (line widths matter for telling soft wraps from line ends). */
function columnOf(text: string, pos: number): number {
  let i = pos;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return pos - i;
}

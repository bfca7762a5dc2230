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
 * Two readers, both linear in the text: the block reader (markdownBlocks.ts) reads the lines, can start
 * at any checkpoint (prose.ts) and stop at one, so an edit re-reads its paragraph only; the inline reader
 * (markdownInline.ts) reads each block once the document's reference labels are known.
 */
import { readMarkdownBlocks } from './markdownBlocks';
import { maskInline } from './markdownInline';
import { DOCUMENT_START } from './prose';
import type { ProseView, RegionRead } from './prose';

export type { ProseBlock, ProseKind, ProseView } from './prose';

/** The Markdown reader for DocumentSegmentation: blocks by the block reader, inline markup per block. */
export const markdownReader = {
  read: readMarkdownBlocks,
  finish(text: string, region: RegionRead, labels: ReadonlySet<string>): void {
    for (const block of region.blocks) maskInline(text, region.mask, block.start, block.end, labels);
  },
};

/** The prose of a Markdown document. */
export function markdownProse(text: string): ProseView {
  const region = readMarkdownBlocks(text, { offset: 0, state: DOCUMENT_START });
  const labels = new Set(region.labels.map((l) => l.label));
  markdownReader.finish(text, region, labels);
  return { masked: region.mask.apply(text, 0, text.length), blocks: region.blocks };
}

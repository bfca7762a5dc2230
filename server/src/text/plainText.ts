/**
 * Plain text -> prose blocks. Nothing is markup, so `masked` is the text itself; blocks are paragraphs
 * (separated by blank lines), and a line that starts with a bullet or a number ("- ", "• ", "2) ")
 * starts a block of its own, as lists in notes usually mean separate statements.
 */
import { isBlank, splitLines } from './lines';
import type { ProseBlock, ProseView } from './markdown';

const BULLET = /^[ \t]*(?:[-*+•‣◦▪–]|\d{1,3}[.)])[ \t]+\S/;

export function plainTextProse(text: string): ProseView {
  const blocks: ProseBlock[] = [];
  let open: ProseBlock | null = null;
  for (const line of splitLines(text)) {
    if (isBlank(text, line)) {
      if (open) blocks.push(open);
      open = null;
      continue;
    }
    const bullet = BULLET.test(text.slice(line.start, Math.min(line.end, line.start + 16)));
    if (open && !bullet) {
      open.end = line.end;
      continue;
    }
    if (open) blocks.push(open);
    open = { kind: bullet ? 'listItem' : 'paragraph', start: line.start, end: line.end };
  }
  if (open) blocks.push(open);
  return { masked: text, blocks };
}

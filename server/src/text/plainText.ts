/**
 * Plain text -> prose blocks. Blocks are paragraphs (separated by blank lines), and a line that starts
 * with a bullet or a number ("- ", "• ", "2) ", "1. ") starts a block of its own, as lists in notes
 * usually mean separate statements. A number of four or more digits is a marker only when it continues
 * the list ("999." then "1000."), so a line that starts with a year ("2019. Seen in clinic.") keeps it.
 * The marker itself is list markup, not a word of the item, so it is
 * the one thing `masked` replaces by spaces (as Markdown's list markers are); everything else is the
 * text itself. Line breaks inside a block are decided later (lineUnits.ts).
 */
import { isBlank, splitLines } from './lines';
import type { ProseBlock, ProseView } from './markdown';

const BULLET = /^[ \t]*((?:[-*+•‣◦▪–]|(\d{1,9})[.)]))[ \t]+\S/;

export function plainTextProse(text: string): ProseView {
  const blocks: ProseBlock[] = [];
  const markers: Array<[number, number]> = [];
  let open: ProseBlock | null = null;
  let lastNumber = -1;
  for (const line of splitLines(text)) {
    if (isBlank(text, line)) {
      if (open) blocks.push(open);
      open = null;
      continue;
    }
    let bullet = BULLET.exec(text.slice(line.start, Math.min(line.end, line.start + 24)));
    if (bullet?.[2] !== undefined) {
      const n = Number(bullet[2]);
      if (bullet[2].length > 3 && n !== lastNumber + 1) bullet = null;
      else lastNumber = n;
    }
    if (open && !bullet) {
      open.end = line.end;
      continue;
    }
    if (open) blocks.push(open);
    if (bullet) {
      const markerStart = line.start + bullet[0].indexOf(bullet[1]); // only spaces and tabs come before it
      markers.push([markerStart, markerStart + bullet[1].length]);
    }
    open = { kind: bullet ? 'listItem' : 'paragraph', start: line.start, end: line.end };
  }
  if (open) blocks.push(open);
  return { masked: maskRanges(text, markers), blocks };
}

/** `text` with the characters of `ranges` (sorted, disjoint, without line endings) as spaces. */
function maskRanges(text: string, ranges: ReadonlyArray<[number, number]>): string {
  if (ranges.length === 0) return text;
  const parts: string[] = [];
  let pos = 0;
  for (const [a, b] of ranges) {
    parts.push(text.slice(pos, a), ' '.repeat(b - a));
    pos = b;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/**
 * Plain text -> prose blocks. Blocks are paragraphs (separated by blank lines), and a line that starts
 * with a bullet or a number ("- ", "• ", "2) ", "1. ") starts a block of its own, as lists in notes
 * usually mean separate statements. A number of four or more digits is a marker only when it continues
 * the list ("999." then "1000."), so a line that starts with a year ("2019. Seen in clinic.") keeps it.
 * The marker itself is list markup, not a word of the item, so it is
 * the one thing `masked` replaces by spaces (as Markdown's list markers are); everything else is the
 * text itself. Line breaks inside a block are decided later (lineUnits.ts).
 */
import { isBlank } from './lines';
import { DOCUMENT_START, lineAt, Mask } from './prose';
import type { ProseBlock, ProseView, ReaderCheckpoint, RegionRead } from './prose';

const BULLET = /^[ \t]*((?:[-*+•‣◦▪–]|(\d{1,9})[.)]))[ \t]+\S/;

/** The plain-text reader for DocumentSegmentation (no inline markup). */
export const plainTextReader = { read: readPlainText, finish: () => undefined };

export function plainTextProse(text: string): ProseView {
  const region = readPlainText(text, { offset: 0, state: DOCUMENT_START });
  return { masked: region.mask.apply(text, 0, text.length), blocks: region.blocks };
}

/**
 * The blocks of text from the checkpoint `from` until `stop` accepts a checkpoint (or the end). The
 * state at a checkpoint is the number of the last numbered item (-1: none), which decides whether a
 * long number continues a list.
 */
export function readPlainText(text: string, from: ReaderCheckpoint, stop?: (at: ReaderCheckpoint) => boolean): RegionRead {
  const blocks: ProseBlock[] = [];
  const mask = new Mask(from.offset);
  const checkpoints: ReaderCheckpoint[] = [from];
  let open: ProseBlock | null = null;
  let lastNumber = from.state === DOCUMENT_START ? -1 : Number(from.state);
  let afterBlank = false;
  let end = text.length;
  for (let line = lineAt(text, from.offset); ; line = lineAt(text, line.next)) {
    if (afterBlank) {
      const at = { offset: line.start, state: String(lastNumber) };
      if (stop?.(at)) {
        end = line.start;
        break;
      }
      checkpoints.push(at);
    }
    afterBlank = false;
    const last = line.end >= text.length;
    if (isBlank(text, line)) {
      if (open) blocks.push(open);
      open = null;
      afterBlank = true;
      if (last) break;
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
    } else {
      if (open) blocks.push(open);
      if (bullet) {
        const markerStart = line.start + bullet[0].indexOf(bullet[1]); // only spaces and tabs come before it
        mask.set(markerStart, markerStart + bullet[1].length);
      }
      open = { kind: bullet ? 'listItem' : 'paragraph', start: line.start, end: line.end };
    }
    if (last) break;
  }
  if (open) blocks.push(open);
  return { blocks, checkpoints, end, labels: [], mask };
}

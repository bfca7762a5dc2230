/**
 * Giving memory back when the editor is idle. V8 in Node never gets idle-time notifications, so after
 * a burst of edits or a closed note the garbage of both isolates (message loop and analysis worker)
 * stays in the heap, and in the process's RSS, until allocation pressure forces a collection. A full
 * collection once the user has paused (COMPACT_AFTER_IDLE_MS without edits) after enough churn brings
 * the RSS back near where it was (`erlens bench --lsp` reports it), and costs a few milliseconds
 * when nobody is typing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const COMPACT_AFTER_IDLE_MS = 2000;
/** Edits (or an equivalent: a closed document counts as many) before an idle pause is worth a collection. */
export const CHURN_BEFORE_COMPACTION = 100;
/** Opening a document counts one edit per this many characters: a large note's cold analysis is churn too. */
const OPENED_CHARACTERS_PER_EDIT = 1000;

/** The churn of opening a document of `characters` (a 2,000-sentence note: about 130 edits' worth). */
export function openingChurn(characters: number): number {
  return Math.floor(characters / OPENED_CHARACTERS_PER_EDIT);
}

let gc: (() => void) | undefined;

/**
 * Full garbage collections of the calling isolate (`--expose-gc` turned on for it at first use). Two:
 * the first frees the dead objects and shrinks the committed heap, but V8 hands the emptied pages back
 * to the system only at the next collection (a 100 MB heap of garbage: RSS 193 → 183 MB after one,
 * 85 MB after the second).
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/** Calls `compact` once activity stops for COMPACT_AFTER_IDLE_MS, when enough happened since the last time. */
export class IdleCompactor {
  private churn = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly compact: () => void) {}

  /**
   * Something allocated: `weight` edits' worth (a closed document: CHURN_BEFORE_COMPACTION). Weight 0
   * (an analysis published results) adds nothing but restarts the idle wait: not idle while analysing.
   */
  activity(weight = 1): void {
    this.churn += weight;
    if (this.timer) clearTimeout(this.timer);
    if (this.churn < CHURN_BEFORE_COMPACTION) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.churn = 0;
      this.compact();
    }, COMPACT_AFTER_IDLE_MS);
    this.timer.unref?.();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

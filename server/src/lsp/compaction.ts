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

let gc: (() => void) | undefined;

/** A full garbage collection of the calling isolate (`--expose-gc` turned on for it at first use). */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Calls `compact` once activity stops for COMPACT_AFTER_IDLE_MS, when enough happened since the last time. */
export class IdleCompactor {
  private churn = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly compact: () => void) {}

  /** Something allocated a lot: `weight` edits' worth (a closed document: CHURN_BEFORE_COMPACTION). */
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

/**
 * One open document's annotations on the language server's side, always answerable at the current
 * version while the analysis worker works on an older one.
 *
 *  - `base`: the annotations as of the last patch applied (its version).
 *  - Edits since then, as composed EditMaps (text/editMap.ts): one per analysis request sent (cut at the
 *    version it was sent for), and an open one collecting the edits since the last request.
 *  - A patch for version v moves `base` through the maps up to v, then replaces its ranges (patches.ts).
 *  - `view()` moves `base` through the remaining maps, once per change (cached), so a hover after a
 *    burst of keystrokes costs one pass, not one per keystroke.
 */
import { applyPatch } from '../pipeline/patches';
import { shiftThrough } from '../pipeline/shift';
import type { AnnotationPatch, DocumentAnnotations } from '../annotations/types';
import { EditMap } from '../text/editMap';
import { emptyAnnotations } from '../annotations/empty';
import type { Change, TextReplacement } from '../text/editMap';

/** Beyond this many separate changes an edit map is merged into one (bounds work and memory in edit storms). */
const MAX_CHANGES = 256;


export class DocumentResults {
  private base: DocumentAnnotations;
  /** Maps of requests sent, oldest first; each brings the text from the previous request's version to `version`. */
  private sent: Array<{ version: number; map: EditMap }> = [];
  private open = new EditMap();
  private cached?: DocumentAnnotations;
  /** Whether the annotations cover the whole current text (the last patch was complete and nothing changed since). */
  complete = false;

  constructor(
    readonly uri: string,
    private version: number,
  ) {
    this.base = emptyAnnotations(uri, version);
  }

  get currentVersion(): number {
    return this.version;
  }

  /** One edit of the text, in the coordinates of the text as the previous edits left it. */
  edit(r: TextReplacement, version: number): void {
    this.open.add(r);
    this.open.coarsen(MAX_CHANGES);
    this.version = version;
    this.cached = undefined;
    this.complete = false;
  }

  /**
   * An analysis request goes out for the current version: the edits since the previous request, as the
   * changes the worker applies to its copy (null when there were too many to keep apart).
   */
  cut(): { changes: Change[]; focus: number[] } {
    const map = this.open;
    this.open = new EditMap();
    if (map.size > 0) this.sent.push({ version: this.version, map });
    return { changes: map.changes.slice(), focus: map.laterRanges().map((c) => c.newStart) };
  }

  /** A patch from the worker, for a version at or before the current one. */
  apply(patch: AnnotationPatch): void {
    let base = this.base;
    while (this.sent.length > 0 && this.sent[0].version <= patch.version) {
      const step = this.sent.shift()!;
      base = shiftThrough(base, step.map, step.version);
    }
    this.base = applyPatch(base, patch);
    this.cached = undefined;
    this.complete = patch.complete && patch.version === this.version && this.open.size === 0 && this.sent.length === 0;
  }

  /** No annotations at the current version (the document is not analysed: binary, too large, no model). */
  clear(skipped?: string): void {
    this.base = emptyAnnotations(this.uri, this.version, [], skipped);
    this.sent = [];
    this.open = new EditMap();
    this.cached = undefined;
    this.complete = true;
  }

  /** The annotations in the coordinates of the current text. */
  view(): DocumentAnnotations {
    if (this.cached) return this.cached;
    let view = this.base;
    for (const s of this.sent) view = shiftThrough(view, s.map, s.version);
    view = shiftThrough(view, this.open, this.version);
    this.cached = view;
    return view;
  }
}

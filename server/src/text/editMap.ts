/**
 * Many edits as one map from a text to its later version: the changed ranges in the coordinates of
 * the earlier text, sorted and disjoint, each with the length it has now.
 *
 * Keystrokes arrive far more often than analyses run (10,000 in a second, in the worst case); adding
 * an edit here costs O(changes), and moving the whole document's annotations through a burst of edits
 * is then one pass (mapSpan per annotation) instead of one pass per keystroke. The rule for a span is
 * the one an edit at a time would give (pipeline/shift.ts): a span an edit did not touch moves by the
 * length difference of the changes before it; a span an edit touched is gone.
 */

/** One replacement in the coordinates of the text it applies to: [start, end) becomes `insertedLength` units. */
export interface TextReplacement {
  start: number;
  end: number;
  insertedLength: number;
}

/** A changed range of the earlier text, [start, end), and how long it is in the later one. */
export interface Change {
  start: number;
  end: number;
  newLength: number;
}

/** Where a span lands after a replacement, or null when the replacement touched it. */
export function moveSpan(start: number, end: number, r: TextReplacement): { start: number; end: number } | null {
  const delta = r.insertedLength - (r.end - r.start);
  if (end <= r.start) return { start, end };
  if (start >= r.end) return { start: start + delta, end: end + delta };
  return null;
}

export class EditMap {
  /** Sorted by start, disjoint and not touching (touching changes are merged). */
  readonly changes: Change[] = [];

  /** A map of changes already composed (another EditMap's `changes`, e.g. received from another thread). */
  static of(changes: readonly Change[]): EditMap {
    const map = new EditMap();
    for (const c of changes) map.changes.push({ start: c.start, end: c.end, newLength: c.newLength });
    return map;
  }

  /**
   * Merges everything into one change from the first changed character to the last, when there are
   * more than `limit` changes: a coarser map (more counts as touched) whose cost stays bounded when
   * thousands of edits land far apart.
   */
  coarsen(limit: number): void {
    if (this.changes.length <= limit) return;
    const first = this.changes[0];
    const last = this.changes[this.changes.length - 1];
    const newLength = last.end + this.delta - first.start;
    this.changes.splice(0, this.changes.length, { start: first.start, end: last.end, newLength });
  }

  get size(): number {
    return this.changes.length;
  }

  /** The length difference the later text has over the earlier one. */
  get delta(): number {
    let d = 0;
    for (const c of this.changes) d += c.newLength - (c.end - c.start);
    return d;
  }

  /** Adds an edit given in the coordinates of the text as all edits so far left it. */
  add(r: TextReplacement): void {
    const { start: a, end: b, insertedLength } = r;
    // The changes whose range in the later text touches [a, b]; every other one lies wholly before or after.
    let delta = 0;
    let first = -1;
    let last = -1;
    let deltaBeforeFirst = 0;
    let deltaBeforeLast = 0;
    let before = 0; // changes wholly before a
    for (let k = 0; k < this.changes.length; k++) {
      const c = this.changes[k];
      const cs = c.start + delta;
      const ce = cs + c.newLength;
      if (cs > b) break;
      if (ce >= a) {
        if (first < 0) {
          first = k;
          deltaBeforeFirst = delta;
        }
        last = k;
        deltaBeforeLast = delta;
      } else before = k + 1;
      delta += c.newLength - (c.end - c.start);
    }
    if (first < 0) {
      // Only untouched text around [a, b): its place in the earlier text is a shift away.
      const shift = deltaBeforeFirstOf(this.changes, before);
      this.changes.splice(before, 0, { start: a - shift, end: b - shift, newLength: insertedLength });
      return;
    }
    const f = this.changes[first];
    const l = this.changes[last];
    const fs = f.start + deltaBeforeFirst; // where the first touched change starts now
    const le = l.start + deltaBeforeLast + l.newLength; // where the last one ends now
    const A = Math.min(a, fs);
    const B = Math.max(b, le);
    const merged: Change = {
      start: a < fs ? f.start - (fs - a) : f.start,
      end: b > le ? l.end + (b - le) : l.end,
      newLength: B - A - (b - a) + insertedLength,
    };
    this.changes.splice(first, last - first + 1, merged);
  }

  /** Where a span of the earlier text is in the later one, or null when an edit touched it. */
  mapSpan(start: number, end: number): { start: number; end: number } | null {
    let delta = 0;
    for (const c of this.changes) {
      if (end <= c.start) break;
      if (start >= c.end) {
        delta += c.newLength - (c.end - c.start);
        continue;
      }
      return null;
    }
    return { start: start + delta, end: end + delta };
  }

  /** A position of the earlier text in the later one (inside a change: where the change ends now). */
  mapOffset(x: number): number {
    let delta = 0;
    for (const c of this.changes) {
      if (x < c.start) break;
      if (x < c.end) return c.start + delta + c.newLength;
      delta += c.newLength - (c.end - c.start);
    }
    return x + delta;
  }

  /** The changes with their ranges in the later text. */
  laterRanges(): Array<Change & { newStart: number; newEnd: number }> {
    let delta = 0;
    return this.changes.map((c) => {
      const newStart = c.start + delta;
      delta += c.newLength - (c.end - c.start);
      return { ...c, newStart, newEnd: newStart + c.newLength };
    });
  }
}

/** The length difference of the first `count` changes. */
function deltaBeforeFirstOf(changes: readonly Change[], count: number): number {
  let d = 0;
  for (let k = 0; k < count; k++) d += changes[k].newLength - (changes[k].end - changes[k].start);
  return d;
}

/**
 * Moves items sorted by start (non-empty spans) through the map in one pass: the changes wholly
 * before an item shift it, and only the next change can touch it (changes are disjoint and sorted).
 * `moved` makes the moved copy and is only called when the offsets change; touched items are dropped.
 */
export function mapSorted<T>(
  items: readonly T[],
  map: EditMap,
  span: (t: T) => { start: number; end: number },
  moved: (t: T, start: number, end: number) => T,
  /** Sees each kept item with its moved copy and returns what goes in the list (default: the copy). */
  finish?: (original: T, result: T) => T,
): T[] {
  const changes = map.changes;
  const out: T[] = [];
  let k = 0;
  let delta = 0;
  for (const item of items) {
    const { start, end } = span(item);
    while (k < changes.length && changes[k].end <= start && !(changes[k].start === start && end <= start)) {
      delta += changes[k].newLength - (changes[k].end - changes[k].start);
      k++;
    }
    if (k < changes.length && changes[k].start < end) continue; // touched
    const result = delta === 0 ? item : moved(item, start + delta, end + delta);
    out.push(finish ? finish(item, result) : result);
  }
  return out;
}

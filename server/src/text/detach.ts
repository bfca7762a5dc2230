/**
 * A copy of a string that does not keep a larger string alive.
 *
 * V8 represents `text.slice(a, b)` (13 characters or more) as a view into `text`, and `a + b` as a pair
 * of pointers; a one-element `join` returns its element. Any of these stored in a long-lived cache
 * keeps the whole document it came from in memory: the server grew by a full document copy per edit
 * that way (a block cache whose token texts were slices of the masked document, cache keys that were
 * concatenations of slices). `(' ' + s).slice(1)` flattens the concatenation into a new string first,
 * so the result refers to that copy only.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Array helpers safe at any length. `target.push(...items)` and `Math.max(...xs)` pass every item as
 * an argument on the stack and throw "Maximum call stack size exceeded" beyond about 100,000 of them:
 * a run-on sentence with thousands of entities has more candidate relations than that, and a pasted
 * log file more chunks.
 */

/** Appends `items` to `target` one by one; returns `target`. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The least of `values` (Infinity when empty), without spreading them into arguments. */
export function minOf(values: Iterable<number>): number {
  let least = Infinity;
  for (const v of values) if (v < least) least = v;
  return least;
}

/** The greatest of `values` (-Infinity when empty), without spreading them into arguments. */
export function maxOf(values: Iterable<number>): number {
  let greatest = -Infinity;
  for (const v of values) if (v > greatest) greatest = v;
  return greatest;
}

/**
 * The edit map against the definition it replaces: applying edits one at a time (moveSpan) to the
 * text and to every span. Random edit bursts (insertions, deletions, replacements, edits inside
 * earlier insertions and next to them) must give the same text positions and the same dropped spans.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EditMap, mapSorted, moveSpan } from './editMap';
import type { TextReplacement } from './editMap';

function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

test('a composed burst of edits moves and drops spans exactly as the edits one at a time do', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rand = random(seed);
    const original = Array.from({ length: 40 + rand(60) }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    // Spans of the original text, sorted by start (nested and touching ones too).
    const spans: Array<{ start: number; end: number }> = [];
    for (let i = 0; i < 30; i++) {
      const start = rand(original.length - 1);
      spans.push({ start, end: start + 1 + rand(Math.min(8, original.length - start)) });
    }
    spans.sort((a, b) => a.start - b.start || a.end - b.end);
    let text = original;
    let moved: Array<{ start: number; end: number } | null> = spans.map((s) => ({ ...s }));
    const map = new EditMap();
    const edits = 1 + rand(12);
    for (let e = 0; e < edits; e++) {
      const start = rand(text.length + 1);
      const end = Math.min(text.length, start + (rand(3) === 0 ? 0 : rand(5)));
      const inserted = 'XYZ'.slice(0, rand(4));
      const r: TextReplacement = { start, end, insertedLength: inserted.length };
      text = text.slice(0, start) + inserted + text.slice(end);
      moved = moved.map((s) => (s ? moveSpan(s.start, s.end, r) : null));
      map.add(r);
    }
    assert.equal(original.length + map.delta, text.length, `seed ${seed}: length`);
    spans.forEach((s, i) => assert.deepEqual(map.mapSpan(s.start, s.end), moved[i], `seed ${seed}: span ${JSON.stringify(s)}`));
    const kept = mapSorted(spans, map, (s) => s, (_s, start, end) => ({ start, end }));
    assert.deepEqual(kept, moved.filter((s) => s !== null), `seed ${seed}: mapSorted`);
    // Untouched original characters are where the map says, and the changes cover everything else.
    for (let x = 0; x < original.length; x++) {
      const at = map.mapSpan(x, x + 1);
      if (at) assert.equal(text[at.start], original[x], `seed ${seed}: character ${x}`);
    }
    const ranges = map.laterRanges();
    for (let k = 1; k < ranges.length; k++) assert.ok(ranges[k - 1].end < ranges[k].start, 'disjoint, not touching');
  }
});

test('an edit inside an earlier insertion stays one change; far apart edits stay two', () => {
  const map = new EditMap();
  map.add({ start: 10, end: 10, insertedLength: 5 }); // type five characters at 10
  map.add({ start: 12, end: 13, insertedLength: 0 }); // delete one of them
  assert.deepEqual(map.changes, [{ start: 10, end: 10, newLength: 4 }]);
  map.add({ start: 100, end: 104, insertedLength: 1 });
  assert.deepEqual(map.changes, [
    { start: 10, end: 10, newLength: 4 },
    { start: 96, end: 100, newLength: 1 },
  ]);
  assert.equal(map.mapOffset(50), 54);
  assert.deepEqual(map.mapSpan(20, 30), { start: 24, end: 34 });
  assert.equal(map.mapSpan(8, 11), null);
});

test('a coarsened map covers every change with one and keeps the text length', () => {
  const map = new EditMap();
  for (let i = 0; i < 50; i++) map.add({ start: i * 10, end: i * 10 + 1, insertedLength: 3 });
  const delta = map.delta;
  map.coarsen(8);
  assert.equal(map.size, 1);
  assert.equal(map.delta, delta);
  assert.deepEqual(map.mapSpan(600, 610), { start: 600 + delta, end: 610 + delta });
  assert.equal(map.mapSpan(15, 16), null, 'between two edits counts as touched now');
  assert.deepEqual(EditMap.of(map.changes).changes, map.changes);
});

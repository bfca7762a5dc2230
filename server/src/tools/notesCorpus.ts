/**
 * Many notes made from a few real ones, for benchmarks and scale tests (`bench --index`, the Spark test,
 * `npm run scale:demo`): each note is 6–20 paragraphs (or `paragraphs: [min, max]`) drawn (seeded) from the notes of `sourceDir`
 * (../shared/notes), with every digit redrawn, so that notes differ from one another as real ones do.
 * With `unique` every sentence also names its note ("… (note 17)."), so no sentence repeats and the
 * sentence cache cannot help.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class NoNotesError extends Error {}

/** `count` generated notes, in order; `seed` fixes them. */
export function generateNotes(sourceDir: string, count: number, { seed = 1, unique = false, paragraphs: [least, most] = [6, 20] } = {}): string[] {
  const sources = fs.existsSync(sourceDir) ? fs.readdirSync(sourceDir).filter((f) => /\.(md|txt)$/.test(f)).sort() : [];
  if (sources.length === 0) throw new NoNotesError(`no .md or .txt notes in ${sourceDir}`);
  const pool = sources.flatMap((f) => fs.readFileSync(path.join(sourceDir, f), 'utf8').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean));
  let s = seed;
  const rand = (n: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
  const notes: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = least + rand(most - least + 1);
    let text = Array.from({ length: n }, () => pool[rand(pool.length)].replace(/\d/g, () => String(rand(10)))).join('\n\n') + '\n';
    if (unique) text = text.replace(/([a-z])\.(\s)/g, `$1 (note ${i + 1}).$2`);
    notes.push(text);
  }
  return notes;
}

/** The file name of generated note `i` (0-based): note-0001.md, ... */
export function noteFileName(i: number): string {
  return `note-${String(i + 1).padStart(4, '0')}.md`;
}

/**
 * The prose files of a workspace: what Export Triples (workspace scope) and the workspace index read from
 * disk. Markdown and text, skipping dot folders, dependencies, build output and earlier exports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SegmentLanguage } from '../text/prose';

/** The prose files ERlens reads, and how: the one list `extract`, `stream` and the workspace features share. */
export const PROSE_EXTENSIONS = new Map<string, SegmentLanguage>([
  ['.md', 'markdown'],
  ['.markdown', 'markdown'],
  ['.mdown', 'markdown'],
  ['.mkd', 'markdown'],
  ['.mdx', 'markdown'],
  ['.txt', 'plaintext'],
]);
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'out', 'dist', 'erlens-export']);
export const MAX_WORKSPACE_FILES = 5000;

/** A `.txt` next to a same-named `.ann` is a brat document (an earlier export), not a note. */
function isBratText(dir: string, name: string): boolean {
  return name.toLowerCase().endsWith('.txt') && fs.existsSync(path.join(dir, `${name.slice(0, -4)}.ann`));
}

/** Markdown and text files under `root`, skipping dot folders, dependencies, build output, earlier exports and `exclude`. */
export function proseFilesUnder(root: string, exclude: string, limit = MAX_WORKSPACE_FILES): string[] {
  const found: string[] = [];
  const stack = [root];
  while (stack.length > 0 && found.length < limit) {
    const dir = stack.pop()!;
    if (path.resolve(dir) === path.resolve(exclude)) continue;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) stack.push(full);
      } else if (e.isFile() && PROSE_EXTENSIONS.has(path.extname(e.name).toLowerCase()) && !isBratText(dir, e.name)) {
        found.push(full);
        if (found.length >= limit) break;
      }
    }
  }
  return found.sort();
}

/** The language a file is read as, by its extension: Markdown, else plain text (any other file too). */
export function languageOfPath(file: string): SegmentLanguage {
  return PROSE_EXTENSIONS.get(path.extname(file).toLowerCase()) ?? 'plaintext';
}

/** Whether a file is one the workspace features read. */
export function isProseFile(file: string): boolean {
  return PROSE_EXTENSIONS.has(path.extname(file).toLowerCase()) && !isBratText(path.dirname(file), path.basename(file));
}

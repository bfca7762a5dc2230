import * as path from 'node:path';

/** A file's name as the user gave it (relative to the working folder), else its absolute path. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

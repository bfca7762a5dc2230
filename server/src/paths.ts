/**
 * Where things are, from the running code's point of view: server/out/<dir>/<file>.js in the
 * repository, dist/<bundle>.js in the installed extension. The extension root holds package.json and
 * models/; the shared read-only material sits next to the repository (../shared) and is only read by
 * tests and tools, never by the product at run time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The repository / installed extension root: the first ancestor of this file holding package.json and
 * models/ (two levels up in the repository, one in the bundle), else two levels above this file.
 */
export function findExtensionRoot(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'models'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(start, '..', '..');
}

export const extensionRoot = findExtensionRoot();

/** ../shared next to the repository: benchmark data and example notes for tests and tools. */
export const sharedRoot = path.resolve(extensionRoot, '..', 'shared');

/**
 * Where things are, from the compiled code's point of view (server/out/<dir>/<file>.js).
 * The extension root holds package.json and models/; the shared read-only material sits next to the
 * repository (../shared) and is only read by tests and tools, never by the product at run time.
 */
import * as path from 'node:path';

/** The repository / installed extension root (two levels above server/out). */
export const extensionRoot = path.resolve(__dirname, '..', '..');

/** ../shared next to the repository: benchmark data and example notes for tests and tools. */
export const sharedRoot = path.resolve(extensionRoot, '..', 'shared');

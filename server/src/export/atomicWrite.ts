/**
 * Writing files so that readers see either the old content or the new, never half of it.
 *
 * One file: a temporary in the same folder (same file system, so the rename is atomic), flushed, then
 * renamed over the target. Several files (an export in five formats): every temporary is written
 * first; only then are they renamed into place, each existing target moved aside first; a failure at
 * any step puts back what was there and removes what was new, so a folder named `note.csv` in the
 * way fails the export without leaving `note.json` behind.
 *
 * Folders are created as needed; when that fails, the error says why (EROFS, EACCES) rather than the
 * ENOENT that Node's recursive mkdir reports on a read-only file system.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileContent {
  file: string;
  data: string | Uint8Array;
}

function temporaryBeside(file: string, kind: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.${kind}`);
}

/**
 * `mkdir -p` with the real cause on failure: recursive mkdir answers ENOENT when the nearest existing
 * ancestor is read-only, so the first missing folder below it is created alone to get its error.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  try {
    await fs.promises.mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = path.resolve(dir);
    for (let parent = path.dirname(missing); parent !== missing && !fs.existsSync(parent); parent = path.dirname(parent)) missing = parent;
    await fs.promises.mkdir(missing); // throws EROFS / EACCES / ENOTDIR naming the folder
    await fs.promises.mkdir(dir, { recursive: true });
  }
}

async function writeTemporary(file: string, data: string | Uint8Array): Promise<string> {
  const tmp = temporaryBeside(file, 'tmp');
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    return tmp;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await writeFilesAtomic([{ file, data }]);
}

/** All of `files` or none of them (see the module comment). */
export async function writeFilesAtomic(files: readonly FileContent[]): Promise<void> {
  const temporaries: string[] = [];
  const placed: Array<{ file: string; backup?: string }> = [];
  try {
    for (const { file, data } of files) {
      await ensureDirectory(path.dirname(path.resolve(file)));
      temporaries.push(await writeTemporary(file, data));
    }
    for (let i = 0; i < files.length; i++) {
      const file = files[i].file;
      let backup: string | undefined;
      const existing = await fs.promises.lstat(file).catch(() => undefined);
      if (existing?.isDirectory()) throw Object.assign(new Error(`${file} is a folder, not a file`), { code: 'EISDIR', path: file });
      if (existing) {
        backup = temporaryBeside(file, 'bak');
        await fs.promises.rename(file, backup);
      }
      placed.push({ file, backup });
      await fs.promises.rename(temporaries[i], file);
    }
  } catch (err) {
    // Undo in reverse: the new file goes, the old one (if any) comes back.
    for (const { file, backup } of placed.reverse()) {
      if (backup) await fs.promises.rename(backup, file).catch(() => undefined);
      else await fs.promises.rm(file, { force: true }).catch(() => undefined);
    }
    for (const tmp of temporaries) await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  for (const { backup } of placed) if (backup) await fs.promises.rm(backup, { force: true }).catch(() => undefined);
}

/**
 * Helpers for tests: paths of the spec fixtures and test packages, and throw-away copies of packages
 * (for corrupting them, or for lowering thresholds).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extensionRoot, sharedRoot } from '../paths';

export { extensionRoot, sharedRoot };

export function specFixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(extensionRoot, 'spec', 'fixtures', name), 'utf8')) as T;
}

export const tinyPackageDir = path.join(extensionRoot, 'test', 'fixtures', 'models', 'tiny-mge');
export const tinyBertPackageDir = path.join(extensionRoot, 'test', 'fixtures', 'models', 'tiny-bert-mge');

export function tempDir(prefix = 'erlens-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A copy of a package under a temporary folder, with model.json edited by `edit`. The graph is copied
 * unchanged, so its checksum still holds unless the test breaks it on purpose.
 */
export function copyPackage(src: string, id: string, edit: (meta: any) => void = () => undefined, parent = tempDir()): string {
  const dst = path.join(parent, id);
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  const meta = JSON.parse(fs.readFileSync(path.join(dst, 'model.json'), 'utf8'));
  meta.id = id;
  edit(meta);
  fs.writeFileSync(path.join(dst, 'model.json'), JSON.stringify(meta, null, 2));
  return dst;
}

/**
 * The tiny test model is barely trained (its probabilities sit around 0.2-0.5), so tests that need
 * some output use a copy with lower thresholds and the "best" pair policy (which keeps the number of
 * relations small). Tests only assert properties that hold for any output.
 */
export function chattyTinyPackage(parent?: string, id = 'tiny-chatty'): string {
  return copyPackage(
    tinyPackageDir,
    id,
    (m) => {
      m.thresholds = { entity: 0.4, relation: 0.3 };
      m.pair_policy = 'best';
    },
    parent,
  );
}

export function conllTrain(n: number): Array<{ id: string; tokens: string[]; entities: any[]; relations: any[] }> {
  const lines = fs.readFileSync(path.join(sharedRoot, 'data', 'conll04', 'train.jsonl'), 'utf8').split('\n');
  return lines.filter((l) => l.trim()).slice(0, n).map((l) => JSON.parse(l));
}

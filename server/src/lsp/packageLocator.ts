/**
 * Finds model packages on disk: `erlens.models` names packages by id (or by folder), searched in
 * `erlens.modelPaths` first and then in the models/ folder shipped with the extension. Only local
 * folders are ever read — there is no download path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PackageInfo {
  id: string;
  dir: string;
  architecture?: string;
  dataset?: string;
  entityTypes: string[];
  relationTypes: string[];
  devScores?: unknown;
}

export interface LocateResult {
  found: PackageInfo[];
  problems: { package: string; message: string }[];
}

/** A folder with a model.json that cannot be read (truncated, not JSON): said as such, not as "not found". */
export interface BrokenPackage {
  dir: string;
  problem: string;
}

/** Why a folder's model.json cannot be read, or undefined when it reads. */
function manifestProblem(dir: string): string | undefined {
  const file = path.join(dir, 'model.json');
  try {
    JSON.parse(fs.readFileSync(file, 'utf8'));
    return undefined;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return e.code ? `${file} cannot be read (${e.code})` : `${file} is unreadable JSON (${e.message.split('\n')[0]})`;
  }
}

/** Package folders under the roots whose model.json cannot be read. */
export function brokenPackages(roots: readonly string[]): BrokenPackage[] {
  const out: BrokenPackage[] = [];
  for (const root of roots) {
    const dirs = [root];
    try {
      for (const name of fs.readdirSync(root).sort()) dirs.push(path.join(root, name));
    } catch {
      // not a folder: nothing to list
    }
    for (const dir of dirs) {
      if (!fs.existsSync(path.join(dir, 'model.json'))) continue;
      const problem = manifestProblem(dir);
      if (problem) out.push({ dir, problem });
    }
  }
  return out;
}

function readManifest(dir: string): PackageInfo | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const training = (json.training ?? {}) as Record<string, unknown>;
    return {
      id: typeof json.id === 'string' ? json.id : path.basename(dir),
      dir,
      architecture: typeof json.architecture === 'string' ? json.architecture : undefined,
      dataset: typeof training.dataset === 'string' ? training.dataset : undefined,
      entityTypes: list(json.entity_types),
      relationTypes: list(json.relation_types),
      devScores: json.dev_scores,
    };
  } catch {
    return undefined;
  }
}

/** The extension's own models/ folder: the first ancestor of this file holding package.json + models/. */
export function bundledModelsDir(start = __dirname): string | undefined {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'models'))) return path.join(dir, 'models');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Folders to search, in order: user paths, then the shipped models. Duplicates removed. */
export function searchRoots(modelPaths: readonly string[], extraRoots: readonly string[] = []): string[] {
  const roots = [...modelPaths, ...extraRoots];
  const bundled = bundledModelsDir();
  if (bundled) roots.push(bundled);
  return [...new Set(roots.map((r) => path.resolve(r)))];
}

/** Every package under the roots: a root may itself be a package or hold one package per subfolder. */
export function listPackages(roots: readonly string[]): PackageInfo[] {
  const out: PackageInfo[] = [];
  const seen = new Set<string>();
  const add = (info: PackageInfo | undefined) => {
    if (info && !seen.has(info.id)) {
      seen.add(info.id);
      out.push(info);
    }
  };
  for (const root of roots) {
    add(readManifest(root));
    let names: string[] = [];
    try {
      names = fs.readdirSync(root).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = path.join(root, name);
      if (fs.existsSync(path.join(dir, 'model.json'))) add(readManifest(dir));
    }
  }
  return out;
}

/** Resolves each requested id or folder; what cannot be found becomes one problem naming where it looked. */
export function locatePackages(requested: readonly string[], roots: readonly string[]): LocateResult {
  const result: LocateResult = { found: [], problems: [] };
  let available: PackageInfo[] | undefined;
  for (const want of requested) {
    const asDir = path.resolve(want);
    if ((path.isAbsolute(want) || want.includes('/') || want.includes('\\')) && fs.existsSync(path.join(asDir, 'model.json'))) {
      const info = readManifest(asDir);
      if (info) {
        result.found.push(info);
        continue;
      }
      result.problems.push({ package: want, message: `model package "${want}": ${manifestProblem(asDir) ?? 'model.json cannot be read'}` });
      continue;
    }
    available ??= listPackages(roots);
    const hit = available.find((p) => p.id === want) ?? available.find((p) => path.basename(p.dir) === want);
    if (hit) {
      result.found.push(hit);
      continue;
    }
    // A folder of that name whose model.json is broken is not "not found": say what is wrong with it.
    const broken = brokenPackages(roots).find((b) => path.basename(b.dir) === want);
    if (broken) result.problems.push({ package: want, message: `model package "${want}": ${broken.problem}` });
    else result.problems.push({ package: want, message: `model package "${want}" not found (searched: ${roots.join(', ') || 'no folders'})` });
  }
  return result;
}

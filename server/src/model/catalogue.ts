/**
 * The package catalogue: the one place that knows where model packages are and what a reference
 * names. The language server, the CLI and the Annotator all ask it; only local folders are ever read
 * (there is no download path).
 *
 * Search order: the user's folders (`erlens.modelPaths`, `--models-dir`), then the models/ folder
 * shipped with the extension. A root is a package itself or holds one package per subfolder; the first
 * package of an id wins. A reference is a folder (a path with a separator, or an existing folder with a
 * model.json) or a package id (model.json `id`, else the folder name).
 *
 * The catalogue reads model.json only as far as a listing needs; model/package.ts loads and checks a
 * package in full.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelPackageError } from '../decoders/manifest';
import { extensionRoot as installedRoot } from '../paths';
import { loadPackage } from './package';
import type { ModelPackage } from './package';

/** An installed package as listings show it ("Select Models", `erlens models`). */
export interface PackageInfo {
  id: string;
  dir: string;
  architecture?: string;
  dataset?: string;
  domain?: string;
  entityTypes: string[];
  relationTypes: string[];
  /** relation type -> the [head type, tail type] pairs its training data has, when the package says. */
  relationArguments?: Record<string, string[][]>;
  devScores?: unknown;
}

/** A folder with a model.json that cannot be read (truncated, not JSON): said as such, not as "not found". */
export interface BrokenPackage {
  dir: string;
  problem: string;
}

export interface PackageProblem {
  package: string;
  message: string;
}

export interface CatalogueOptions {
  /** The user's folders, searched first (each a package or a folder of packages). */
  userDirs?: readonly string[];
  /** The installation whose models/ folder is searched last (default: this one). */
  extensionRoot?: string;
}

type Manifest = { ok: true; json: Record<string, unknown> } | { ok: false; problem: string };

function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'model.json');
  try {
    return { ok: true, json: JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, problem: e.code ? `${file} cannot be read (${e.code})` : `${file} is unreadable JSON (${e.message.split('\n')[0]})` };
  }
}

function summary(dir: string, json: Record<string, unknown>): PackageInfo {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const training = (json.training ?? {}) as Record<string, unknown>;
  return {
    id: text(json.id) || path.basename(dir),
    dir,
    architecture: text(json.architecture),
    dataset: text(training.dataset),
    domain: text(json.domain),
    entityTypes: list(json.entity_types),
    relationTypes: list(json.relation_types),
    ...(json.relation_arguments && typeof json.relation_arguments === 'object' ? { relationArguments: json.relation_arguments as Record<string, string[][]> } : {}),
    devScores: json.dev_scores,
  };
}

const hasManifest = (dir: string) => fs.existsSync(path.join(dir, 'model.json'));
const looksLikePath = (ref: string) => path.isAbsolute(ref) || ref.includes('/') || ref.includes('\\') || ref.startsWith('.');

export class PackageCatalogue {
  /** Folders searched, in order, duplicates removed. */
  readonly roots: readonly string[];
  readonly extensionRoot: string;

  constructor(options: CatalogueOptions = {}) {
    this.extensionRoot = options.extensionRoot ?? installedRoot;
    const roots = [...(options.userDirs ?? []), path.join(this.extensionRoot, 'models')];
    this.roots = [...new Set(roots.map((r) => path.resolve(r)))];
  }

  /** Folders under the roots that hold a model.json, readable or not, in search order. */
  packageDirs(): string[] {
    const dirs: string[] = [];
    for (const root of this.roots) {
      if (hasManifest(root)) {
        dirs.push(root);
        continue;
      }
      let names: string[] = [];
      try {
        names = fs.readdirSync(root).sort();
      } catch {
        continue; // not a folder: nothing to list
      }
      for (const name of names) if (hasManifest(path.join(root, name))) dirs.push(path.join(root, name));
    }
    return dirs;
  }

  /** Every readable package; the first of an id wins. */
  list(): PackageInfo[] {
    const out: PackageInfo[] = [];
    const seen = new Set<string>();
    for (const dir of this.packageDirs()) {
      const m = readManifest(dir);
      if (!m.ok) continue;
      const info = summary(dir, m.json);
      if (seen.has(info.id)) continue;
      seen.add(info.id);
      out.push(info);
    }
    return out;
  }

  /** Package folders whose model.json cannot be read. */
  broken(): BrokenPackage[] {
    return this.packageDirs().flatMap((dir) => {
      const m = readManifest(dir);
      return m.ok ? [] : [{ dir, problem: m.problem }];
    });
  }

  /** What a reference names, or why it names nothing (one line, naming the installed ids when the id is unknown). */
  find(ref: string): { info: PackageInfo } | { problem: string } {
    if (looksLikePath(ref) || hasManifest(ref)) {
      const dir = path.resolve(ref);
      if (!hasManifest(dir)) return { problem: fs.existsSync(dir) ? `no model.json in ${dir}` : `folder not found: ${dir}` };
      const m = readManifest(dir);
      return m.ok ? { info: summary(dir, m.json) } : { problem: m.problem };
    }
    const installed = this.list();
    const hit = installed.find((p) => p.id === ref) ?? installed.find((p) => path.basename(p.dir) === ref);
    if (hit) return { info: hit };
    // A folder of that name whose model.json is broken is not "not installed": say what is wrong with it.
    const broken = this.broken().find((b) => path.basename(b.dir) === ref);
    if (broken) return { problem: broken.problem };
    const searched = this.roots.map((r) => path.relative(process.cwd(), r) || '.').join(', ');
    const ids = installed.map((p) => p.id).join(', ') || 'none';
    return { problem: `not installed (looked in ${searched}; installed: ${ids})` };
  }

  /** The folder of a reference. Throws ModelPackageError. */
  resolve(ref: string): string {
    const found = this.find(ref);
    if ('problem' in found) throw new ModelPackageError(ref, found.problem);
    return found.info.dir;
  }

  /** Each reference resolved; what cannot be becomes one problem naming it (never throws). */
  locate(refs: readonly string[]): { found: PackageInfo[]; problems: PackageProblem[] } {
    const found: PackageInfo[] = [];
    const problems: PackageProblem[] = [];
    for (const ref of refs) {
      const r = this.find(ref);
      if ('problem' in r) problems.push({ package: ref, message: new ModelPackageError(ref, r.problem).message });
      else found.push(r.info);
    }
    return { found, problems };
  }

  /** Every package under the roots, loaded and checked; broken ones are reported, not thrown. */
  async loadAll(): Promise<{ packages: ModelPackage[]; errors: ModelPackageError[] }> {
    const packages: ModelPackage[] = [];
    const errors: ModelPackageError[] = [];
    for (const dir of this.packageDirs()) {
      try {
        packages.push(await loadPackage(dir, path.basename(dir)));
      } catch (err) {
        errors.push(err instanceof ModelPackageError ? err : new ModelPackageError(path.basename(dir), (err as Error).message));
      }
    }
    return { packages, errors };
  }
}

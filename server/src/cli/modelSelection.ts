/**
 * Which packages a command uses when the user names none: the configured defaults (package.json,
 * `contributes.configuration` -> `erlens.models` default) that are installed, else every package in
 * models/ (and --models-dir), else - so that a fresh checkout can still run the demo - the test
 * packages in test/fixtures/models, with a note saying so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackageCatalogue } from '../model/catalogue';
import { UsageError } from './errors';
import type { CommonOptions } from './options';

export function configuredDefaultModels(extensionRoot: string): string[] {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));
    const configuration = manifest?.contributes?.configuration;
    const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
    for (const section of sections) {
      const def = section?.properties?.['erlens.models']?.default;
      if (Array.isArray(def)) return def.filter((x: unknown): x is string => typeof x === 'string');
    }
  } catch {
    // no readable manifest: no configured defaults
  }
  return [];
}

/** The packages a command can use: --models-dir folders first, then the installation's models/. */
export function catalogueFor(opts: CommonOptions): PackageCatalogue {
  return new PackageCatalogue({ userDirs: opts.modelsDirs, extensionRoot: opts.extensionRoot });
}

export interface ModelChoice {
  refs: string[];
  /** Said on stderr when the choice is a fallback the user should know about. */
  note?: string;
}

export function chooseModels(opts: CommonOptions): ModelChoice {
  if (opts.models.length) return { refs: opts.models };
  const catalogue = catalogueFor(opts);
  const installed = configuredDefaultModels(opts.extensionRoot).filter((id) => 'info' in catalogue.find(id));
  if (installed.length) return { refs: installed };
  const all = catalogue.packageDirs();
  if (all.length) return { refs: all };
  // Not in the search path on purpose: the test packages are a last resort, said as such (models/ is
  // empty here, so this catalogue holds the fixtures only).
  const fixtures = new PackageCatalogue({ userDirs: [path.join(opts.extensionRoot, 'test', 'fixtures', 'models')], extensionRoot: opts.extensionRoot }).packageDirs();
  if (fixtures.length) {
    return {
      refs: fixtures,
      note: `no model package is installed in models/; using the test packages (${fixtures.map((d) => path.basename(d)).join(', ')}), which know almost nothing`,
    };
  }
  throw new UsageError('no model package is installed (models/ is empty); pass --model DIR');
}

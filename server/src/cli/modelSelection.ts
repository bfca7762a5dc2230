/**
 * Which packages a command uses when the user names none: the editor's default `erlens.models`
 * (lsp/settings.ts) that are installed, else every package in
 * models/ (and --models-dir), else - so that a fresh checkout can still run the demo - the test
 * packages in test/fixtures/models, with a note saying so.
 */
import * as path from 'node:path';
import { PackageCatalogue } from '../model/catalogue';
import { DEFAULT_SETTINGS } from '../lsp/settings';
import { UsageError } from './errors';
import type { CommonOptions } from './options';

/** The editor's default `erlens.models` (lsp/settings.ts, which package.json is checked against). */
export function configuredDefaultModels(): string[] {
  return [...DEFAULT_SETTINGS.models];
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
  const installed = configuredDefaultModels().filter((id) => 'info' in catalogue.find(id));
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

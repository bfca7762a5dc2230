/**
 * Owns the Annotator for the current `erlens.models` / `erlens.modelPaths` / provider settings:
 * locates the packages, loads them, and reports each problem once in the editor. A missing or corrupt
 * package never stops the others from loading; with no usable package at all the server still runs
 * (and answers every request with empty results).
 */
import * as path from 'node:path';
import type { AnnotatorPort } from './annotatorPort';
import { createAnnotator } from './annotatorPort';
import { bundledModelsDir, locatePackages, searchRoots } from './packageLocator';
import type { ErlensSettings } from './settings';
import type { Logger } from './logger';

/** The folder holding models/: from this file's location, else the client's models folder. */
function extensionRootOf(roots: string[]): string | undefined {
  const models = bundledModelsDir() ?? roots.find((r) => path.basename(r) === 'models');
  return models ? path.dirname(models) : undefined;
}

export interface ModelHostHooks {
  logger: Logger;
  /** Shows one error message in the editor (window/showMessage). */
  showError(message: string): void;
  /** Extra package roots from the client (the extension's models/ folder). */
  extraRoots(): string[];
}

export class ModelHost {
  private current?: Promise<AnnotatorPort | undefined>;
  private loaded?: AnnotatorPort;
  private readonly reported = new Set<string>();
  private locateProblems: { package: string; message: string }[] = [];
  loading = false;

  constructor(private readonly hooks: ModelHostHooks) {}

  // Documents can open before the settings arrive and the first load starts: they wait for it
  // instead of being annotated by no model (which would publish empty results first).
  private markStarted!: () => void;
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  /** The annotator once loaded (undefined when nothing could be loaded). */
  async annotator(): Promise<AnnotatorPort | undefined> {
    await this.started;
    return this.current;
  }

  loadedNow(): AnnotatorPort | undefined {
    return this.loaded;
  }

  problems(): { package: string; message: string }[] {
    return [...this.locateProblems, ...(this.loaded?.problems ?? [])];
  }

  /** (Re)loads the packages named by the settings; the previous annotator is disposed afterwards. */
  load(settings: ErlensSettings): Promise<AnnotatorPort | undefined> {
    const previous = this.loaded;
    this.loading = true;
    this.current = this.doLoad(settings).finally(() => {
      this.loading = false;
    });
    this.markStarted();
    void this.current.then(async () => {
      if (previous && previous !== this.loaded) await previous.dispose().catch(() => undefined);
    });
    return this.current;
  }

  /** Shows each distinct problem once per server lifetime, saying what still runs. */
  private report(problems: { package: string; message: string }[], running: string[]): void {
    for (const { package: pkg, message } of problems) {
      const key = `${pkg}\u0000${message}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.hooks.logger.error(`model package ${pkg || '(unknown)'}: ${message}`);
      const what = message.includes(pkg) ? message : `model package "${pkg}": ${message}`;
      const still = running.length > 0 ? `Still running: ${running.join(', ')}.` : 'No model is running; see "erlens.models".';
      this.hooks.showError(`ERlens: ${what}. ${still}`);
    }
  }

  private async doLoad(settings: ErlensSettings): Promise<AnnotatorPort | undefined> {
    const log = this.hooks.logger;
    const roots = searchRoots(settings.modelPaths, this.hooks.extraRoots());
    const located = locatePackages(settings.models, roots);
    this.locateProblems = located.problems;
    if (located.found.length === 0) {
      this.loaded = undefined;
      this.report(located.problems, []);
      log.warn('no model package could be found; ERlens will not annotate until erlens.models names an installed package');
      return undefined;
    }
    const started = Date.now();
    try {
      const annotator = await createAnnotator({
        packageDirs: located.found.map((p) => p.dir),
        executionProvider: settings.executionProvider,
        threads: settings.threads,
        cacheSize: settings.cacheSize,
        routing: settings.routing,
        extensionRoot: extensionRootOf(roots),
        log: (m) => log.info(m),
      });
      this.loaded = annotator;
      this.report([...located.problems, ...annotator.problems], annotator.models());
      log.info(`loaded models ${annotator.models().join(', ') || located.found.map((p) => p.id).join(', ')} on ${annotator.executionProvider() ?? settings.executionProvider} in ${Date.now() - started} ms`);
      return annotator;
    } catch (error) {
      this.loaded = undefined;
      this.report([...located.problems, { package: located.found.map((p) => p.id).join(', '), message: `could not load the models: ${error instanceof Error ? error.message : String(error)}` }], []);
      return undefined;
    }
  }
}

/**
 * Owns the analysis worker for the current `erlens.models` / `erlens.modelPaths` / provider settings:
 * locates the packages, starts the worker that loads them (analysisHost.ts), and reports each problem
 * once in the editor. A missing or corrupt package never stops the others from loading; with no usable
 * package at all the server still runs (and answers every request with empty results).
 */
import { PackageCatalogue } from '../model/catalogue';
import { AnalysisHost } from './analysisHost';
import type { HostEvents } from './analysisHost';
import type { ErlensSettings } from './settings';
import type { Logger } from './logger';

/** The packages the settings can name: erlens.modelPaths, then the client's models folder, then the installation's. */
export function catalogueFor(settings: Pick<ErlensSettings, 'modelPaths'>, clientRoots: readonly string[]): PackageCatalogue {
  return new PackageCatalogue({ userDirs: [...settings.modelPaths, ...clientRoots] });
}

export interface ModelHostHooks {
  logger: Logger;
  /** Shows one error message in the editor (window/showMessage). */
  showError(message: string): void;
  /** Extra package roots from the client (the extension's models/ folder). */
  extraRoots(): string[];
  /** What the worker sends, with the host it came from (a reload replaces the host). */
  events(host: () => AnalysisHost | undefined): Omit<HostEvents, 'log'>;
}

export class ModelHost {
  private current?: Promise<AnalysisHost | undefined>;
  private loaded?: AnalysisHost;
  private readonly reported = new Set<string>();
  private locateProblems: { package: string; message: string }[] = [];
  /** The packages that failed to load in the last load (kept when no model loaded and the worker is gone). */
  private loadProblems: { package: string; message: string }[] = [];
  loading = false;

  constructor(private readonly hooks: ModelHostHooks) {}

  // Documents can open before the settings arrive and the first load starts: they wait for it
  // instead of being annotated by no model (which would publish empty results first).
  private markStarted!: () => void;
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  /** The analysis host once loaded (undefined when nothing could be loaded). */
  async host(): Promise<AnalysisHost | undefined> {
    await this.started;
    return this.current;
  }

  loadedNow(): AnalysisHost | undefined {
    return this.loaded;
  }

  problems(): { package: string; message: string }[] {
    // Inference failures are reported by the worker as they happen (counters); load failures once.
    const running = this.loaded?.counters.problems ?? [];
    return [...this.locateProblems, ...(running.length > 0 ? running : this.loadProblems)];
  }

  /** (Re)loads the packages named by the settings; the previous worker is stopped afterwards. */
  load(settings: ErlensSettings): Promise<AnalysisHost | undefined> {
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

  private async doLoad(settings: ErlensSettings): Promise<AnalysisHost | undefined> {
    const log = this.hooks.logger;
    const catalogue = catalogueFor(settings, this.hooks.extraRoots());
    const located = catalogue.locate(settings.models);
    this.locateProblems = located.problems;
    this.loadProblems = [];
    if (located.found.length === 0) {
      this.loaded = undefined;
      this.report(located.problems, []);
      log.warn('no model package could be found; ERlens will not annotate until erlens.models names an installed package');
      return undefined;
    }
    const started = Date.now();
    let host: AnalysisHost | undefined;
    try {
      host = await AnalysisHost.start(
        {
          packageDirs: located.found.map((p) => p.dir),
          executionProvider: settings.executionProvider,
          threads: settings.threads,
          cacheBytes: settings.cacheMegabytes * 2 ** 20,
          routing: settings.routing,
          extensionRoot: catalogue.extensionRoot,
        },
        {
          ...this.hooks.events(() => host),
          log: (level, message) => log[level](message),
        },
      );
      this.loaded = host;
      this.loadProblems = host.problems;
      const models = host.models.map((m) => m.id);
      this.report([...located.problems, ...host.problems], models);
      const providers = [...new Set(host.models.map((m) => m.provider))].join(', ');
      log.info(`loaded models ${models.join(', ') || '(none)'} on ${providers || settings.executionProvider} in ${Date.now() - started} ms`);
      if (models.length === 0) {
        await host.dispose();
        this.loaded = undefined;
        return undefined;
      }
      return host;
    } catch (error) {
      this.loaded = undefined;
      this.loadProblems = [{ package: located.found.map((p) => p.id).join(', '), message: `could not load the models: ${error instanceof Error ? error.message : String(error)}` }];
      this.report([...located.problems, ...this.loadProblems], []);
      return undefined;
    }
  }
}

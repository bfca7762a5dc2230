/**
 * Progress of a cold analysis in the editor (window/workDoneProgress): one report per document, at the
 * pace patches arrive (about 5 a second). A run that ends between two patches still gets its last report
 * (100%) before the end, so the editor's bar always finishes full instead of vanishing midway.
 */
import * as path from 'node:path';
import type { WorkDoneProgressServerReporter } from 'vscode-languageserver/node';

/** A cold document with at least this many sentences to infer gets a progress report in the editor. */
export const PROGRESS_MIN_SENTENCES = 100;

export interface AnalysisProgressHooks {
  /** The client shows server-initiated progress (window.workDoneProgress). */
  enabled(): boolean;
  /** connection.window.createWorkDoneProgress. */
  create(): Promise<WorkDoneProgressServerReporter>;
}

export class AnalysisProgress {
  private readonly shown = new Map<string, { reporter: Promise<WorkDoneProgressServerReporter | undefined>; total: number }>();

  constructor(private readonly hooks: AnalysisProgressHooks) {}

  /** The scheduler's progress of `uri` (sentences inferred of those to infer); undefined: the run ended. */
  report(uri: string, progress: { done: number; total: number } | undefined): void {
    const shown = this.shown.get(uri);
    if (!progress || progress.done >= progress.total) {
      if (shown) {
        this.shown.delete(uri);
        const total = progress?.total ?? shown.total;
        void shown.reporter.then((r) => {
          r?.report(100, `${total}/${total} sentences`);
          r?.done();
        });
      }
      return;
    }
    if (!shown) {
      if (!this.hooks.enabled() || progress.total < PROGRESS_MIN_SENTENCES) return;
      const reporter = this.hooks.create().then(
        (r) => {
          r.begin(`ERlens: analysing ${path.basename(uri)}`, 0, `0/${progress.total} sentences`, false);
          return r;
        },
        () => undefined,
      );
      this.shown.set(uri, { reporter, total: progress.total });
      return;
    }
    shown.total = progress.total;
    void shown.reporter.then((r) => r?.report(Math.floor((100 * progress.done) / progress.total), `${progress.done}/${progress.total} sentences`));
  }
}

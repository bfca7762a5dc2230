/** Load the chosen packages for a CLI command and report problems the way a terminal user needs. */
import { Annotator } from '../pipeline/annotator';
import type { AnnotatorOptions } from '../pipeline/annotator';
import type { CommonOptions } from './options';
import type { ModelChoice } from './modelSelection';

/**
 * An Annotator over the chosen packages. A package that fails is a warning while others load, and
 * the error itself (exit 1) when none does.
 */
export async function loadAnnotator(choice: ModelChoice, opts: CommonOptions, more: AnnotatorOptions = {}): Promise<Annotator> {
  if (choice.note) process.stderr.write(`erlens: note: ${choice.note}\n`);
  const annotator = new Annotator(choice.refs, {
    executionProvider: opts.executionProvider,
    threads: opts.threads,
    extensionRoot: opts.extensionRoot,
    extraModelDirs: opts.modelsDirs,
    routing: opts.routing,
    ...more,
  });
  await annotator.ready();
  if (annotator.loadedModels().length === 0) {
    await annotator.dispose();
    throw annotator.errors[0] ?? new Error("no model could be loaded");
  }
  for (const e of annotator.errors) process.stderr.write(`erlens: warning: ${e.message}\n`);
  return annotator;
}

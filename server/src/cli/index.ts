/**
 * `erlens index [FOLDER…]`: brings each folder's workspace index (FOLDER/.erlens/index.sqlite, the one the
 * language server keeps) up to date with its Markdown and text files, annotated by the chosen models with
 * the folder's corrections applied, as the editor shows them. Unchanged files are not annotated again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorrectionStore } from '../corrections/store';
import { loadCorrections } from '../corrections/workspaceFiles';
import { indexFileOf, modelsFingerprint, WorkspaceIndexer } from '../workspaceIndex/indexer';
import { TripleIndex } from '../workspaceIndex/tripleIndex';
import { DEFAULT_SETTINGS } from '../lsp/settings';
import { displayPath } from './displayPath';
import { UsageError } from './errors';
import { loadAnnotator } from './loadModels';
import { chooseModels } from './modelSelection';
import type { CommonOptions, Values } from './options';

export async function runIndex(folders: string[], values: Values, opts: CommonOptions): Promise<number> {
  const roots = (folders.length ? folders : ['.']).map((f) => path.resolve(f));
  for (const root of roots) if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`not a folder: ${root}`);
  const annotator = await loadAnnotator(chooseModels(opts), opts);
  const quiet = values.quiet === true;
  let failed = false;
  try {
    const models = modelsFingerprint(annotator.loadedModels());
    for (const root of roots) {
      const corrections = new CorrectionStore();
      for (const problem of loadCorrections(root, corrections).problems) process.stderr.write(`erlens index: ${problem}\n`);
      const { index, rebuilt } = await TripleIndex.open(indexFileOf(root));
      if (rebuilt) process.stderr.write(`erlens index: ${rebuilt}\n`);
      const indexer = new WorkspaceIndexer(index, {
        annotate: async (uri, text, languageId, stop) => corrections.apply(await annotator.annotate(uri, 0, text, languageId, { signal: stop }), text),
        models: () => models,
        maxFileSize: () => DEFAULT_SETTINGS.maxFileSize,
        warn: (message) => process.stderr.write(`erlens index: ${message}\n`),
      });
      const progress = quiet || !process.stderr.isTTY ? undefined : (done: number, total: number) => process.stderr.write(`\rerlens index: ${done}/${total} files`);
      const summary = await indexer.run([root], { progress });
      if (progress) process.stderr.write('\n');
      for (const s of summary.skipped) process.stderr.write(`erlens index: skipped ${s.uri}: ${s.reason}\n`);
      process.stdout.write(
        `${displayPath(indexFileOf(root))}: ${summary.files} files, ${summary.indexed} annotated, ${summary.unchanged} unchanged, ` +
          `${summary.removed} removed, ${summary.skipped.length} skipped; ${index.documentCount()} documents indexed; ${summary.seconds.toFixed(1)} s\n`,
      );
      index.close();
      failed ||= summary.skipped.some((s) => s.reason.startsWith('unreadable'));
    }
  } finally {
    await annotator.dispose();
  }
  return failed ? 1 : 0;
}

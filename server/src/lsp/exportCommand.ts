/**
 * `erlens.exportTriples`: annotates the chosen documents (current, all open, or every Markdown/text file
 * under the workspace folders) and writes them in the requested formats. Open documents are exported
 * as the editor holds them (unsaved edits included); other files are read from disk. The format
 * writers and the atomic temp-file-and-rename live in ../export; this module only decides what to
 * export and where.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { throwIfAborted } from '../model/abort';
import type { StopSignal } from '../model/abort';
import type { DocumentAnnotations } from '../annotations/types';
import { writeExports } from './exportWriters';
import type { Logger } from './logger';
import type { ExportArguments, ExportResult } from './protocol';
import { documentSkipReason } from '../text/documentGate';
import { EXPORT_FORMATS } from '../export/formatNames';
import { languageOfPath, proseFilesUnder } from '../workspace/proseFiles';
import type { ErlensSettings } from './settings';

export interface ExportContext {
  settings: ErlensSettings;
  workspaceFolders: string[];
  documents: ReadonlyMap<string, TextDocument>;
  annotationsFor(document: TextDocument): Promise<DocumentAnnotations | undefined>;
  logger: Logger;
  /** Called before each document is annotated (workspace exports can take a while). */
  progress?(done: number, total: number, uri: string): void;
  /** Checked before each document and before writing: a cancelled export writes nothing. */
  stop?: StopSignal;
}

/** Where the files go: the argument, else the setting (relative to the first workspace folder), else a default. */
export function exportDirectory(args: ExportArguments, ctx: Pick<ExportContext, 'settings' | 'workspaceFolders'>, firstFile?: string): string {
  const base = ctx.workspaceFolders[0] ?? (firstFile ? path.dirname(firstFile) : os.tmpdir());
  const chosen = args.directory || ctx.settings.exportDirectory;
  if (chosen) return path.resolve(base, chosen);
  return path.join(base, 'erlens-export');
}

function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** The documents an export covers: open ones as the editor has them, others read from disk. */
function collectDocuments(args: ExportArguments, ctx: ExportContext, outDir: string, skipped: ExportResult['skipped']): TextDocument[] {
  const scope = args.scope ?? (args.uri ? 'document' : 'open');
  if (scope === 'open') return [...ctx.documents.values()];
  const fromDisk = (file: string): TextDocument | undefined => {
    const uri = pathToFileURL(file).toString();
    const open = ctx.documents.get(uri);
    if (open) return open;
    try {
      const size = fs.statSync(file).size;
      if (size > ctx.settings.maxFileSize * 4) {
        skipped.push({ uri, reason: `larger than erlens.maxFileSize` });
        return undefined;
      }
      return TextDocument.create(uri, languageOfPath(file), 0, fs.readFileSync(file, 'utf8'));
    } catch (error) {
      skipped.push({ uri, reason: `unreadable: ${(error as Error).message}` });
      return undefined;
    }
  };
  if (scope === 'document') {
    if (!args.uri) throw new Error('erlens.exportTriples: scope "document" needs a uri');
    const open = ctx.documents.get(args.uri);
    if (open) return [open];
    const file = uriToPath(args.uri);
    const doc = file ? fromDisk(file) : undefined;
    if (!doc && !file) skipped.push({ uri: args.uri, reason: 'not open and not a file' });
    return doc ? [doc] : [];
  }
  const docs: TextDocument[] = [];
  for (const folder of ctx.workspaceFolders) {
    for (const file of proseFilesUnder(folder, outDir)) {
      const doc = fromDisk(file);
      if (doc) docs.push(doc);
    }
  }
  return docs;
}

export async function runExport(args: ExportArguments, ctx: ExportContext): Promise<ExportResult> {
  const formats = (args.formats?.length ? args.formats : ctx.settings.exportFormats).filter((f) => (EXPORT_FORMATS as readonly string[]).includes(f));
  if (formats.length === 0) throw new Error(`erlens.exportTriples: no known format in ${JSON.stringify(args.formats)}; use ${EXPORT_FORMATS.join(', ')}`);
  const skipped: ExportResult['skipped'] = [];
  const firstFile = args.uri ? uriToPath(args.uri) : undefined;
  const outDir = exportDirectory(args, ctx, firstFile);
  const documents = collectDocuments(args, ctx, outDir, skipped);
  const annotated: { annotations: DocumentAnnotations; text: string; path?: string }[] = [];
  for (const [i, document] of documents.entries()) {
    throwIfAborted(ctx.stop);
    ctx.progress?.(i, documents.length, document.uri);
    const text = document.getText();
    const notAnalysed = documentSkipReason(text, ctx.settings.maxFileSize, 'erlens.maxFileSize');
    if (notAnalysed) {
      skipped.push({ uri: document.uri, reason: notAnalysed });
      continue;
    }
    const annotations = await ctx.annotationsFor(document);
    if (!annotations) {
      skipped.push({ uri: document.uri, reason: 'no model loaded' });
      continue;
    }
    annotated.push({ annotations, text, path: uriToPath(document.uri) });
  }
  throwIfAborted(ctx.stop);
  const files = annotated.length > 0 ? await writeExports(annotated, formats, outDir, args.name ? path.basename(args.name) : undefined) : [];
  const result: ExportResult = {
    files,
    documents: annotated.length,
    entities: annotated.reduce((n, d) => n + d.annotations.entities.length, 0),
    relations: annotated.reduce((n, d) => n + d.annotations.relations.length, 0),
    skipped,
  };
  ctx.logger.info(`exported ${result.relations} relations from ${result.documents} document(s) to ${outDir}: ${files.length} files`);
  return result;
}

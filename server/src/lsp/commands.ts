/**
 * workspace/executeCommand: the export of triples (exportCommand.ts decides what and where) and the
 * corrections code actions apply (corrections.ts). Documents are exported as the editor shows them, with
 * the user's corrections: open ones from the kept annotations once their analysis is complete;
 * anything else is annotated on the worker for the export alone.
 */
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations } from '../annotations/types';
import { isAbortError, throwIfAborted } from '../model/abort';
import { cancelled, stopSignal } from './cancellation';
import type { CancelSignal } from './cancellation';
import { runExport } from './exportCommand';
import { applyCorrection } from './corrections';
import { CORRECT_COMMAND, EXPORT_COMMAND } from './protocol';
import type { CorrectionArguments, ExportArguments } from './protocol';
import type { ServerSession } from './session';

export function registerCommands(connection: Connection, session: ServerSession): void {
  connection.onExecuteCommand(async ({ command, arguments: args }, token) => {
    if (command === CORRECT_COMMAND) return applyCorrection(session, args?.[0] as CorrectionArguments);
    if (command !== EXPORT_COMMAND) return null;
    if (token.isCancellationRequested) throw cancelled();
    // Progress in the editor's status area, with a cancel button (a no-op for clients without
    // window/workDoneProgress). Cancelling there or sending $/cancelRequest stops the export before its
    // next document (and the running analysis before its next batch); nothing is written then.
    const progress = await connection.window.createWorkDoneProgress();
    progress.begin('ERlens: exporting triples', 0, undefined, true);
    const stop = stopSignal(token, progress.token);
    try {
      return await exportTriples(session, (args?.[0] ?? {}) as ExportArguments, stop, (done, total, uri) =>
        progress.report(Math.round((100 * done) / Math.max(1, total)), `${done + 1}/${total} ${path.basename(uri)}`),
      );
    } catch (error) {
      if (isAbortError(error) || stop.aborted) throw cancelled();
      throw error;
    } finally {
      progress.done();
    }
  });
}

function exportTriples(session: ServerSession, args: ExportArguments, stop: CancelSignal, onProgress: (done: number, total: number, uri: string) => void) {
  return runExport(args, {
    settings: session.settings,
    workspaceFolders: session.workspaceFolders,
    documents: session.documents,
    stop,
    annotationsFor: (document) => annotationsForExport(session, document, stop),
    logger: session.logger,
    progress: onProgress,
  });
}

/** The kept annotations of an open document once complete for its version, else a run of its own. */
async function annotationsForExport(session: ServerSession, document: TextDocument, stop: CancelSignal): Promise<DocumentAnnotations | undefined> {
  const { documents, scheduler } = session;
  if (documents.get(document.uri) === document) {
    await Promise.race([scheduler.whenCurrent(document.uri), stop.promise]);
    throwIfAborted(stop);
    const a = session.annotationsOf(document.uri);
    if (a && a.version === document.version && !a.skipped && scheduler.isComplete(document.uri)) return a;
  }
  const host = await session.models.host();
  if (!host) return undefined;
  const annotations = await host.annotate(document.uri, document.version, document.getText(), document.languageId, { signal: stop });
  throwIfAborted(stop);
  return annotations && session.corrections.apply(annotations, document.getText());
}

/**
 * Builds the LanguageClient: the server runs as a Node child over IPC from the bundled `dist/server.js`
 * (or the compiled `server/out/lsp/main.js` in a development checkout), on Markdown and plain text.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { promptExportArguments, showExportResult } from './exportPrompt';
import { EXPORT_COMMAND, SERVER_ENVIRONMENT, SERVER_EXEC_ARGV } from './protocol';
import type { ExportResult } from './protocol';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'markdown' },
  { scheme: 'file', language: 'plaintext' },
  { scheme: 'untitled', language: 'markdown' },
  { scheme: 'untitled', language: 'plaintext' },
];

function serverModule(context: vscode.ExtensionContext): string {
  const bundled = context.asAbsolutePath('dist/server.js');
  return fs.existsSync(bundled) ? bundled : context.asAbsolutePath('server/out/lsp/main.js');
}

export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = serverModule(context);
  const env = { ...process.env, ...SERVER_ENVIRONMENT };
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    // Settings are pulled by the server (workspace/configuration); it registers for change
    // notifications itself, so no `synchronize.configurationSection` (that would notify twice).
    // Trust decides whether corrections are written to the workspace (.erlens/); a later grant is
    // sent as erlens/workspaceTrusted (extension.ts).
    initializationOptions: { modelsDir: context.asAbsolutePath('models'), workspaceTrusted: vscode.workspace.isTrusted },
    middleware: {
      // Palette invocations carry no arguments: ask what to export, then show where it went.
      executeCommand: async (command, args, next) => {
        if (command !== EXPORT_COMMAND) return next(command, args);
        const exportArgs = args.length > 0 ? args : await promptExportArguments();
        if (!exportArgs) return undefined;
        const result = (await next(command, exportArgs)) as ExportResult | undefined;
        if (args.length === 0 && result) void showExportResult(result);
        return result;
      },
    },
  };
  return new LanguageClient('erlens', 'ERlens', serverOptions, clientOptions);
}

/**
 * The ERlens language server: a thin LSP shell over the pipeline. The session (session.ts) holds the
 * state and wires the model host, the scheduler and the publisher; each module registered here
 * handles one concern of the protocol. Transport comes from the command line (`--stdio`,
 * `--node-ipc`), so the same entry serves VS Code (IPC), the CLI's `erlens serve --stdio`, Neovim and
 * the tests.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import { registerCommands } from './commands';
import { readSettingsAndLoad, registerConfiguration } from './configuration';
import { registerDocumentSync } from './documentSync';
import { registerFeatureRequests } from './featureRequests';
import { registerIndexRequests, watchProseFiles } from './indexRequests';
import { registerInfoRequests } from './infoRequests';
import { registerInitialize } from './initialize';
import { ServerSession } from './session';

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const session = new ServerSession(connection);
  registerInitialize(connection, session);
  registerConfiguration(connection, session);
  registerDocumentSync(connection, session);
  registerFeatureRequests(connection, session);
  registerCommands(connection, session);
  registerInfoRequests(connection, session);
  registerIndexRequests(connection, session);
  // The connection keeps one handler per notification (a second onInitialized replaces the first), so
  // what each module does once the client is initialized is called from here.
  connection.onInitialized(() => {
    watchProseFiles(connection, session);
    return readSettingsAndLoad(connection, session);
  });

  // One bad document or package must never take the server down: log and keep serving.
  const { logger } = session;
  process.on('uncaughtException', (error) => logger.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`));

  connection.listen();
  return connection;
}

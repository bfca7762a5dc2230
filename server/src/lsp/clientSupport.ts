/**
 * What the client announced it can do (initialize's capabilities), read once; features degrade instead
 * of sending what the client cannot show (no refresh requests, no progress, no related information).
 */
import type { ClientCapabilities } from 'vscode-languageserver/node';

export interface ClientSupport {
  configuration: boolean;
  dynamicConfiguration: boolean;
  relatedInformation: boolean;
  semanticTokensRefresh: boolean;
  codeLensRefresh: boolean;
  workDoneProgress: boolean;
  /** The server may register file watchers (workspace/didChangeWatchedFiles): the workspace index follows the disk. */
  watchedFiles: boolean;
}

/** Before initialize: assume nothing. */
export const NO_CLIENT_SUPPORT: Readonly<ClientSupport> = Object.freeze({
  configuration: false,
  dynamicConfiguration: false,
  relatedInformation: false,
  semanticTokensRefresh: false,
  codeLensRefresh: false,
  workDoneProgress: false,
  watchedFiles: false,
});

export function clientSupportFrom(caps: ClientCapabilities): ClientSupport {
  return {
    configuration: !!caps.workspace?.configuration,
    dynamicConfiguration: !!caps.workspace?.didChangeConfiguration?.dynamicRegistration,
    relatedInformation: !!caps.textDocument?.publishDiagnostics?.relatedInformation,
    semanticTokensRefresh: !!caps.workspace?.semanticTokens?.refreshSupport,
    codeLensRefresh: !!caps.workspace?.codeLens?.refreshSupport,
    workDoneProgress: !!caps.window?.workDoneProgress,
    watchedFiles: !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration,
  };
}

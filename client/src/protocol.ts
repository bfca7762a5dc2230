/**
 * The ERlens LSP message names and payloads: one definition, the server's. The client project
 * references the server project, and esbuild bundles this file into the extension.
 */
export * from '../../server/src/lsp/protocol';

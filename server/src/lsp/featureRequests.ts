/**
 * The editor features the client pulls: semantic tokens (full, delta, range), hovers, code lenses and
 * code actions (corrections). Each answers from the annotations the scheduler keeps, with the user's
 * corrections applied, at once; none waits for an analysis.
 */
import { pathToFileURL } from 'node:url';
import type { Connection, SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { cancelled } from './cancellation';
import { buildCodeActions } from './codeActions';
import type { CorrectionVocabulary } from './codeActions';
import { buildCodeLenses } from './codeLens';
import { catalogueFor } from './modelHost';
import { RELATION_GRAPH_REQUEST } from './protocol';
import type { GraphData } from './protocol';
import { buildRelationGraph, buildWorkspaceGraph } from './relationGraph';
import { buildHover } from './hover';
import { buildSemanticTokens, semanticTokensEdits } from './semanticTokens';
import type { ServerSession } from './session';

export function registerFeatureRequests(connection: Connection, session: ServerSession): void {
  const { documents, scheduler } = session;

  function fullTokens(document: TextDocument): SemanticTokens {
    const { data } = buildSemanticTokens(document, session.annotationsOf(document.uri), undefined, session.settings.assertionsShow);
    return session.tokens.record(document.uri, data);
  }

  connection.languages.semanticTokens.on(({ textDocument }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? fullTokens(document) : { data: [] };
  });

  connection.languages.semanticTokens.onDelta(({ textDocument, previousResultId }, token): SemanticTokens | SemanticTokensDelta => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    const previous = session.tokens.last(document.uri);
    const next = fullTokens(document);
    if (!previous || previous.id !== previousResultId) return next;
    return { resultId: next.resultId, edits: semanticTokensEdits(previous.data, next.data) };
  });

  // A range request also says what the editor shows: a cold document's analysis starts there.
  connection.languages.semanticTokens.onRange(({ textDocument, range }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    scheduler.noteVisibleRange(document.uri, document.offsetAt(range.start), document.offsetAt(range.end));
    return buildSemanticTokens(document, session.annotationsOf(document.uri), range, session.settings.assertionsShow);
  });

  connection.onHover(({ textDocument, position }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildHover(document, session.annotationsOf(document.uri), position) : null;
  });

  connection.onCodeAction(({ textDocument, range }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildCodeActions(document, session.annotationsOf(document.uri), range, vocabulary(session)) : [];
  });

  connection.onRequest(RELATION_GRAPH_REQUEST, async (params: { uri?: string; scope?: string }): Promise<GraphData | null> => {
    if (params?.scope === 'workspace') {
      const folder = session.workspaceFolders[0];
      return buildWorkspaceGraph(folder ? pathToFileURL(folder).href : '', await session.index.allRelations());
    }
    const document = typeof params?.uri === 'string' ? documents.get(params.uri) : undefined;
    return document ? buildRelationGraph(document, session.annotationsOf(document.uri)) : null;
  });

  connection.onCodeLens(({ textDocument }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildCodeLenses(document, session.annotationsOf(document.uri), session.settings) : [];
  });
}

/** Code actions are asked for at every cursor move: the packages' types are read once per settings. */
const vocabularies = new WeakMap<object, CorrectionVocabulary>();

/** The types corrections may choose from: those of the packages the settings name (erlens.models), by id. */
function vocabulary(session: ServerSession): CorrectionVocabulary {
  const known = vocabularies.get(session.settings);
  if (known) return known;
  const catalogue = catalogueFor(session.settings, session.extraRoots);
  const named = session.settings.models.map((ref) => catalogue.find(ref)).flatMap((found) => ('info' in found ? [found.info] : []));
  const packages = new Map(named.map((p) => [p.id, p]));
  const all = [...packages.values()];
  const ofModel = (model: string) => (packages.has(model) ? [packages.get(model)!] : all); // "user": any package's
  const made: CorrectionVocabulary = {
    entityTypes: (model) => [...new Set(ofModel(model).flatMap((p) => p.entityTypes))],
    relationTypes: (model) => ofModel(model).flatMap((p) => p.relationTypes.map((type) => ({ type, arguments: p.relationArguments?.[type] }))),
  };
  vocabularies.set(session.settings, made);
  return made;
}

/**
 * Relations as diagnostics: one per relation, on its head argument, so the Problems panel lists the
 * triples of a note. Severity comes from `erlens.diagnostics.severity` (global or per relation type);
 * `off` drops a type entirely. A per-document cap keeps huge notes from flooding the editor (VS Code
 * silently stops underlining after 500 per file).
 *
 * Assertion status (`erlens.assertions.show`): a relation the view does not show gets no diagnostic;
 * with `all`, a relation that is not affirmed (negated, hypothetical, family) is a Hint with the
 * Unnecessary tag, which editors draw faded, so "no signs of anaphylaxis after amoxicillin" does not
 * read like an adverse drug event.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import { extensionRoot } from '../paths';
import type { Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isAffirmed, isShown } from '../assertion/view';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { severityFor } from './settings';
import type { ErlensSettings, SeverityName } from './settings';
import { describeAssertion, describeRelation } from '../annotations/wording';
import { entityRange } from './relationText';

export const DIAGNOSTIC_SOURCE = 'erlens';

/** Where the relation types are explained (docs/relation-types.md, shipped in the extension); one section per type. */
const RELATION_DOCS = pathToFileURL(path.join(extensionRoot, 'docs', 'relation-types.md')).href;

/** The section of a relation type, as Markdown renderers name headings ("Live_In" -> "#live_in"). */
export function relationTypeLink(type: string): string {
  return `${RELATION_DOCS}#${type.toLowerCase().replace(/[^\p{L}\p{N}_ -]/gu, '').replace(/ /g, '-')}`;
}

const SEVERITY: Record<Exclude<SeverityName, 'off'>, DiagnosticSeverity> = {
  hint: DiagnosticSeverity.Hint,
  information: DiagnosticSeverity.Information,
  warning: DiagnosticSeverity.Warning,
};

export interface DiagnosticOptions {
  settings: ErlensSettings;
  /** Whether the client renders relatedInformation (textDocument.publishDiagnostics.relatedInformation). */
  relatedInformation: boolean;
}

function argumentInfo(document: TextDocument, role: string, entity: EntityAnnotation): DiagnosticRelatedInformation {
  return {
    location: { uri: document.uri, range: entityRange(document, entity) },
    message: `${role}: ${entity.type} "${entity.text}"`,
  };
}

export function relationDiagnostic(document: TextDocument, relation: RelationAnnotation, severity: DiagnosticSeverity, withRelated: boolean): Diagnostic {
  const diagnostic: Diagnostic = {
    range: entityRange(document, relation.head),
    severity,
    source: DIAGNOSTIC_SOURCE,
    code: relation.type,
    codeDescription: { href: relationTypeLink(relation.type) },
    message: `${describeRelation(relation)} (${relation.head.type} → ${relation.tail.type}, ${describeAssertion(relation.assertion)}, score ${relation.score.toFixed(2)}, ${relation.model})`,
    data: { relation: relation.id, assertion: relation.assertion.status },
  };
  if (!isAffirmed(relation.assertion.status)) {
    diagnostic.severity = DiagnosticSeverity.Hint;
    diagnostic.tags = [DiagnosticTag.Unnecessary];
  }
  if (withRelated) {
    diagnostic.relatedInformation = [argumentInfo(document, 'head', relation.head), argumentInfo(document, 'tail', relation.tail)];
  }
  return diagnostic;
}

/** All diagnostics for a document, in document order, capped at `diagnosticsMaxPerDocument`. */
export function buildDiagnostics(document: TextDocument, annotations: DocumentAnnotations | undefined, options: DiagnosticOptions): Diagnostic[] {
  if (!annotations) return [];
  const { settings } = options;
  const textLength = document.getText().length;
  const out: Diagnostic[] = [];
  const relations = [...annotations.relations].sort((a, b) => a.head.start - b.head.start || a.tail.start - b.tail.start);
  for (const relation of relations) {
    if (out.length >= settings.diagnosticsMaxPerDocument) break;
    const level = severityFor(settings, relation.type);
    if (level === 'off' || !isShown(settings.assertionsShow, relation.assertion.status)) continue;
    if (relation.head.end > textLength || relation.tail.end > textLength) continue; // stale, never point past the text
    out.push(relationDiagnostic(document, relation, SEVERITY[level], options.relatedInformation));
  }
  return out;
}

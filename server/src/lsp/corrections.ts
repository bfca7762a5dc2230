/**
 * The erlens.correct command (a code action the user chose, codeActions.ts): the correction joins the
 * session's store, so every open document shows it at once, and in a trusted workspace it is appended
 * to the workspace folder's `.erlens/feedback.jsonl` (or `.erlens/ignored.txt`), training data for
 * `erlens-train train --feedback`. Untrusted workspaces keep corrections in memory only.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentAnnotations } from '../annotations/types';
import { relationRefOf, spanRefOf } from '../corrections/store';
import { feedbackRecord } from '../corrections/feedbackRecord';
import type { SentenceState } from '../corrections/feedbackRecord';
import { CORRECTION_KINDS } from '../corrections/types';
import { appendFeedback, appendIgnored } from '../corrections/workspaceFiles';
import type { CorrectionArguments, CorrectionResult } from './protocol';
import type { ServerSession } from './session';

/** The sentence's entities and relations, in offsets within it; undefined when the document lacks the sentence. */
function stateOf(a: DocumentAnnotations | undefined, text: string, sentence: string): SentenceState | undefined {
  const s = a?.sentences.find((x) => text.slice(x.start, x.end) === sentence);
  if (!a || !s) return undefined;
  return {
    entities: a.entities.filter((e) => e.sentence === s.index).map((e) => spanRefOf(e, s.start)),
    relations: a.relations.filter((r) => r.sentence === s.index).map((r) => relationRefOf(r, s.start)),
  };
}

/** The workspace folder a document belongs to (the deepest that holds it), else the first one. */
function folderFor(session: ServerSession, uri: string): string | undefined {
  const file = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  const holding = session.workspaceFolders.filter((f) => file && (file === f || file.startsWith(f + path.sep)));
  return holding.sort((a, b) => b.length - a.length)[0] ?? session.workspaceFolders[0];
}

function badArguments(args: unknown): string | null {
  const a = args as Partial<Record<string, unknown>> | undefined;
  if (!a || typeof a.uri !== 'string') return 'a correction needs the document uri';
  if ('ignore' in a) return typeof a.ignore === 'string' && a.ignore.trim() ? null : 'nothing to ignore';
  const c = a.correction as { kind?: string } | undefined;
  if (typeof a.sentence !== 'string' || !c || !(CORRECTION_KINDS as readonly string[]).includes(c.kind ?? '')) return 'a correction needs its sentence and a known kind';
  return null;
}

export function applyCorrection(session: ServerSession, args: CorrectionArguments): CorrectionResult {
  const problem = badArguments(args);
  if (problem) throw new Error(`erlens.correct: ${problem}`);
  const folder = session.workspaceTrusted ? folderFor(session, args.uri) : undefined;
  const written: string[] = [];
  const write = (what: () => string) => {
    if (!folder) return;
    try {
      written.push(what());
    } catch (error) {
      // The correction still holds for this session; only keeping it failed.
      session.logger.error(`corrections: cannot write in ${folder}: ${(error as Error).message}`);
    }
  };
  if ('ignore' in args) {
    if (session.corrections.ignore(args.ignore)) write(() => appendIgnored(folder!, args.ignore));
  } else {
    const document = session.documents.get(args.uri);
    const text = document?.getText() ?? '';
    const prediction = stateOf(session.scheduler.get(args.uri), text, args.sentence);
    session.corrections.add({ sentence: args.sentence, correction: args.correction });
    const corrected = stateOf(session.annotationsOf(args.uri), text, args.sentence);
    // A sentence the document no longer has (edited since the menu opened) still takes the correction,
    // but what it looks like corrected is not known here: no training line for it.
    if (prediction && corrected) write(() => appendFeedback(folder!, feedbackRecord(args.sentence, prediction, corrected, args.correction, args.uri)));
  }
  session.republishAll();
  return { applied: true, written };
}

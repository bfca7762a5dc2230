/**
 * Where a workspace keeps its corrections: `.erlens/feedback.jsonl` (one corrected sentence a line,
 * feedbackRecord.ts) and `.erlens/ignored.txt` (one text a line, like a spelling dictionary's word list).
 * Both are read back when the server starts, so corrections hold across sessions, and both are plain
 * files a team can commit and review. Only trusted workspaces are written (the caller decides).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeedbackRecord } from './feedbackRecord';
import type { CorrectionStore } from './store';
import { CORRECTION_KINDS } from './types';
import type { Correction } from './types';

export const CORRECTIONS_DIR = '.erlens';
export const FEEDBACK_FILE = 'feedback.jsonl';
export const IGNORED_FILE = 'ignored.txt';

export function feedbackPath(folder: string): string {
  return path.join(folder, CORRECTIONS_DIR, FEEDBACK_FILE);
}

export function ignoredPath(folder: string): string {
  return path.join(folder, CORRECTIONS_DIR, IGNORED_FILE);
}

function isCorrection(c: unknown): c is Correction {
  return typeof c === 'object' && c !== null && (CORRECTION_KINDS as readonly string[]).includes((c as { kind?: string }).kind ?? '');
}

/** Reads a folder's corrections into `store`; returns how many it took and the lines it could not read. */
export function loadCorrections(folder: string, store: CorrectionStore): { loaded: number; problems: string[] } {
  let loaded = 0;
  const problems: string[] = [];
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${file}: ${(error as Error).message}`);
      return '';
    }
  };
  read(feedbackPath(folder)).split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    try {
      const record = JSON.parse(line) as Partial<FeedbackRecord>;
      if (typeof record.text !== 'string' || !isCorrection(record.correction)) throw new Error('no text or correction');
      store.add({ sentence: record.text, correction: record.correction });
      loaded++;
    } catch (error) {
      problems.push(`${feedbackPath(folder)}:${n + 1}: ${(error as Error).message}`);
    }
  });
  for (const line of read(ignoredPath(folder)).split('\n')) {
    if (line.trim() && !line.startsWith('#') && store.ignore(line)) loaded++;
  }
  return { loaded, problems };
}

function append(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, line.endsWith('\n') ? line : line + '\n', 'utf8');
}

export function appendFeedback(folder: string, record: FeedbackRecord): string {
  const file = feedbackPath(folder);
  append(file, JSON.stringify(record));
  return file;
}

export function appendIgnored(folder: string, text: string): string {
  const file = ignoredPath(folder);
  append(file, text.replace(/\s+/g, ' ').trim());
  return file;
}

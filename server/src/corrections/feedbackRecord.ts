/**
 * One line of `.erlens/feedback.jsonl`: a corrected sentence in the shared data format (tokens by the
 * server's word tokenizer, entities as token spans, relations as entity indices; what
 * `erlens-train train --feedback` reads), with its text, what the model predicted, what the user changed
 * and the sentence as it stands after every correction so far (`entities`/`relations`).
 */
import { tokenizeWords } from '../text/wordTokenizer';
import type { Correction, RelationRef, SpanRef } from './types';

export interface SentenceState {
  entities: SpanRef[];
  relations: RelationRef[];
}

interface DataEntity {
  type: string;
  start: number; // token index
  end: number; // exclusive
}

interface DataRelation {
  type: string;
  head: number; // index into entities
  tail: number;
}

export interface FeedbackRecord {
  id: string;
  text: string;
  tokens: string[];
  entities: DataEntity[];
  relations: DataRelation[];
  prediction: SentenceState;
  correction: Correction;
  /** The document the correction was made in, and when. */
  document?: string;
  time: string;
}

/** Token spans of character spans; a span whose edges are not token edges cannot be training data. */
function toTokens(text: string, state: SentenceState): { entities: DataEntity[]; relations: DataRelation[]; tokens: string[] } {
  const tokens = tokenizeWords(text);
  const startAt = new Map(tokens.map((t, i) => [t.start, i]));
  const endAt = new Map(tokens.map((t, i) => [t.end, i + 1]));
  const entities: DataEntity[] = [];
  const indexOf = new Map<string, number>();
  const key = (e: SpanRef) => `${e.start}:${e.end}:${e.type}`;
  for (const e of state.entities) {
    const start = startAt.get(e.start);
    const end = endAt.get(e.end);
    if (start === undefined || end === undefined || end <= start || indexOf.has(key(e))) continue;
    indexOf.set(key(e), entities.length);
    entities.push({ type: e.type, start, end });
  }
  const relations: DataRelation[] = [];
  for (const r of state.relations) {
    const head = indexOf.get(key(r.head));
    const tail = indexOf.get(key(r.tail));
    if (head !== undefined && tail !== undefined) relations.push({ type: r.type, head, tail });
  }
  return { entities, relations, tokens: tokens.map((t) => t.text) };
}

/** A stable id for the sentence, so later lines for the same sentence supersede earlier ones. */
function sentenceId(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return `feedback-${h.toString(16).padStart(8, '0')}`;
}

export function feedbackRecord(text: string, prediction: SentenceState, corrected: SentenceState, correction: Correction, document?: string, time = new Date()): FeedbackRecord {
  const data = toTokens(text, corrected);
  return { id: sentenceId(text), text, ...data, prediction, correction, ...(document ? { document } : {}), time: time.toISOString() };
}

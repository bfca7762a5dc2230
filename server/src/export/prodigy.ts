/**
 * Prodigy tasks (https://prodi.gy/docs/api-interfaces#relations): JSONL, one task per sentence that has
 * an entity, with `text`, `tokens` (`text`, `start`, `end`, `id`, `ws`), `spans` (`start`, `end`,
 * `token_start`, `token_end` inclusive, `label`) and `relations` (`head`/`child`: the token index of each
 * argument span's last token, `head_span`/`child_span`, `label`), plus `meta` saying where the sentence
 * is. Offsets count code points within the sentence, as Python does; tokens are the server's own words.
 */
import type { EntityAnnotation } from '../annotations/types';
import { tokenizeWords } from '../text/wordTokenizer';
import { CodePointIndex } from './codePoints';
import type { ExportDocument } from './exportDocument';

export interface ProdigyToken {
  text: string;
  start: number;
  end: number;
  id: number;
  ws: boolean;
}
export interface ProdigySpan {
  start: number;
  end: number;
  token_start: number;
  token_end: number;
  label: string;
}
export interface ProdigyRelation {
  head: number;
  child: number;
  head_span: ProdigySpan;
  child_span: ProdigySpan;
  label: string;
}
export interface ProdigyTask {
  text: string;
  tokens: ProdigyToken[];
  spans: ProdigySpan[];
  relations: ProdigyRelation[];
  meta: { uri: string; sentence: number; start: number; models: string };
}

function sentenceTasks({ annotations: a, text }: ExportDocument): ProdigyTask[] {
  const out: ProdigyTask[] = [];
  const bySentence = new Map<number, EntityAnnotation[]>();
  for (const e of a.entities) bySentence.set(e.sentence, [...(bySentence.get(e.sentence) ?? []), e]);
  for (const s of a.sentences) {
    const entities = bySentence.get(s.index);
    if (!entities) continue;
    const sentence = text.slice(s.start, s.end);
    const cp = new CodePointIndex(sentence);
    const words = tokenizeWords(sentence);
    const tokens = words.map((w, id) => ({ text: w.text, start: cp.toCodePoint(w.start), end: cp.toCodePoint(w.end), id, ws: /^\s/.test(sentence.slice(w.end, w.end + 1)) }));
    const startAt = new Map(words.map((w, i) => [w.start, i]));
    const endAt = new Map(words.map((w, i) => [w.end, i]));
    const spanOf = new Map<EntityAnnotation, ProdigySpan>();
    for (const e of entities) {
      const first = startAt.get(e.start - s.start);
      const last = endAt.get(e.end - s.start);
      if (first === undefined || last === undefined) continue; // not on word edges: Prodigy could not show it
      spanOf.set(e, { start: cp.toCodePoint(e.start - s.start), end: cp.toCodePoint(e.end - s.start), token_start: first, token_end: last, label: e.type });
    }
    const relations: ProdigyRelation[] = [];
    for (const r of a.relations) {
      const head = spanOf.get(r.head);
      const child = spanOf.get(r.tail);
      if (r.sentence === s.index && head && child) relations.push({ head: head.token_end, child: child.token_end, head_span: head, child_span: child, label: r.type });
    }
    out.push({ text: sentence, tokens, spans: [...spanOf.values()], relations, meta: { uri: a.uri, sentence: s.index, start: s.start, models: a.stats.models.join('+') } });
  }
  return out;
}

export function toProdigy(docs: readonly ExportDocument[]): string {
  return docs.flatMap(sentenceTasks).map((t) => JSON.stringify(t) + '\n').join('');
}

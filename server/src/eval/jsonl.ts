/**
 * The shared JSONL format (../shared/data/README.md): one sentence per line,
 * {"id", "tokens", "entities": [{"type","start","end"}], "relations": [{"type","head","tail"}], ...extra}.
 * Token spans are [start, end) word offsets; relation head/tail index the line's entity list.
 * Twin of erlens_train/data.py; extra fields (orig_id, ...) are kept through predict.
 */
import * as fs from 'node:fs';

export interface GoldEntity {
  type: string;
  start: number;
  end: number;
  score?: number;
}
export interface GoldRelation {
  type: string;
  head: number;
  tail: number;
  score?: number;
}
export interface JsonlSentence {
  id: string;
  tokens: string[];
  entities: GoldEntity[];
  relations: GoldRelation[];
  [extra: string]: unknown;
}

/** A data file that cannot be used as it is; the message names the file and line. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export function parseSentence(obj: unknown, where: string): JsonlSentence {
  const o = obj as Record<string, unknown>;
  if (!o || typeof o !== 'object' || !Array.isArray(o.tokens)) throw new DataError(`${where}: expected an object with a 'tokens' list`);
  const tokens = o.tokens as unknown[];
  if (!tokens.every((t) => typeof t === 'string' && t !== '')) throw new DataError(`${where}: every token must be a non-empty string`);
  const entities = ((o.entities as unknown[]) ?? []).map((e, i) => {
    const { start, end, type } = (e ?? {}) as GoldEntity;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= tokens.length && typeof type === 'string')) {
      throw new DataError(`${where}: entity ${i} has a bad span or type: ${JSON.stringify(e)}`);
    }
    return e as GoldEntity;
  });
  const relations = ((o.relations as unknown[]) ?? []).map((r, i) => {
    const { head, tail, type } = (r ?? {}) as GoldRelation;
    if (!(Number.isInteger(head) && Number.isInteger(tail) && head >= 0 && tail >= 0 && head < entities.length && tail < entities.length && typeof type === 'string')) {
      throw new DataError(`${where}: relation ${i} points outside the entity list: ${JSON.stringify(r)}`);
    }
    return r as GoldRelation;
  });
  return { ...o, id: String(o.id ?? where), tokens: tokens as string[], entities, relations };
}

export function parseJsonl(text: string, file = '<input>'): JsonlSentence[] {
  const out: JsonlSentence[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    if (!line.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw new DataError(`${file}:${n + 1}: not valid JSON (${(err as Error).message})`);
    }
    out.push(parseSentence(obj, `${file}:${n + 1}`));
  });
  return out;
}

export function readJsonl(file: string): JsonlSentence[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DataError(`data file not found: ${file}`);
  }
  const out = parseJsonl(text, file);
  if (out.length === 0) throw new DataError(`${file} holds no sentences`);
  return out;
}

export function formatJsonl(sentences: readonly JsonlSentence[]): string {
  return sentences.map((s) => JSON.stringify(s)).join('\n') + (sentences.length ? '\n' : '');
}

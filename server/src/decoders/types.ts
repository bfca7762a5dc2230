/**
 * What decoders produce (decoders/): one model's word-level entities and relations on one sentence,
 * indices into that sentence's words. The cache stores them; pipeline/merge.ts maps them to document
 * offsets (annotations/types.ts). Ground floor: imports nothing.
 */

export interface WordEntity {
  start: number; // first word (inclusive)
  end: number; // last word + 1 (exclusive)
  type: string;
  score: number;
}
export interface WordRelation {
  head: number; // index into the entities of the same result
  tail: number;
  type: string;
  score: number;
}
export interface SentenceResult {
  entities: WordEntity[];
  relations: WordRelation[];
}

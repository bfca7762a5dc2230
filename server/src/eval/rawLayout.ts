/**
 * JSONL gold sentences -> one plain-text document a user could have typed, with the gold moved to
 * character offsets in it.
 *
 * `lines`: one sentence per line. `paragraphs`: five sentences per paragraph, joined by one space,
 * paragraphs separated by a blank line (so the editor's sentence splitter, not the line breaks, has to
 * find every boundary inside a paragraph). A sentence that does not end in sentence-final punctuation
 * (CoNLL04's datelines "DAYTON, Ohio (AP)", source lines "... 1700 GMT 7 Apr 94", pieces cut at a
 * semicolon) ends its line instead: prose never runs such a unit into the next sentence with a space,
 * and written so, no reader could tell where it ends either. A sentence's text is its `text` field when the line has one
 * and its tokens can be found in it in order (ade_neg keeps the original sentence); otherwise the
 * detokenised tokens (detokenize.ts).
 */
import type { CharEntity, CharRelation, GoldDocument, GoldUnit } from './charGold';
import { detokenize } from './detokenize';
import type { JsonlSentence } from './jsonl';

export const LAYOUTS = ['tokens', 'lines', 'paragraphs'] as const;
export type Layout = (typeof LAYOUTS)[number];
export type RawLayout = Exclude<Layout, 'tokens'>;

export function isLayout(x: string): x is Layout {
  return (LAYOUTS as readonly string[]).includes(x);
}

export const SENTENCES_PER_PARAGRAPH = 5;

// . ! ? … (runs of them too), then any closing quotes or brackets: "... he said.'' " "(see above.)"
const ENDS_A_SENTENCE = /[.!?…]+["'”’»)\]]*$/u;

/** What goes between sentence `i - 1` (its text `previous`) and sentence `i` of a layout. */
function separator(layout: RawLayout, i: number, previous: string): string {
  if (layout === 'lines') return '\n';
  if (i % SENTENCES_PER_PARAGRAPH === 0) return '\n\n';
  return ENDS_A_SENTENCE.test(previous.trimEnd()) ? ' ' : '\n';
}

export interface SentenceText {
  text: string;
  spans: Array<[number, number]>;
  /** 'text': the line's own text field; 'detokenized': rebuilt from tokens. */
  source: 'text' | 'detokenized';
}

/**
 * Token spans found by walking `text` left to right; null when a token is not where it should be
 * (only whitespace may lie between tokens, so a normalised token such as `` for " cannot latch onto a
 * later occurrence).
 */
export function locateTokens(text: string, tokens: readonly string[]): Array<[number, number]> | null {
  const spans: Array<[number, number]> = [];
  let cursor = 0;
  for (const tok of tokens) {
    const at = text.indexOf(tok, cursor);
    if (at < 0 || text.slice(cursor, at).trim() !== '') return null;
    spans.push([at, at + tok.length]);
    cursor = at + tok.length;
  }
  return spans;
}

export function sentenceText(s: JsonlSentence): SentenceText {
  if (typeof s.text === 'string' && s.text.trim()) {
    // Line breaks would split the sentence over lines of the document; spaces keep every offset.
    const text = s.text.replace(/[\r\n]/g, ' ');
    const spans = locateTokens(text, s.tokens);
    if (spans) return { text, spans, source: 'text' };
  }
  return { ...detokenize(s.tokens), source: 'detokenized' };
}

export interface LaidOut {
  document: GoldDocument;
  /** How many sentences came from their `text` field, and how many had one that did not fit their tokens. */
  fromTextField: number;
  textFieldMismatches: string[];
}

/** The sentences of a JSONL file as one plain-text document in `layout`. */
export function layOut(sentences: readonly JsonlSentence[], layout: RawLayout, name: string, source: string): LaidOut {
  let text = '';
  const units: GoldUnit[] = [];
  const entities: CharEntity[] = [];
  const relations: CharRelation[] = [];
  let fromTextField = 0;
  const textFieldMismatches: string[] = [];
  let previous = '';
  sentences.forEach((s, i) => {
    if (i > 0) text += separator(layout, i, previous);
    const st = sentenceText(s);
    previous = st.text;
    if (st.source === 'text') fromTextField++;
    else if (typeof s.text === 'string' && s.text.trim()) textFieldMismatches.push(s.id);
    const offset = text.length;
    text += st.text;
    units.push({ id: s.id, start: offset, end: text.length });
    const first = entities.length;
    for (const e of s.entities) entities.push({ start: offset + st.spans[e.start][0], end: offset + st.spans[e.end - 1][1], type: e.type });
    for (const r of s.relations) relations.push({ head: first + r.head, tail: first + r.tail, type: r.type });
  });
  if (sentences.length) text += '\n';
  return { document: { name, source, text, language: 'plaintext', units, entities, relations }, fromTextField, textFieldMismatches };
}

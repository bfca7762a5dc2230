/**
 * What segmentation produces (text/): sentences of prose with their words, mapped back to the
 * document. Offsets are UTF-16 code units into the document text (what LSP and JavaScript count).
 * These types sit on the ground floor: every later stage reads them, and they import nothing.
 */

/** A word of a sentence, with its place in the document. */
export interface WordToken {
  text: string;
  start: number; // UTF-16 offset into the document
  end: number;
}

/** A sentence as segmentation found it: prose only, mapped back to the document. */
export interface SentenceSpan {
  index: number; // position among the document's sentences
  text: string; // the sentence's text as the model sees it (normalised whitespace is NOT applied)
  start: number; // document offset of the first character
  end: number; // document offset after the last character
  tokens: WordToken[];
  /** 'heading': a Markdown heading or a section label of a note ("HISTORY OF PRESENT ILLNESS:"); else 'sentence'. */
  kind: 'sentence' | 'heading';
}

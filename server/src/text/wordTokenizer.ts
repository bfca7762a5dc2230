/**
 * Raw text -> word tokens, close to the benchmarks' own (PTB/spaCy-like) tokenisation.
 *
 * A port of training/erlens_train/wordtok.py (the Python twin that tokenises the corpus the word
 * vectors are trained on); both are checked against spec/fixtures/word-tokenizer.json.
 * Offsets are UTF-16 code units, as JavaScript and LSP count.
 *
 * Two deliberate differences from Python's `re`:
 *  - combining marks (\p{M}) count as word characters, so "cafe\u0301" (decomposed) stays one word;
 *    Python's `\w` would split the mark off.
 *  - tokens made only of control/format characters (zero-width space, BOM, a stray NUL) are dropped:
 *    they are invisible in the editor and carry nothing for a model.
 */

/** Abbreviations that keep their final period (news and clinical text); same list as wordtok.py. */
export const ABBREVIATIONS: readonly string[] = (
  'Mr Mrs Ms Dr Prof Sen Rep Gov Gen Col Lt Sgt Capt Maj Cmdr Adm Rev St Jr Sr Inc Corp Co Ltd ' +
  'Bros Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Fri Sat Sun ' +
  'Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb ' +
  'Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo Mt Ft Ave Blvd Dept Univ No vs etc al approx ' +
  'mg ml kg mcg Fig Figs Eq Eqs cf'
).split(' ');

const KEPT_ABBREVIATIONS = new Set(ABBREVIATIONS.map((a) => a + '.'));

/** "Minn.", "Corp.", "mg.": an abbreviation of the list, kept with its period. */
export function isKeptAbbreviation(token: string): boolean {
  return KEPT_ABBREVIATIONS.has(token);
}

export interface RawToken {
  text: string;
  start: number; // UTF-16 offset into the tokenised string
  end: number;
}

// Python's [^\W_] (a letter or digit) plus combining marks.
const WORD = String.raw`[\p{L}\p{N}\p{M}]`;
// Python's \w, for the "not followed by a word character" look-aheads.
const W = String.raw`[\p{L}\p{N}\p{M}_]`;
const CLITIC = `(?:s|t|re|ve|ll|d|m)(?!${W})`;

const TOKEN_SOURCE = [
  String.raw`https?:\/\/[^\s<>"]+`, // URLs stay whole
  String.raw`(?:[A-Za-z]\.){2,}(?:[A-Za-z](?!${W}))?`, // U.S. e.g. i.e. N.Y.
  // Dr. Calif. Feb. — except at the very end of the text, where the period also ends the sentence
  // and the benchmarks split it off ("Plymouth , Vt" "."): there the period is a token of its own.
  String.raw`(?:${ABBREVIATIONS.join('|')})\.(?!${W})(?!\s*$)`,
  String.raw`[A-Z]\.(?=\s+[A-Z])`, // initials: John F. Kennedy
  String.raw`\p{Nd}+(?:[.,:\/]\p{Nd}+)+`, // 2.5 1,000 10:30 1/2
  String.raw`n't(?!${W})|'${CLITIC}`, // clitics split PTB-style
  String.raw`${WORD}+(?=n't(?!${W}))`, // do|n't
  // words and O'Neil (an apostrophe joins unless a clitic follows). A hyphen is always a token of its
  // own ("methotrexate-induced" -> methotrexate - induced): ADE, DDI and spaCy split there, and an
  // entity often ends at the hyphen, which a joined compound could not represent.
  String.raw`${WORD}+(?:['’](?!${CLITIC})${WORD}+)*`,
  String.raw`--+|\.\.\.+|` + '``' + String.raw`|''`, // dashes, ellipses, TeX quotes
  String.raw`\S`, // anything else: one character (one code point)
].join('|');

const TOKEN_RE = new RegExp(TOKEN_SOURCE, 'gu');
const INVISIBLE_ONLY = /^[\p{Cc}\p{Cf}]+$/u;

/** Tokens of `text` in order; every token is `text.slice(start, end)` and never holds whitespace. */
export function tokenizeWords(text: string, offset = 0): RawToken[] {
  const out: RawToken[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const word = m[0];
    if (INVISIBLE_ONLY.test(word)) continue;
    const start = m.index! + offset;
    out.push({ text: word, start, end: start + word.length });
  }
  return out;
}

/** Just the word strings (what `erlens_train.wordtok.words` returns). */
export function words(text: string): string[] {
  return tokenizeWords(text).map((t) => t.text);
}

/**
 * A package's gazetteer (spec/featurizer.md, "gazetteer"; erlens_train/gazetteer.py is the twin): which
 * words of a sentence a name list covers, as one id per word for the graph's `gazetteer_ids` input.
 * The clinical package's list is a drug dictionary; the model learned how far to trust it.
 */

export const GAZETTEER_OUTSIDE = 1;
export const GAZETTEER_BEGIN = 2;
export const GAZETTEER_INSIDE = 3;

/** Words are compared in NFC lower case (String.prototype.toLowerCase agrees with Python's str.lower). */
function fold(word: string): string {
  return word.normalize('NFC').toLowerCase();
}

/** Entries are kept as their folded words joined by U+0000, which no word contains. */
const JOIN = '\u0000';

export class Gazetteer {
  private readonly entries = new Set<string>();
  readonly maxWords: number;

  constructor(entries: Iterable<readonly string[]>) {
    let longest = 0;
    for (const words of entries) {
      if (!words.length) continue;
      this.entries.add(words.map(fold).join(JOIN));
      longest = Math.max(longest, words.length);
    }
    this.maxWords = longest;
  }

  /** gazetteer.txt: one entry a line, its words separated by one space. */
  static fromText(text: string): Gazetteer {
    return new Gazetteer(text.split('\n').filter((line) => line.length > 0).map((line) => line.replace(/\r$/, '').split(' ')));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Left to right, the longest entry that starts at a word wins: 2 for its first word, 3 for the rest; 1 elsewhere. */
  tags(words: readonly string[]): number[] {
    const folded = words.map(fold);
    const out: number[] = [];
    let i = 0;
    while (i < folded.length) {
      let matched = 0;
      for (let length = Math.min(this.maxWords, folded.length - i); length > 0; length--) {
        if (this.entries.has(folded.slice(i, i + length).join(JOIN))) {
          matched = length;
          break;
        }
      }
      if (matched) {
        out.push(GAZETTEER_BEGIN);
        for (let k = 1; k < matched; k++) out.push(GAZETTEER_INSIDE);
        i += matched;
      } else {
        out.push(GAZETTEER_OUTSIDE);
        i += 1;
      }
    }
    return out;
  }
}

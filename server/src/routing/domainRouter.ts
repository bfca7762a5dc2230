/**
 * Which kind of text is this document? A clinical model shown a news story, or a news model shown a
 * clinical note, does not stay silent: it tags "History" as a place and a person as an adverse effect.
 * Each package names the domain it was trained for (model.json `domain`); the annotator runs a package
 * on a document only when the document's domain is among those decided here.
 *
 * The decision is multinomial naive Bayes over the document's lower-cased words (the table in
 * models/domains.json, trained by `erlens-train router`, training/erlens_train/router.py, whose
 * `classify` is the Python twin of `scores` below). Per known word, the best domain must lead the
 * runner-up by MIXED_MARGIN nats on average to be decided alone; closer documents (a discharge note
 * naming people and hospitals) are "mixed" and get the models of both; documents with fewer than
 * MIN_KNOWN_WORDS known words (a note just started) are undecided and get every model.
 *
 * Words alone leave a short note mixed when it names places and brands ("she lived in Seattle ...
 * tried Claritin"), and then the news model calls Claritin a person. The note's layout says what the
 * words cannot: section headings of a clinical note (Subjective, Medications, Allergies, Assessment,
 * Plan; text/labels.ts decides which headings are section titles). MIN_CLINICAL_SECTIONS distinct
 * ones make a mixed or undecided document clinical; words that decide another domain alone still win.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the shipped router table lives, beside the model packages. */
export function defaultRouterFile(extensionRoot: string): string {
  return path.join(extensionRoot, 'models', 'domains.json');
}

/** Fewer known words than this: too little text to tell, every model runs. */
export const MIN_KNOWN_WORDS = 20;
/** Mean per-word log-likelihood lead (nats) the top domain needs to be decided alone. */
export const MIXED_MARGIN = 0.15;
/** Distinct clinical section headings that make a mixed or undecided document clinical. */
export const MIN_CLINICAL_SECTIONS = 3;
/** The router class that section headings vote for. */
export const CLINICAL_DOMAIN = 'clinical';

export interface DomainDecision {
  /** Domains whose models should run; empty = undecided (every model runs). */
  domains: string[];
  /** Summed log-likelihood per domain (centred), for hovers and reports. */
  scores: Record<string, number>;
  knownWords: number;
  /** Mean lead of the top domain over the runner-up, per known word. */
  margin: number;
  /** One line for logs and the status item. */
  reason: string;
}

interface RouterTable {
  classes: string[];
  words: Record<string, number[]>;
}

const HAS_LETTER = /\p{L}/u;

export class DomainRouter {
  private constructor(
    readonly classes: readonly string[],
    private readonly table: ReadonlyMap<string, readonly number[]>,
  ) {}

  /** Read models/domains.json (or another router file). Throws with a message naming the file. */
  static load(file: string): DomainRouter {
    let raw: RouterTable;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RouterTable;
    } catch (err) {
      throw new Error(`domain router ${file} cannot be read: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!Array.isArray(raw?.classes) || raw.classes.length < 2 || typeof raw.words !== 'object') {
      throw new Error(`domain router ${file} has no 'classes' list or 'words' table`);
    }
    const table = new Map<string, readonly number[]>();
    for (const [w, row] of Object.entries(raw.words)) {
      if (Array.isArray(row) && row.length === raw.classes.length) table.set(w, row);
    }
    return new DomainRouter(raw.classes, table);
  }

  /** Summed per-domain scores over the words (tokens of the document's prose). */
  scores(words: Iterable<string>): { scores: number[]; known: number } {
    const scores = new Array<number>(this.classes.length).fill(0);
    let known = 0;
    for (const w of words) {
      if (!HAS_LETTER.test(w)) continue;
      const row = this.table.get(w.toLowerCase());
      if (!row) continue;
      known++;
      for (let k = 0; k < row.length; k++) scores[k] += row[k];
    }
    return { scores, known };
  }

  decide(words: Iterable<string>): DomainDecision {
    const { scores, known } = this.scores(words);
    return this.decideTotals(scores, known);
  }

  /**
   * The decision from summed scores (a document's, added up sentence by sentence as it is edited) and
   * the distinct clinical section titles among its headings.
   */
  decideTotals(scores: readonly number[], known: number, sectionTitles: readonly string[] = []): DomainDecision {
    const named = Object.fromEntries(this.classes.map((c, k) => [c, Math.round(scores[k] * 100) / 100]));
    const order = scores.map((s, k) => k).sort((a, b) => scores[b] - scores[a]);
    const margin = known ? (scores[order[0]] - scores[order[1]]) / known : 0;
    const top = this.classes[order[0]];
    const second = this.classes[order[1]];
    const decided = (domains: string[], reason: string): DomainDecision => ({ domains, scores: named, knownWords: known, margin, reason });
    const byWords =
      known < MIN_KNOWN_WORDS
        ? decided([], `undecided (${known} known words, fewer than ${MIN_KNOWN_WORDS}): every model runs`)
        : margin < MIXED_MARGIN
          ? decided([top, second], `mixed ${top}/${second} (lead ${margin.toFixed(3)} per word)`)
          : decided([top], `${top} (lead ${margin.toFixed(3)} per word over ${second})`);
    const open = byWords.domains.length === 0 || (byWords.domains.length > 1 && byWords.domains.includes(CLINICAL_DOMAIN));
    if (open && sectionTitles.length >= MIN_CLINICAL_SECTIONS && this.classes.includes(CLINICAL_DOMAIN)) {
      const listed = sectionTitles.slice(0, 3).join(', ') + (sectionTitles.length > 3 ? ', …' : '');
      return decided([CLINICAL_DOMAIN], `${CLINICAL_DOMAIN} (${sectionTitles.length} clinical section headings: ${listed}; words alone: ${byWords.reason})`);
    }
    return byWords;
  }
}

/** Does a package trained for `domain` fit a document with this decision? (No domain: it fits all.) */
export function fits(domain: string | undefined, decision: DomainDecision | undefined): boolean {
  return !domain || !decision || decision.domains.length === 0 || decision.domains.includes(domain);
}

/**
 * The ConText lexicon (lexicon.json) compiled into a token trie.
 *
 * Phrases are tokenized by the server's own word tokenizer, so a phrase and a sentence split words the
 * same way ("doesn't" is "does n't" on both sides). One phrase may play several roles ("takes" ends a
 * negation's scope and says a drug is current), but never two statuses, and a pseudo-trigger is
 * never also a trigger: the file is checked when it is compiled, so a bad edit fails the unit tests,
 * not a user's note.
 */
import type { AssertionStatus } from '../annotations/types';
import { ASSERTION_STATUSES } from '../annotations/types';
import { tokenizeWords } from '../text/wordTokenizer';
import lexiconFile from './lexicon.json';

export type TriggerStatus = Exclude<AssertionStatus, 'present'>;
export const TRIGGER_STATUSES: readonly TriggerStatus[] = ASSERTION_STATUSES.filter((s): s is TriggerStatus => s !== 'present');

export interface TriggerRole {
  status: TriggerStatus;
  forward: boolean;
  backward: boolean;
  window: { forward: number; backward: number };
  /** Applies to the link of a relation only ("unrelated to"): the arguments keep their own status. */
  linksOnly: boolean;
}

/** What a matched phrase does; a phrase may combine roles (see the file comment). */
export interface PhraseRoles {
  phrase: string;
  trigger?: TriggerRole;
  pseudo?: boolean;
  /** Statuses whose scope this phrase ends. */
  ends?: ReadonlySet<TriggerStatus>;
  /** Ends negated/possible scopes over entities, not over a relation's link. */
  causal?: boolean;
  /** Says a medication is taken now: cancels a section's temporal default. */
  current?: boolean;
}

export interface SectionRule {
  name: string;
  status: TriggerStatus;
  medicationsOnly: boolean;
  /** Word sequences that must appear in order in the heading. */
  headings: string[][];
  /** Whole headings (as words) that match exactly. */
  exact: string[];
}

export interface CompiledLexicon {
  root: TrieNode;
  /** Longest phrase in tokens: a match never looks further ahead. */
  maxPhraseTokens: number;
  precedence: readonly TriggerStatus[];
  /** The file's default scope window (tokens), also the reach of 'current' cues. */
  window: { forward: number; backward: number };
  sections: readonly SectionRule[];
  medicationTypes: ReadonlySet<string>;
  phraseCount: number;
}

export interface TrieNode {
  next: Map<string, TrieNode>;
  roles?: PhraseRoles;
}

type Direction = 'forward' | 'backward' | 'bidirectional';

interface LexiconJson {
  window: { forward: number; backward: number };
  precedence: string[];
  triggers: Array<{ status: string; direction: Direction; source: string; phrases: string[]; window?: { forward?: number; backward?: number }; linksOnly?: boolean }>;
  pseudo: Array<{ source: string; phrases: string[] }>;
  terminations: Array<{ ends: 'all' | string[]; source: string; phrases: string[] }>;
  causal: { phrases: string[] };
  current: { phrases: string[] };
  medicationTypes: string[];
  sections: Array<{ name: string; status: string; appliesTo: 'all' | 'medications'; headings: string[]; exact: string[] }>;
  sources: Record<string, string>;
}

export class LexiconError extends Error {}

/**
 * The tokens both sides are compared in: curly apostrophes made straight before tokenizing (the
 * tokenizer splits "doesn't" but not "doesn’t"; one code unit for one, so offsets stay), then each
 * token lower-cased on its own (lower-casing the whole text could change its length: "İ" is two units
 * in lower case).
 */
export function matchTokens(text: string): Array<{ text: string; start: number; end: number }> {
  return tokenizeWords(text.replace(/[\u2019\u2018\u02bc]/g, "'")).map((t) => ({ text: t.text.toLowerCase(), start: t.start, end: t.end }));
}

export function phraseTokens(phrase: string): string[] {
  return matchTokens(phrase).map((t) => t.text);
}

function lower(text: string): string {
  return text.replace(/[\u2019\u2018\u02bc]/g, "'").toLowerCase();
}

/** "(was |were |)ruled out" -> ["was ruled out", "were ruled out", "ruled out"]. Groups do not nest. */
export function expandPattern(pattern: string): string[] {
  return expandRaw(pattern).map((p) => p.replace(/\s+/g, ' ').trim());
}

function expandRaw(pattern: string): string[] {
  const open = pattern.indexOf('(');
  if (open < 0) {
    if (pattern.includes(')') || pattern.includes('|')) throw new LexiconError(`unbalanced pattern: ${pattern}`);
    return [pattern];
  }
  const close = pattern.indexOf(')', open);
  if (close < 0 || pattern.slice(open + 1, close).includes('(')) throw new LexiconError(`unbalanced pattern: ${pattern}`);
  const head = pattern.slice(0, open);
  const tails = expandRaw(pattern.slice(close + 1));
  const out: string[] = [];
  for (const alt of pattern.slice(open + 1, close).split('|')) for (const tail of tails) out.push(`${head}${alt}${tail}`);
  return out;
}

function isTriggerStatus(s: string): s is TriggerStatus {
  return (TRIGGER_STATUSES as readonly string[]).includes(s);
}

function headingWords(text: string): string[] {
  return lower(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export function compileLexicon(file: unknown = lexiconFile): CompiledLexicon {
  const json = file as LexiconJson;
  const root: TrieNode = { next: new Map() };
  let maxPhraseTokens = 1;
  let phraseCount = 0;

  const add = (pattern: string, where: string, apply: (roles: PhraseRoles) => void) => {
    for (const phrase of expandPattern(pattern)) {
      const tokens = phraseTokens(phrase);
      if (tokens.length === 0) throw new LexiconError(`${where}: empty phrase in '${pattern}'`);
      let node = root;
      for (const t of tokens) {
        let child = node.next.get(t);
        if (!child) node.next.set(t, (child = { next: new Map() }));
        node = child;
      }
      if (!node.roles) {
        node.roles = { phrase: tokens.join(' ') };
        phraseCount++;
      }
      apply(node.roles);
      if (node.roles.pseudo && node.roles.trigger) throw new LexiconError(`${where}: '${phrase}' is both a pseudo-trigger and a trigger`);
      maxPhraseTokens = Math.max(maxPhraseTokens, tokens.length);
    }
  };

  const window = json.window;
  for (const group of json.triggers) {
    if (!isTriggerStatus(group.status)) throw new LexiconError(`unknown trigger status '${group.status}'`);
    if (!['forward', 'backward', 'bidirectional'].includes(group.direction)) throw new LexiconError(`unknown direction '${group.direction}'`);
    if (!(group.source in json.sources)) throw new LexiconError(`trigger group of ${group.status} names an unknown source '${group.source}'`);
    const role: TriggerRole = {
      status: group.status,
      forward: group.direction !== 'backward',
      backward: group.direction !== 'forward',
      window: { forward: group.window?.forward ?? window.forward, backward: group.window?.backward ?? window.backward },
      linksOnly: group.linksOnly === true,
    };
    for (const p of group.phrases) {
      add(p, `trigger ${group.status}`, (r) => {
        if (r.trigger && r.trigger !== role) {
          throw new LexiconError(`'${r.phrase}' is listed twice as a trigger, with another status or direction (${r.trigger.status}, ${role.status}): list it once`);
        }
        r.trigger = role;
      });
    }
  }
  for (const group of json.pseudo) for (const p of group.phrases) add(p, 'pseudo', (r) => (r.pseudo = true));
  for (const group of json.terminations) {
    const ends = group.ends === 'all' ? [...TRIGGER_STATUSES] : group.ends;
    for (const s of ends) if (!isTriggerStatus(s)) throw new LexiconError(`termination ends an unknown status '${s}'`);
    for (const p of group.phrases) add(p, 'termination', (r) => (r.ends = new Set([...(r.ends ?? []), ...(ends as TriggerStatus[])])));
  }
  for (const p of json.causal.phrases) add(p, 'causal', (r) => (r.causal = true));
  for (const p of json.current.phrases) add(p, 'current', (r) => (r.current = true));

  const precedence = json.precedence;
  if (precedence.length !== TRIGGER_STATUSES.length || !TRIGGER_STATUSES.every((s) => precedence.includes(s))) {
    throw new LexiconError(`precedence must list each of ${TRIGGER_STATUSES.join(', ')} once`);
  }
  const sections = json.sections.map((s): SectionRule => {
    if (!isTriggerStatus(s.status)) throw new LexiconError(`section ${s.name}: unknown status '${s.status}'`);
    return {
      name: s.name,
      status: s.status,
      medicationsOnly: s.appliesTo === 'medications',
      headings: s.headings.map(headingWords),
      exact: s.exact.map((e) => headingWords(e).join(' ')),
    };
  });
  return { root, maxPhraseTokens, precedence: precedence as TriggerStatus[], window, sections, medicationTypes: new Set(json.medicationTypes), phraseCount };
}

let shipped: CompiledLexicon | undefined;

/** The lexicon shipped with the server, compiled once. */
export function defaultLexicon(): CompiledLexicon {
  shipped ??= compileLexicon();
  return shipped;
}

/** The section rule a heading opens ("## Past Medical History" -> historical), or undefined. */
export function sectionOf(lexicon: CompiledLexicon, heading: string): SectionRule | undefined {
  const words = headingWords(heading);
  if (words.length === 0) return undefined;
  const whole = words.join(' ');
  for (const rule of lexicon.sections) {
    if (rule.exact.includes(whole)) return rule;
    if (rule.headings.some((h) => inOrder(h, words))) return rule;
  }
  return undefined;
}

/** Whether `needle` appears in `words` in order (not necessarily adjacent: "past medical/surgical history"). */
function inOrder(needle: readonly string[], words: readonly string[]): boolean {
  let k = 0;
  for (const w of words) if (w === needle[k] && ++k === needle.length) return true;
  return false;
}

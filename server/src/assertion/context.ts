/**
 * ConText (Harkema et al. 2009) on one sentence: which trigger terms govern each target.
 *
 * 1. Phrases of the lexicon are found in the sentence's tokens; where matches overlap the longest
 *    wins (a pseudo-trigger on a tie), so "no increase" blocks "no" and "not ruled out" beats "ruled out".
 * 2. Two negations in a row cancel ("does not deny", "not without"): both are dropped.
 * 3. A trigger's scope runs forward, backward or both from it, up to its window, the sentence end,
 *    or a termination term of its status ("but", ";", "reports" for a negation). A window that ends
 *    inside a list ("denies fever, chills, nausea, vomiting, dysuria, hematuria, or CVA tenderness")
 *    reaches to the list's last item: the window caps run-on dictation, not one enumeration.
 * 4. A target gets, per status, the nearest trigger whose scope covers it, and of those the status
 *    first in the lexicon's precedence. A section default (lexicon `sections`, found by tagger.ts)
 *    competes the same way, unless a 'current' cue covers the target and the default is temporal.
 * 5. A relation takes its finding's status unless a negated, possible or hypothetical trigger between
 *    its two arguments reaches the far one ("rash not caused by amoxicillin", "rash possibly from
 *    amoxicillin"): causal connectives end a negation's scope over entities, not over the link, and
 *    links-only triggers ("unrelated to") apply to the link alone, so the drug that was taken stays
 *    present.
 *
 * Everything is linear in the sentence: matching looks at most `maxPhraseTokens` ahead of each token,
 * and each scope direction is one sweep that keeps the last open trigger per status.
 */
import type { CompiledLexicon, PhraseRoles, SectionRule, TriggerStatus, TrieNode } from './lexicon';
import { matchTokens, TRIGGER_STATUSES } from './lexicon';
import type { AssertionStatus } from '../annotations/types';

/** A target in sentence-relative UTF-16 offsets. */
export interface ContextTarget {
  start: number;
  end: number;
  /** Medication entities are the ones a Plan section defaults to hypothetical. */
  medication: boolean;
}

/** A relation between two targets (indices); `finding` is the argument whose status it inherits. */
export interface ContextRelation {
  finding: number;
  other: number;
}

/** What decided a status: a trigger (sentence-relative offsets) or a section default. */
export interface ContextResult {
  status: AssertionStatus;
  trigger?: { start: number; end: number };
  section?: SectionRule;
}

export interface ContextInput {
  text: string;
  targets: readonly ContextTarget[];
  relations?: readonly ContextRelation[];
  section?: SectionRule;
}

export interface ContextOutput {
  targets: ContextResult[];
  relations: ContextResult[];
}

interface Match {
  start: number; // token indices [start, end)
  end: number;
  roles: PhraseRoles;
}

const NONE = -1;
const STATUS_COUNT = TRIGGER_STATUSES.length;
const statusIndex = new Map<TriggerStatus, number>(TRIGGER_STATUSES.map((s, i) => [s, i]));
/** Words allowed between two negations that cancel ("did not ever deny"). */
const DOUBLE_NEGATION_FILLER = new Set(['ever', 'be', 'been', 'always', 'really']);

/** Every phrase match, longest first where they overlap. Linear: each start looks `maxPhraseTokens` ahead. */
export function findMatches(tokens: readonly string[], lexicon: CompiledLexicon): Match[] {
  const candidates: Match[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let node: TrieNode | undefined = lexicon.root;
    let best: Match | undefined;
    for (let j = i; j < tokens.length && j - i < lexicon.maxPhraseTokens; j++) {
      node = node.next.get(tokens[j]);
      if (!node) break;
      if (node.roles) best = { start: i, end: j + 1, roles: node.roles };
    }
    if (best) candidates.push(best);
  }
  // Longest first, pseudo-triggers before triggers of the same length, then leftmost.
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || Number(!!b.roles.pseudo) - Number(!!a.roles.pseudo) || a.start - b.start);
  const taken = new Uint8Array(tokens.length);
  const kept: Match[] = [];
  for (const m of candidates) {
    let free = true;
    for (let k = m.start; k < m.end && free; k++) free = !taken[k];
    if (!free) continue;
    taken.fill(1, m.start, m.end);
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** "not deny", "never denied", "not without": a negation right after another cancels both. */
function cancelDoubleNegations(matches: Match[], tokens: readonly string[]): Match[] {
  const isNegation = (m: Match) => m.roles.trigger?.status === 'negated';
  const dropped = new Set<Match>();
  for (let k = 0; k + 1 < matches.length; k++) {
    const a = matches[k];
    const b = matches[k + 1];
    if (!isNegation(a) || !isNegation(b) || !a.roles.trigger!.forward) continue;
    let gapOk = true;
    for (let t = a.end; t < b.start && gapOk; t++) gapOk = DOUBLE_NEGATION_FILLER.has(tokens[t]);
    if (gapOk && b.start - a.end <= 2) dropped.add(a).add(b);
  }
  return dropped.size ? matches.filter((m) => !dropped.has(m)) : matches;
}

/** Tokens that separate the items of a list. */
const LIST_SEPARATORS = new Set([',', 'or', 'and', 'nor', '/']);
/** Tokens that end a list whatever follows (a sentence or clause boundary). */
const LIST_BREAKS = new Set(['.', ';', ':', '!', '?', '(', ')']);
/** Most tokens an item of a list holds ("right upper quadrant pain"). */
const MAX_LIST_ITEM_TOKENS = 4;
/** Fewest separators that make a run of short items a list (three items), one of them a comma ("A, B or C"). */
const MIN_LIST_SEPARATORS = 2;

/**
 * The lists of a sentence: for each token, the first and last token of the list it belongs to (both
 * NONE outside lists). A list is a run of items of at most MAX_LIST_ITEM_TOKENS tokens joined by
 * separators, at least MIN_LIST_SEPARATORS of them and one a comma (clauses joined by "and" are not
 * a list); one sweep, so linear in the sentence.
 */
export function listBounds(tokens: readonly string[]): { first: Int32Array; last: Int32Array } {
  const n = tokens.length;
  const first = new Int32Array(n).fill(NONE);
  const last = new Int32Array(n).fill(NONE);
  let runStart = 0; // first token of the run's first item
  let separators = 0;
  let commas = 0;
  let item = 0; // tokens in the current item
  const close = (end: number) => {
    // end: one past the run's last token
    if (separators >= MIN_LIST_SEPARATORS && commas > 0 && end > runStart) {
      first.fill(runStart, runStart, end);
      last.fill(end - 1, runStart, end);
    }
  };
  for (let t = 0; t <= n; t++) {
    const w = t < n ? tokens[t].toLowerCase() : '.';
    if (LIST_BREAKS.has(w)) {
      close(t);
      runStart = t + 1;
      separators = commas = 0;
      item = 0;
    } else if (LIST_SEPARATORS.has(w)) {
      if (w === ',') commas++;
      if (item === 0 && separators > 0) continue; // ", or": one separator
      separators++;
      item = 0;
    } else if (++item > MAX_LIST_ITEM_TOKENS) {
      // Too long for an item: a list before it ends with its last item cut to the item length.
      close(t);
      runStart = t - MAX_LIST_ITEM_TOKENS + 1;
      separators = commas = 0;
      item = MAX_LIST_ITEM_TOKENS;
    }
  }
  return { first, last };
}

/**
 * For each token and status, the match whose scope covers the token (the nearest), or NONE.
 * `relationMode`: causal connectives do not end a scope. `lists`: a scope whose window ends inside
 * a list reaches the list's far end.
 */
function scopes(tokenCount: number, matches: readonly Match[], direction: 'forward' | 'backward', relationMode: boolean, lists: { first: Int32Array; last: Int32Array }): Int32Array {
  const cover = new Int32Array(tokenCount * STATUS_COUNT).fill(NONE);
  const active = new Int32Array(STATUS_COUNT).fill(NONE);
  const reach = new Int32Array(STATUS_COUNT); // last token (forward) / first token (backward) in scope
  const forward = direction === 'forward';
  const matchAt = new Int32Array(tokenCount).fill(NONE);
  matches.forEach((m, i) => (forward ? (matchAt[m.start] = i) : (matchAt[m.end - 1] = i)));
  const record = (t: number) => {
    for (let s = 0; s < STATUS_COUNT; s++) {
      const a = active[s];
      if (a !== NONE && (forward ? t <= reach[s] : t >= reach[s])) cover[t * STATUS_COUNT + s] = a;
    }
  };
  let t = forward ? 0 : tokenCount - 1;
  while (forward ? t < tokenCount : t >= 0) {
    const mi = matchAt[t];
    if (mi === NONE) {
      record(t);
      t += forward ? 1 : -1;
      continue;
    }
    const m = matches[mi];
    // Tokens of the phrase itself are covered by what was open before it, never by the phrase.
    for (let k = m.start; k < m.end; k++) record(k);
    const r = m.roles;
    if (r.ends) for (const s of r.ends) active[statusIndex.get(s)!] = NONE;
    if (r.causal && !relationMode) active[statusIndex.get('negated')!] = active[statusIndex.get('possible')!] = NONE;
    const trig = r.trigger;
    if (trig && (forward ? trig.forward : trig.backward) && (relationMode || !trig.linksOnly)) {
      const s = statusIndex.get(trig.status)!;
      active[s] = mi;
      let r = forward ? Math.min(tokenCount - 1, m.end - 1 + trig.window.forward) : Math.max(0, m.start - trig.window.backward);
      const inList = forward ? lists.last[r] : lists.first[r];
      if (inList !== NONE) r = inList;
      reach[s] = r;
    }
    t = forward ? m.end : m.start - 1;
  }
  return cover;
}

/** Tokens covered by a 'current' cue in either direction (they cancel temporal section defaults). */
function currentCover(tokenCount: number, matches: readonly Match[], window: { forward: number; backward: number }): Uint8Array {
  const covered = new Uint8Array(tokenCount);
  // A difference array keeps this linear however many cues there are.
  const diff = new Int32Array(tokenCount + 1);
  for (const m of matches) {
    if (!m.roles.current) continue;
    const from = Math.max(0, m.start - window.backward);
    const to = Math.min(tokenCount, m.end + window.forward);
    diff[from]++;
    diff[to]--;
  }
  let run = 0;
  for (let t = 0; t < tokenCount; t++) covered[t] = (run += diff[t]) > 0 ? 1 : 0;
  return covered;
}

/** Token index containing offset `pos` (the first token at or after it). */
function tokenAt(starts: readonly number[], ends: readonly number[], pos: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const TEMPORAL: ReadonlySet<TriggerStatus> = new Set(['historical', 'hypothetical']);
/** What a trigger between two arguments can say about their link (a family or past trigger there says nothing about it). */
const LINK_STATUSES: readonly TriggerStatus[] = ['negated', 'possible', 'hypothetical'];

export function runContext(input: ContextInput, lexicon: CompiledLexicon): ContextOutput {
  const raw = matchTokens(input.text);
  const tokens = raw.map((t) => t.text);
  const starts = raw.map((t) => t.start);
  const ends = raw.map((t) => t.end);
  const n = tokens.length;
  if (n === 0) return { targets: input.targets.map(() => ({ status: 'present' })), relations: (input.relations ?? []).map(() => ({ status: 'present' })) };
  const matches = cancelDoubleNegations(findMatches(tokens, lexicon), tokens);
  const lists = listBounds(tokens);
  const fwd = scopes(n, matches, 'forward', false, lists);
  const bwd = scopes(n, matches, 'backward', false, lists);
  const fwdLink = scopes(n, matches, 'forward', true, lists);
  const bwdLink = scopes(n, matches, 'backward', true, lists);
  const current = currentCover(n, matches, lexicon.window);
  const rank = new Map<TriggerStatus, number>(lexicon.precedence.map((s, i) => [s, i]));

  const spans = input.targets.map((t) => {
    const first = Math.min(tokenAt(starts, ends, t.start), Math.max(0, n - 1));
    const last = Math.max(first, Math.min(tokenAt(starts, ends, Math.max(t.start, t.end - 1)), n - 1));
    return { first, last };
  });
  const matchOffsets = (m: Match) => ({ start: starts[m.start], end: ends[m.end - 1] });

  const targets = input.targets.map((target, i): ContextResult => {
    const { first, last } = spans[i];
    let best: { status: TriggerStatus; match?: Match } | undefined;
    const consider = (status: TriggerStatus, match?: Match) => {
      if (!best || rank.get(status)! < rank.get(best.status)!) best = { status, match };
    };
    for (let s = 0; s < STATUS_COUNT; s++) {
      const f = fwd[first * STATUS_COUNT + s];
      const b = bwd[last * STATUS_COUNT + s];
      if (f === NONE && b === NONE) continue;
      // The nearer of the two triggers names the status.
      const pick = f === NONE ? b : b === NONE ? f : first - matches[f].end <= matches[b].start - last ? f : b;
      consider(TRIGGER_STATUSES[s], matches[pick]);
    }
    const section = input.section;
    if (section && (!section.medicationsOnly || target.medication)) {
      const cancelled = TEMPORAL.has(section.status) && current[first] === 1;
      if (!cancelled && (!best || rank.get(section.status)! < rank.get(best.status)!)) return { status: section.status, section };
    }
    if (!best) return { status: 'present' };
    const chosen: { status: TriggerStatus; match?: Match } = best;
    return { status: chosen.status, ...(chosen.match ? { trigger: matchOffsets(chosen.match) } : {}) };
  });

  const relations = (input.relations ?? []).map((rel): ContextResult => {
    const finding = targets[rel.finding];
    if (!finding || !input.targets[rel.other]) return { status: 'present' };
    const f = spans[rel.finding];
    const o = spans[rel.other];
    const [early, late] = f.last < o.first ? [f, o] : [o, f];
    let best: ContextResult = finding;
    const better = (status: TriggerStatus) => best.status === 'present' || rank.get(status)! < rank.get(best.status as TriggerStatus)!;
    const between = (mi: number) => mi !== NONE && matches[mi].start > early.last && matches[mi].end <= late.first;
    for (const status of LINK_STATUSES) {
      const s = statusIndex.get(status)!;
      // A trigger between the arguments that reaches across to the far one, ignoring causal connectives.
      const forward = fwdLink[late.first * STATUS_COUNT + s];
      const backward = bwdLink[early.last * STATUS_COUNT + s];
      const mi = between(forward) ? forward : between(backward) ? backward : NONE;
      if (mi === NONE || !better(status)) continue;
      best = { status, trigger: matchOffsets(matches[mi]) };
    }
    return best;
  });
  return { targets, relations };
}

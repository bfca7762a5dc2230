/**
 * Assertion status for a whole document's annotations: ConText per sentence (context.ts) with the
 * default of the section the sentence is in (the nearest heading before it, lexicon `sections`).
 *
 * Results are cached by (section, sentence text, target spans, relation pairs): an edit re-runs
 * ConText only on the sentences it changed, like the models. Only annotations of the packages the
 * caller names as clinical are read by ConText; everything else is `present` without a trigger,
 * because the lexicon is clinical ("father", "history", "plan" mean other things in news).
 */
import { LRUCache } from 'lru-cache';
import type { Assertion, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import type { SentenceSpan } from '../text/types';
import { detach } from '../text/detach';
import { ContextOutput, ContextResult, runContext } from './context';
import { CompiledLexicon, defaultLexicon, SectionRule, sectionOf } from './lexicon';

/** A section rule and the heading that opened it ("Past Medical History"). */
export interface Section {
  rule: SectionRule;
  heading: string;
}

const PRESENT: Assertion = Object.freeze({ status: 'present' }) as Assertion;

export interface TaggerStats {
  sentences: number;
  cacheHits: number;
}

/** A cached sentence: ConText's output, and the assertions last made from it (reused while the sentence stays put). */
interface CacheEntry {
  out: ContextOutput;
  base: number;
  heading: string | undefined;
  targets: Assertion[];
  relations: Assertion[];
}

/** The part of a sentence the tagger reads: its masked text and where it is. */
export type TaggedSentence = Pick<SentenceSpan, 'text' | 'start' | 'end'>;

export const DEFAULT_TAGGER_CACHE_BYTES = 8 * 2 ** 20;

/** What a cache entry costs, roughly: its UTF-16 key and an object per result. */
function entryBytes(key: string, entry: CacheEntry): number {
  return 2 * key.length + 160 + 96 * (entry.out.targets.length + entry.out.relations.length);
}

export class AssertionTagger {
  private readonly cache: LRUCache<string, CacheEntry>;
  readonly stats: TaggerStats = { sentences: 0, cacheHits: 0 };

  constructor(
    readonly lexicon: CompiledLexicon = defaultLexicon(),
    /** Bound of the per-sentence cache, in bytes (keys hold the sentence text). */
    maxBytes = DEFAULT_TAGGER_CACHE_BYTES,
  ) {
    this.cache = new LRUCache({ maxSize: Math.max(1024, maxBytes), sizeCalculation: (v, k) => entryBytes(k, v) });
  }

  /** The section in force after each heading of a list of sentences, for callers that tag one sentence at a time. */
  sectionAfter(current: Section | undefined, sentence: Pick<SentenceSpan, 'kind' | 'text'>): Section | undefined {
    if (sentence.kind !== 'heading') return current;
    const rule = sectionOf(this.lexicon, sentence.text);
    return rule && { rule, heading: headingName(sentence.text) };
  }

  /** The section in force at each sentence: the rule of the nearest heading before it, if it has one. */
  sectionsOf(sentences: readonly SentenceSpan[]): Array<Section | undefined> {
    let current: Section | undefined;
    return sentences.map((s) => {
      if (s.kind === 'heading') {
        const rule = sectionOf(this.lexicon, s.text);
        current = rule && { rule, heading: headingName(s.text) };
      }
      return current;
    });
  }

  /**
   * Sets `assertion` on every entity and relation. `applies(model)`: whether that package's
   * annotations are clinical (read by ConText). `text` is the document the offsets count in.
   */
  tag(text: string, sentences: readonly SentenceSpan[], entities: readonly EntityAnnotation[], relations: readonly RelationAnnotation[], applies: (model: string) => boolean): void {
    // Grouped by sentence index in plain arrays: this runs on every keystroke's re-annotation.
    const groups: Array<{ entities: EntityAnnotation[]; relations: RelationAnnotation[] } | undefined> = new Array(sentences.length);
    let any = false;
    for (const e of entities) {
      e.assertion = PRESENT;
      if (!applies(e.model) || !(e.sentence >= 0 && e.sentence < sentences.length)) continue;
      (groups[e.sentence] ??= { entities: [], relations: [] }).entities.push(e);
      any = true;
    }
    for (const r of relations) {
      r.assertion = PRESENT;
      if (applies(r.model)) groups[r.sentence]?.relations.push(r);
    }
    if (!any) return;
    const sections = this.sectionsOf(sentences);
    for (const sentence of sentences) {
      const group = groups[sentence.index];
      if (group && sentences[sentence.index] === sentence) this.tagSentence(text, sentence, sections[sentence.index], group.entities, group.relations);
    }
  }

  /**
   * Sets `assertion` on the entities of one sentence and on its relations; `text` is what the offsets
   * count in (the document, or any text that holds the sentence at those offsets).
   */
  tagSentence(text: string, sentence: TaggedSentence, section: Section | undefined, entities: readonly EntityAnnotation[], relations: readonly RelationAnnotation[]): void {
    const base = sentence.start;
    const medication = this.lexicon.medicationTypes;
    const inside = entities.filter((e) => e.start >= sentence.start && e.end <= sentence.end);
    const parts = [section?.rule.name ?? '', '\u0000', sentence.text, '\u0000'];
    for (const e of inside) parts.push(`${e.start - base},${e.end - base},${medication.has(e.type) ? 1 : 0};`);
    const links: Array<{ r: RelationAnnotation; finding: number; other: number }> = [];
    if (relations.length > 0) {
      const index = new Map(inside.map((e, i) => [e, i]));
      for (const r of relations) {
        const [finding, other] = findingFirst(r, medication);
        const f = index.get(finding);
        const o = index.get(other);
        if (f === undefined || o === undefined) continue;
        links.push({ r, finding: f, other: o });
        parts.push(`|${f},${o}`);
      }
    }
    // Joined and detached: a concatenation of the sentence's text would keep the whole document alive.
    const key = detach(parts.join(''));
    this.stats.sentences++;
    let entry = this.cache.get(key);
    if (entry) this.stats.cacheHits++;
    else {
      const targets = inside.map((e) => ({ start: e.start - base, end: e.end - base, medication: medication.has(e.type) }));
      const out = runContext({ text: sentence.text, targets, relations: links, section: section?.rule }, this.lexicon);
      entry = { out, base: NaN, heading: undefined, targets: [], relations: [] };
      this.cache.set(key, entry);
    }
    if (entry.base !== base || entry.heading !== section?.heading) {
      const e = entry;
      e.targets = e.out.targets.map((r) => toAssertion(r, text, base, section));
      e.relations = e.out.relations.map((r) => toAssertion(r, text, base, section));
      e.base = base;
      e.heading = section?.heading;
    }
    inside.forEach((e, i) => (e.assertion = entry!.targets[i]));
    links.forEach(({ r }, i) => (r.assertion = entry!.relations[i]));
  }

  clear(): void {
    this.cache.clear();
  }
}

/** [finding, other]: the head, unless the head is the medication and the tail is not (then the tail). */
export function findingFirst(r: RelationAnnotation, medicationTypes: ReadonlySet<string>): [EntityAnnotation, EntityAnnotation] {
  return medicationTypes.has(r.head.type) && !medicationTypes.has(r.tail.type) ? [r.tail, r.head] : [r.head, r.tail];
}

/** "## Past Medical History:" -> "Past Medical History". */
function headingName(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\s:,.#*_-]+$/u, '').replace(/^[\s#*_-]+/u, '').slice(0, 80);
}

function toAssertion(result: ContextResult, text: string, base: number, section: Section | undefined): Assertion {
  if (result.trigger) {
    const start = base + result.trigger.start;
    const end = base + result.trigger.end;
    return { status: result.status, trigger: { text: detach(text.slice(start, end)), start, end } };
  }
  if (result.section) return { status: result.status, section: section?.heading ?? result.section.name };
  return result.status === 'present' ? PRESENT : { status: result.status };
}

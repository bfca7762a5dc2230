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
import type { Assertion, EntityAnnotation, RelationAnnotation, SentenceSpan } from '../pipeline/types';
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

export class AssertionTagger {
  private readonly cache: LRUCache<string, ContextOutput>;
  readonly stats: TaggerStats = { sentences: 0, cacheHits: 0 };

  constructor(
    readonly lexicon: CompiledLexicon = defaultLexicon(),
    cacheSize = 20_000,
  ) {
    this.cache = new LRUCache({ max: Math.max(1, cacheSize) });
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
    const bySentence = new Map<number, { entities: EntityAnnotation[]; relations: RelationAnnotation[] }>();
    for (const e of entities) {
      e.assertion = PRESENT;
      if (!applies(e.model)) continue;
      const group = bySentence.get(e.sentence) ?? { entities: [], relations: [] };
      group.entities.push(e);
      bySentence.set(e.sentence, group);
    }
    for (const r of relations) {
      r.assertion = PRESENT;
      if (applies(r.model)) bySentence.get(r.sentence)?.relations.push(r);
    }
    if (bySentence.size === 0) return;
    const sections = this.sectionsOf(sentences);
    for (const sentence of sentences) {
      const group = bySentence.get(sentence.index);
      if (!group) continue;
      this.tagSentence(text, sentence, sections[sentence.index], group.entities, group.relations);
    }
  }

  private tagSentence(text: string, sentence: SentenceSpan, section: Section | undefined, entities: EntityAnnotation[], relations: RelationAnnotation[]): void {
    const base = sentence.start;
    const inside = entities.filter((e) => e.start >= sentence.start && e.end <= sentence.end);
    const index = new Map(inside.map((e, i) => [e, i]));
    const links = relations
      .map((r) => ({ r, pair: findingFirst(r, this.lexicon.medicationTypes) }))
      .filter(({ pair }) => index.has(pair[0]) && index.has(pair[1]));
    const targets = inside.map((e) => ({ start: e.start - base, end: e.end - base, medication: this.lexicon.medicationTypes.has(e.type) }));
    const pairs = links.map(({ pair }) => ({ finding: index.get(pair[0])!, other: index.get(pair[1])! }));
    const key = `${section?.rule.name ?? ''}\u0000${sentence.text}\u0000${targets.map((t) => `${t.start},${t.end},${t.medication ? 1 : 0}`).join(';')}\u0000${pairs.map((p) => `${p.finding},${p.other}`).join(';')}`;
    this.stats.sentences++;
    let out = this.cache.get(key);
    if (out) this.stats.cacheHits++;
    else {
      out = runContext({ text: sentence.text, targets, relations: pairs, section: section?.rule }, this.lexicon);
      this.cache.set(key, out);
    }
    inside.forEach((e, i) => (e.assertion = toAssertion(out!.targets[i], text, base, section)));
    links.forEach(({ r }, i) => (r.assertion = toAssertion(out!.relations[i], text, base, section)));
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
    return { status: result.status, trigger: { text: text.slice(start, end), start, end } };
  }
  if (result.section) return { status: result.status, section: section?.heading ?? result.section.name };
  return result.status === 'present' ? PRESENT : { status: result.status };
}

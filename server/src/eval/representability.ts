/**
 * Which gold items the editor's segmentation cannot express at all, whatever the model does.
 *
 * A model predicts whole words of one sentence, so a gold entity whose start or end falls inside one
 * of the editor's tokens ("Vt" when the tokenizer keeps "Vt." whole) cannot be predicted, and neither
 * can an entity or relation that the sentence splitter cuts in two. Both count as misses in the
 * scores; this says how many of the misses they are, so a tokenizer change can be judged apart from
 * the model.
 */
import type { SentenceSpan } from '../text/types';

/** What is needed of the editor's sentences: their range and tokens, in document offsets. */
export type EditorSentence = Pick<SentenceSpan, 'start' | 'end' | 'tokens'>;
import type { GoldDocument } from './charGold';
import { unitAt } from './charScore';

export interface GoldItemExample {
  document: string;
  sentence: string; // the gold unit's id
  start: number;
  end: number;
  type: string;
  text: string;
  /** The editor's tokens overlapping the span, which show where the boundary went. */
  editor_tokens: string[];
}

export interface Representability {
  unrepresentable: {
    /** Gold entities whose start or end is not a token boundary of the editor's segmentation. */
    entities: number;
    /** Of those: the span ends right before a '.' the tokenizer kept on the word ("Vt."). */
    trailing_period: number;
    /** Gold relations with at least one such argument. */
    relations: number;
    examples: GoldItemExample[];
  };
  /**
   * Representable, but only with a period the editor splits off: gold ends in a sentence-final
   * period glued to the word ("theater." in CoNLL04), the editor tokenizes "theater" "." and a model
   * has to include the "." token to match.
   */
  ends_with_split_period: number;
  /** Gold sentences that share an editor sentence with another one (no sentence end between them). */
  merged_sentences: number;
  /** Where such a gold boundary falls inside an editor sentence: the text on either side, '‖' between. */
  merged_examples: Array<{ document: string; sentence: string; around: string }>;
  crossing_sentences: {
    /** Gold entities that overlap two or more editor sentences. */
    entities: number;
    /** Gold relations whose arguments overlap two or more editor sentences together. */
    relations: number;
    examples: GoldItemExample[];
  };
}

export const MAX_EXAMPLES = 20;
/** Characters shown on either side of a gold sentence boundary the editor ran over. */
const MERGE_CONTEXT = 40;

export function emptyRepresentability(): Representability {
  return {
    unrepresentable: { entities: 0, trailing_period: 0, relations: 0, examples: [] },
    ends_with_split_period: 0,
    merged_sentences: 0,
    merged_examples: [],
    crossing_sentences: { entities: 0, relations: 0, examples: [] },
  };
}

/** Indices of the editor sentences overlapping [start, end) (sentences are sorted and disjoint). */
function sentencesOverlapping(sentences: readonly EditorSentence[], start: number, end: number): number[] {
  let lo = 0;
  let hi = sentences.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sentences[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < sentences.length && sentences[i].start < end; i++) out.push(i);
  return out;
}

/** Adds one document's findings to `into` (examples capped at MAX_EXAMPLES per list). */
export function checkRepresentability(doc: GoldDocument, sentences: readonly EditorSentence[], into: Representability = emptyRepresentability()): Representability {
  const starts = new Set<number>();
  const startOfTokenEndingAt = new Map<number, number>();
  for (const s of sentences) for (const t of s.tokens) starts.add(t.start), startOfTokenEndingAt.set(t.end, t.start);

  const unitsOfSentence = new Map<number, number[]>();
  doc.units.forEach((u, k) => {
    for (const i of sentencesOverlapping(sentences, u.start, u.end)) unitsOfSentence.set(i, [...(unitsOfSentence.get(i) ?? []), k]);
  });
  const merged = new Set([...unitsOfSentence.values()].filter((ks) => ks.length > 1).flat());
  into.merged_sentences += merged.size;
  for (const ks of unitsOfSentence.values()) {
    for (let j = 1; j < ks.length && into.merged_examples.length < MAX_EXAMPLES; j++) {
      const at = doc.units[ks[j]].start;
      const around = `${doc.text.slice(Math.max(0, at - MERGE_CONTEXT), at).trimEnd()} ‖ ${doc.text.slice(at, at + MERGE_CONTEXT)}`;
      into.merged_examples.push({ document: doc.name, sentence: doc.units[ks[j]].id, around: around.replace(/\s+/g, ' ') });
    }
  }

  const example = (i: number): GoldItemExample => {
    const e = doc.entities[i];
    const tokens = sentencesOverlapping(sentences, e.start, e.end).flatMap((k) => sentences[k].tokens.filter((t) => t.start < e.end && t.end > e.start).map((t) => t.text));
    return { document: doc.name, sentence: doc.units[unitAt(doc.units, e.start)]?.id ?? '', start: e.start, end: e.end, type: e.type, text: doc.text.slice(e.start, e.end), editor_tokens: tokens };
  };
  const push = (list: GoldItemExample[], i: number) => {
    if (list.length < MAX_EXAMPLES) list.push(example(i));
  };

  const unrepresentable = new Set<number>();
  doc.entities.forEach((e, i) => {
    const u = into.unrepresentable;
    if (!starts.has(e.start) || !startOfTokenEndingAt.has(e.end)) {
      unrepresentable.add(i);
      u.entities++;
      const holder = startOfTokenEndingAt.get(e.end + 1);
      if (doc.text[e.end] === '.' && holder !== undefined && holder < e.end) u.trailing_period++;
      push(u.examples, i);
    } else if (e.end - e.start > 1 && doc.text[e.end - 1] === '.' && startOfTokenEndingAt.get(e.end) === e.end - 1) {
      into.ends_with_split_period++;
    }
    if (sentencesOverlapping(sentences, e.start, e.end).length > 1) {
      into.crossing_sentences.entities++;
      push(into.crossing_sentences.examples, i);
    }
  });
  for (const r of doc.relations) {
    if (unrepresentable.has(r.head) || unrepresentable.has(r.tail)) into.unrepresentable.relations++;
    const h = doc.entities[r.head];
    const t = doc.entities[r.tail];
    const touched = new Set([...sentencesOverlapping(sentences, h.start, h.end), ...sentencesOverlapping(sentences, t.start, t.end)]);
    if (touched.size > 1) into.crossing_sentences.relations++;
  }
  return into;
}

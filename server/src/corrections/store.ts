/**
 * The corrections in force in a workspace and how they change what the models found: per sentence text,
 * the user's fixes in the order made; and the texts to ignore everywhere (a workspace list, like a
 * spelling dictionary's). `apply` turns a document's model annotations into what the editor shows.
 */
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import type { Correction, RelationRef, SentenceCorrection, SpanRef } from './types';
import { USER_MODEL } from './types';

/** Ignored texts are compared in NFC lower case with runs of white space as one space. */
export function foldText(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function sameSpan(e: EntityAnnotation, sentenceStart: number, ref: SpanRef): boolean {
  return e.start - sentenceStart === ref.start && e.end - sentenceStart === ref.end && e.type === ref.type;
}

/** An entity as corrections name it: offsets within its sentence (which starts at `sentenceStart`), and its type. */
export function spanRefOf(e: EntityAnnotation, sentenceStart: number): SpanRef {
  return { start: e.start - sentenceStart, end: e.end - sentenceStart, type: e.type };
}

/** A relation as corrections name it: both arguments within their sentence, and its type. */
export function relationRefOf(r: RelationAnnotation, sentenceStart: number): RelationRef {
  return { head: spanRefOf(r.head, sentenceStart), tail: spanRefOf(r.tail, sentenceStart), type: r.type };
}

function tripleKey(head: SpanRef, type: string, tail: SpanRef): string {
  return `${head.start}:${head.end}:${head.type}|${type}|${tail.start}:${tail.end}:${tail.type}`;
}

export class CorrectionStore {
  private readonly bySentence = new Map<string, Correction[]>();
  private readonly ignored = new Map<string, string>(); // folded -> as the user wrote it
  /** Counts changes: a cached corrected view is good while this stays the same. */
  private generation = 0;
  private readonly views = new WeakMap<DocumentAnnotations, { generation: number; text: string; view: DocumentAnnotations }>();

  add({ sentence, correction }: SentenceCorrection): void {
    const list = this.bySentence.get(sentence) ?? [];
    list.push(correction);
    this.bySentence.set(sentence, list);
    this.generation++;
  }

  /** Adds `text` to the ignore list; false when it was there already. */
  ignore(text: string): boolean {
    const key = foldText(text);
    if (!key || this.ignored.has(key)) return false;
    this.ignored.set(key, text.trim());
    this.generation++;
    return true;
  }

  isIgnored(text: string): boolean {
    return this.ignored.has(foldText(text));
  }

  ignoredTexts(): string[] {
    return [...this.ignored.values()];
  }

  correctionsFor(sentence: string): readonly Correction[] {
    return this.bySentence.get(sentence) ?? [];
  }

  get size(): number {
    let n = 0;
    for (const list of this.bySentence.values()) n += list.length;
    return n + this.ignored.size;
  }

  /** The annotations as the user corrected them (`text`: the document's text at the annotations' version). */
  apply(annotations: DocumentAnnotations, text: string): DocumentAnnotations {
    if (this.bySentence.size === 0 && this.ignored.size === 0) return annotations;
    const cached = this.views.get(annotations);
    if (cached && cached.generation === this.generation && cached.text === text) return cached.view;
    const view = this.correct(annotations, text);
    this.views.set(annotations, { generation: this.generation, text, view });
    return view;
  }

  private correct(a: DocumentAnnotations, text: string): DocumentAnnotations {
    const sentenceStart = new Map(a.sentences.map((s) => [s.index, s.start]));
    const fixesOf = new Map<number, readonly Correction[]>();
    for (const s of a.sentences) {
      const list = this.bySentence.get(text.slice(s.start, s.end));
      if (list) fixesOf.set(s.index, list);
    }
    // Entities: ignored texts go, then each sentence's fixes in the order they were made.
    const replaced = new Map<EntityAnnotation, EntityAnnotation | null>();
    for (const e of a.entities) {
      let current: EntityAnnotation | null = this.ignored.has(foldText(e.text)) ? null : e;
      const start = sentenceStart.get(e.sentence) ?? 0;
      for (const fix of fixesOf.get(e.sentence) ?? []) {
        if (!current) break;
        if (fix.kind === 'not-entity' && sameSpan(current, start, fix.entity)) current = null;
        else if (fix.kind === 'retype-entity' && sameSpan(current, start, fix.entity)) current = { ...current, type: fix.type, score: 1, model: USER_MODEL };
      }
      if (current !== e) replaced.set(e, current);
    }
    const now = (e: EntityAnnotation) => (replaced.has(e) ? replaced.get(e)! : e);
    const entities = a.entities.map(now).filter((e): e is EntityAnnotation => e !== null);

    // Relations: the last word on a (head, type, tail) triple of a sentence counts (add, then refuse: gone).
    const verdicts = new Map<number, Map<string, { keep: boolean; head: SpanRef; tail: SpanRef; type: string }>>();
    for (const [index, fixes] of fixesOf) {
      const byTriple = new Map<string, { keep: boolean; head: SpanRef; tail: SpanRef; type: string }>();
      for (const f of fixes) {
        if (f.kind === 'add-relation' || f.kind === 'not-relation') byTriple.set(tripleKey(f.relation.head, f.relation.type, f.relation.tail), { keep: f.kind === 'add-relation', ...f.relation });
      }
      if (byTriple.size) verdicts.set(index, byTriple);
    }
    const relations: RelationAnnotation[] = [];
    const present = new Set<string>();
    for (const r of a.relations) {
      const head = now(r.head);
      const tail = now(r.tail);
      if (!head || !tail) continue;
      const start = sentenceStart.get(r.sentence) ?? 0;
      const triple = tripleKey(spanRefOf(head, start), r.type, spanRefOf(tail, start));
      if (verdicts.get(r.sentence)?.get(triple)?.keep === false) continue;
      present.add(`${r.sentence}|${triple}`);
      relations.push(head === r.head && tail === r.tail ? r : { ...r, head, tail });
    }
    let added = 0;
    for (const [index, byTriple] of verdicts) {
      const start = sentenceStart.get(index)!;
      const inSentence = entities.filter((e) => e.sentence === index);
      for (const [key, v] of byTriple) {
        if (!v.keep || present.has(`${index}|${key}`)) continue;
        const head = inSentence.find((e) => sameSpan(e, start, v.head));
        const tail = inSentence.find((e) => sameSpan(e, start, v.tail));
        if (!head || !tail) continue; // an argument was removed or retyped since
        relations.push({ id: `U${++added}`, type: v.type, head, tail, score: 1, model: USER_MODEL, sentence: index, symmetric: false, assertion: head.assertion });
      }
    }
    return { ...a, entities, relations };
  }
}

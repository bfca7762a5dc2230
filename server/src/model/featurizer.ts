/**
 * Words -> model inputs, exactly as spec/featurizer.md says and erlens_train/featurize.py does.
 * Checked against spec/fixtures/featurizer.json.
 *
 * Two encoder kinds share one input contract (input_ids, attention_mask, word_first_subword,
 * word_mask, and char_ids for `wordchar`). Graphs may prune inputs they do not use (the wordchar
 * graphs keep only input_ids, word_mask and char_ids), so `batchInputs` feeds only the names the
 * session asks for. A package with a gazetteer (model.json encoder.gazetteer) adds gazetteer_ids per word.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as ort from 'onnxruntime-node';
import type { Tokenizer as HfTokenizer } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { ModelPackage, ModelPackageError } from './package';
import { Gazetteer } from './gazetteer';
import { appendAll } from '../arrays';

export const PAD = 0;
export const UNK = 1;

/** One sentence, unpadded. */
export interface EncodedSentence {
  inputIds: number[];
  wordFirstSubword: number[];
  charIds?: number[][]; // wordchar and hybrid
  wordIds?: number[]; // hybrid only: the wordchar word ids beside the subwords
  gazetteerIds?: number[]; // packages with a gazetteer: one id per word (model/gazetteer.ts)
}

export interface Featurizer {
  readonly kind: 'wordchar' | 'transformer' | 'hybrid';
  /** Throws when a sentence needs more subwords than the encoder's window (split it first). */
  encode(words: readonly string[]): EncodedSentence;
  /** Subwords each word costs (1 for wordchar), for planning windows. */
  subwordCounts(words: readonly string[]): number[];
  /** Subwords a sentence may use in all, special tokens included. */
  readonly maxSubwords: number;
  /** Subwords a sentence needs besides its words ([CLS] and [SEP]). */
  readonly specialSubwords: number;
}

const ASCII_DIGIT = /[0-9]/g;

/** Word ids from vocab.words.txt (line k -> id k + 2) and char ids from vocab.chars.json. */
export class WordCharFeaturizer implements Featurizer {
  readonly kind = 'wordchar';
  readonly specialSubwords = 0;
  private readonly wordIds: Map<string, number>;
  private readonly charIdsByCodePoint: Map<string, number>;

  constructor(
    words: readonly string[],
    chars: readonly string[],
    readonly maxChars: number,
    readonly maxSubwords: number = Number.MAX_SAFE_INTEGER,
    private readonly gazetteer?: Gazetteer,
  ) {
    this.wordIds = new Map(words.map((w, k) => [w, k + 2]));
    this.charIdsByCodePoint = new Map(chars.map((c, k) => [c, k + 2]));
  }

  /** Look-up order: as it is, lower case, lower case with ASCII digits as 0, else unknown. */
  wordId(word: string): number {
    const w = word.normalize('NFC');
    const lower = w.toLowerCase();
    return this.wordIds.get(w) ?? this.wordIds.get(lower) ?? this.wordIds.get(lower.replace(ASCII_DIGIT, '0')) ?? UNK;
  }

  /** The first max_chars code points (not UTF-16 units); a word never has zero chars. */
  charIds(word: string): number[] {
    const cps = Array.from(word.normalize('NFC')).slice(0, this.maxChars);
    const ids = cps.map((c) => this.charIdsByCodePoint.get(c) ?? UNK);
    return ids.length ? ids : [UNK];
  }

  encode(words: readonly string[]): EncodedSentence {
    if (words.length > this.maxSubwords) {
      throw new Error(`sentence has ${words.length} words, over the encoder's window of ${this.maxSubwords}; split it first`);
    }
    return {
      inputIds: words.map((w) => this.wordId(w)),
      charIds: words.map((w) => this.charIds(w)),
      wordFirstSubword: words.map((_, i) => i),
      ...(this.gazetteer ? { gazetteerIds: this.gazetteer.tags(words) } : {}),
    };
  }

  subwordCounts(words: readonly string[]): number[] {
    return words.map(() => 1);
  }
}

/** The few WordPiece ids a featurizer needs besides the vocabulary. */
export interface WordPieceSpecials {
  unk: number;
  cls: number;
  sep: number;
}

/**
 * BERT WordPiece over already split words: [CLS] pieces(w1) pieces(w2) ... [SEP].
 * Each word goes through @huggingface/tokenizers on its own (no special tokens added), after NFC,
 * as featurize.py does; a word without any piece becomes one [UNK].
 */
export class WordPieceFeaturizer implements Featurizer {
  readonly kind = 'transformer';
  readonly specialSubwords = 2;
  private readonly specialTexts: string[];
  private readonly pieceCache = new Map<string, number[]>();

  constructor(
    private readonly tokenizer: HfTokenizer,
    private readonly ids: WordPieceSpecials,
    readonly maxSubwords: number,
    specialTexts: readonly string[] = [],
  ) {
    this.specialTexts = specialTexts.filter((s) => s.length > 0);
  }

  static fromTokenizerJson(tokenizerJson: Record<string, unknown>, maxSubwords: number): WordPieceFeaturizer {
    const { Tokenizer } = require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers', { with: { 'resolution-mode': 'import' } });
    const tokenizer = new Tokenizer(tokenizerJson, {});
    const model = tokenizerJson.model as { unk_token?: string } | undefined;
    const id = (t: string) => {
      const v = tokenizer.token_to_id(t);
      if (v === undefined) throw new Error(`tokenizer.json has no ${t} token`);
      return v;
    };
    const added = ((tokenizerJson.added_tokens as Array<{ content: string }>) ?? []).map((t) => t.content);
    return new WordPieceFeaturizer(tokenizer, { unk: id(model?.unk_token ?? '[UNK]'), cls: id('[CLS]'), sep: id('[SEP]') }, maxSubwords, added);
  }

  pieces(word: string): number[] {
    const cached = this.pieceCache.get(word);
    if (cached) return cached;
    const w = word.normalize('NFC');
    let ids: number[];
    if (this.specialTexts.some((s) => w.includes(s))) {
      // A word that spells a special token ("[CLS]") is text, not the token: the tokenizer would
      // match it as an added token before normalising. Splitting at punctuation first is what the
      // BERT pre-tokenizer does anyway, and no special token survives the split.
      ids = w.split(/([\p{P}!-\/:-@\[-`{-~])/u).filter((p) => p).flatMap((p) => this.tokenizer.encode(p, { add_special_tokens: false }).ids);
    } else ids = this.tokenizer.encode(w, { add_special_tokens: false }).ids;
    const out = ids.length ? ids : [this.ids.unk];
    if (this.pieceCache.size > 50_000) this.pieceCache.clear();
    this.pieceCache.set(word, out);
    return out;
  }

  encode(words: readonly string[]): EncodedSentence {
    const inputIds = [this.ids.cls];
    const wordFirstSubword: number[] = [];
    for (const w of words) {
      wordFirstSubword.push(inputIds.length);
      appendAll(inputIds, this.pieces(w));
    }
    inputIds.push(this.ids.sep);
    if (inputIds.length > this.maxSubwords) {
      throw new Error(`sentence needs ${inputIds.length} subwords, over the encoder's window of ${this.maxSubwords}; split it first`);
    }
    return { inputIds, wordFirstSubword };
  }

  subwordCounts(words: readonly string[]): number[] {
    return words.map((w) => this.pieces(w).length);
  }
}

/**
 * `hybrid` packages (erlens_train/encoders.py HybridEncoder): the transformer's WordPiece subwords as
 * input_ids, plus each word's wordchar word id (word_ids) and char ids. Windows are planned on subwords.
 */
export class HybridFeaturizer implements Featurizer {
  readonly kind = 'hybrid';
  readonly specialSubwords: number;
  readonly maxSubwords: number;

  constructor(
    private readonly wordpiece: WordPieceFeaturizer,
    private readonly wordchar: WordCharFeaturizer,
  ) {
    this.specialSubwords = wordpiece.specialSubwords;
    this.maxSubwords = wordpiece.maxSubwords;
  }

  encode(words: readonly string[]): EncodedSentence {
    const wp = this.wordpiece.encode(words);
    const wc = this.wordchar.encode(words);
    return { ...wp, wordIds: wc.inputIds, charIds: wc.charIds, ...(wc.gazetteerIds ? { gazetteerIds: wc.gazetteerIds } : {}) };
  }

  subwordCounts(words: readonly string[]): number[] {
    return this.wordpiece.subwordCounts(words);
  }
}

/** The featurizer a package's model.json asks for, from the package's own files. */
export function loadFeaturizer(pkg: ModelPackage): Featurizer {
  const enc = pkg.meta.encoder;
  // A package text file whose name ends in .gz is gzip (spec/model-package.md): that stores the drug
  // dictionary in a quarter of its size.
  const read = (file: string) => {
    try {
      const bytes = fs.readFileSync(path.join(pkg.dir, file));
      return (file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
    } catch (err) {
      throw new ModelPackageError(pkg.id, `cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const wordchar = (maxWords: number) => {
    const words = read(enc.words ?? 'vocab.words.txt').split('\n');
    if (words[words.length - 1] === '') words.pop(); // the file ends with a newline
    const chars = JSON.parse(read(enc.chars ?? 'vocab.chars.json')) as string[];
    const gazetteer = enc.gazetteer ? Gazetteer.fromText(read(enc.gazetteer.file)) : undefined;
    return new WordCharFeaturizer(words, chars, enc.max_chars ?? 20, maxWords, gazetteer);
  };
  try {
    if (enc.kind === 'wordchar') return wordchar(pkg.meta.max_subwords ?? pkg.meta.max_words);
    const tokenizerJson = JSON.parse(read(enc.tokenizer ?? 'tokenizer.json')) as Record<string, unknown>;
    const wordpiece = WordPieceFeaturizer.fromTokenizerJson(tokenizerJson, pkg.meta.max_subwords);
    return enc.kind === 'hybrid' ? new HybridFeaturizer(wordpiece, wordchar(pkg.meta.max_words)) : wordpiece;
  } catch (err) {
    if (err instanceof ModelPackageError) throw err;
    throw new ModelPackageError(pkg.id, `tokenizer files are unusable: ${(err as Error).message}`);
  }
}

function int64(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** Rows zero-padded to `width`, flattened, with the matching 0/1 mask. */
function padRows(rows: readonly (readonly number[])[], width: number): [number[], number[]] {
  const values = new Array<number>(rows.length * width).fill(0);
  const mask = new Array<number>(rows.length * width).fill(0);
  rows.forEach((row, b) => row.forEach((v, i) => ((values[b * width + i] = v), (mask[b * width + i] = 1))));
  return [values, mask];
}

/** Pad encoded sentences into the graph's inputs (zeros are padding); only `inputNames` are built. */
export function batchInputs(encoded: readonly EncodedSentence[], inputNames: readonly string[]): Record<string, ort.Tensor> {
  const B = encoded.length;
  const S = Math.max(1, ...encoded.map((e) => e.inputIds.length));
  const N = Math.max(1, ...encoded.map((e) => e.wordFirstSubword.length));
  const want = new Set(inputNames);
  const feeds: Record<string, ort.Tensor> = {};
  const [ids, att] = padRows(encoded.map((e) => e.inputIds), S);
  if (want.has('input_ids')) feeds.input_ids = int64(ids, [B, S]);
  if (want.has('attention_mask')) feeds.attention_mask = int64(att, [B, S]);
  const [first, mask] = padRows(encoded.map((e) => e.wordFirstSubword), N);
  if (want.has('word_first_subword')) feeds.word_first_subword = int64(first, [B, N]);
  if (want.has('word_mask')) feeds.word_mask = int64(mask, [B, N]);
  if (want.has('word_ids')) feeds.word_ids = int64(padRows(encoded.map((e) => e.wordIds ?? []), N)[0], [B, N]);
  if (want.has('gazetteer_ids')) {
    if (encoded.some((e) => !e.gazetteerIds)) throw new Error('the graph needs gazetteer_ids but the package has no gazetteer');
    feeds.gazetteer_ids = int64(padRows(encoded.map((e) => e.gazetteerIds ?? []), N)[0], [B, N]);
  }
  if (want.has('char_ids')) {
    const C = Math.max(1, ...encoded.flatMap((e) => (e.charIds ?? []).map((c) => c.length)));
    const chars = new Array<number>(B * N * C).fill(0);
    encoded.forEach((e, b) => (e.charIds ?? []).forEach((c, i) => c.forEach((id, k) => (chars[(b * N + i) * C + k] = id))));
    feeds.char_ids = int64(chars, [B, N, C]);
  }
  return feeds;
}

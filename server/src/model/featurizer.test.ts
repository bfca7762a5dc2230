import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { copyPackage, specFixture, tinyBertPackageDir, tinyPackageDir } from '../testing/fixtures';
import { batchInputs, HybridFeaturizer, loadFeaturizer, WordCharFeaturizer, WordPieceFeaturizer } from './featurizer';
import { loadPackage } from './package';
import { Gazetteer } from './gazetteer';

const fx = specFixture('featurizer.json');

test('wordchar featurizer reproduces every case of spec/fixtures/featurizer.json', () => {
  const f = new WordCharFeaturizer(fx.wordchar.words, fx.wordchar.chars, fx.wordchar.max_chars);
  for (const c of fx.wordchar.cases) {
    assert.equal(f.wordId(c.token), c.word_id, `word id of ${JSON.stringify(c.token)}`);
    assert.deepEqual(f.charIds(c.token), c.char_ids, `char ids of ${JSON.stringify(c.token)}`);
  }
  const enc = f.encode(['The', 'patient']);
  assert.deepEqual(enc.wordFirstSubword, [0, 1]);
});

/** tokenizer.json as erlens_train/export.py writes it. */
function tokenizerJson(vocabList: string[], lowercase: boolean) {
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: special.filter((t) => t in vocab).map((t) => ({ id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

test('WordPiece featurizer (@huggingface/tokenizers) reproduces spec/fixtures/featurizer.json', () => {
  const f = WordPieceFeaturizer.fromTokenizerJson(tokenizerJson(fx.wordpiece.vocab, fx.wordpiece.lowercase), 512);
  for (const s of fx.wordpiece.sentences) {
    const enc = f.encode(s.tokens);
    assert.deepEqual(enc.inputIds, s.input_ids, s.tokens.join(' '));
    assert.deepEqual(enc.wordFirstSubword, s.word_first_subword);
  }
});

test('WordPiece: a word spelling a special token is text; too many subwords is an error', () => {
  const f = WordPieceFeaturizer.fromTokenizerJson(tokenizerJson(fx.wordpiece.vocab, false), 6);
  // "[CLS]" as a word: '[' ']' are unknown here, "CLS" too: never the [CLS] id 2
  assert.ok(!f.pieces('[CLS]').includes(2));
  assert.throws(() => f.encode(['The', 'patient', 'took', 'aspirin', '.']), /over the encoder's window of 6/);
});

test('batchInputs pads with zeros and builds only the inputs the graph asks for', () => {
  const f = new WordCharFeaturizer(fx.wordchar.words, fx.wordchar.chars, fx.wordchar.max_chars);
  const feeds = batchInputs([f.encode(['The', 'patient', 'took']), f.encode(['.'])], ['input_ids', 'word_mask', 'char_ids']);
  assert.deepEqual(Object.keys(feeds).sort(), ['char_ids', 'input_ids', 'word_mask']);
  assert.deepEqual(feeds.input_ids.dims, [2, 3]);
  assert.deepEqual(Array.from(feeds.input_ids.data as BigInt64Array, Number), [2, 3, 4, 10, 0, 0]);
  assert.deepEqual(Array.from(feeds.word_mask.data as BigInt64Array, Number), [1, 1, 1, 1, 0, 0]);
  assert.deepEqual(feeds.char_ids.dims, [2, 3, 4]); // "patient" cut to max_chars = 4
});

test('hybrid: WordPiece subwords as input_ids, wordchar word ids as word_ids, windows planned on subwords', () => {
  const wp = WordPieceFeaturizer.fromTokenizerJson(tokenizerJson(fx.wordpiece.vocab, fx.wordpiece.lowercase), 512);
  const wc = new WordCharFeaturizer(fx.wordchar.words, fx.wordchar.chars, fx.wordchar.max_chars);
  const h = new HybridFeaturizer(wp, wc);
  const words = ['The', 'patient', 'took', 'aspirin', '.'];
  const enc = h.encode(words);
  assert.deepEqual(enc.inputIds, wp.encode(words).inputIds);
  assert.deepEqual(enc.wordFirstSubword, wp.encode(words).wordFirstSubword);
  assert.deepEqual(enc.wordIds, wc.encode(words).inputIds);
  assert.deepEqual(h.subwordCounts(words), wp.subwordCounts(words));
  assert.equal(h.specialSubwords, 2);
  const feeds = batchInputs([enc, h.encode(['.'])], ['input_ids', 'word_ids', 'char_ids', 'word_mask']);
  assert.deepEqual(feeds.word_ids.dims, [2, 5]);
  assert.deepEqual(Array.from(feeds.word_ids.data as BigInt64Array, Number).slice(5), [wc.wordId('.'), 0, 0, 0, 0]);
  assert.deepEqual(feeds.input_ids.dims, [2, enc.inputIds.length]);
});

test('featurizers load from the test packages', async () => {
  const wc = loadFeaturizer(await loadPackage(tinyPackageDir));
  assert.equal(wc.kind, 'wordchar');
  assert.ok(wc.encode(['John', 'Wilkes']).inputIds.every((id) => id >= 1));
  if (!fs.existsSync(tinyBertPackageDir)) return;
  const wp = loadFeaturizer(await loadPackage(tinyBertPackageDir));
  assert.equal(wp.kind, 'transformer');
  const enc = wp.encode(['John', 'Wilkes', 'Booth']);
  assert.equal(enc.wordFirstSubword[0], 1);
  assert.ok(enc.inputIds.length >= 5);
});

test('gazetteer ids reproduce spec/fixtures/featurizer.json and reach the graph as gazetteer_ids', () => {
  const gazetteer = Gazetteer.fromText(fx.gazetteer.entries.map((e: string) => e + '\n').join(''));
  for (const c of fx.gazetteer.cases) assert.deepEqual(gazetteer.tags(c.tokens), c.ids, c.tokens.join(' ') || 'empty');
  const withList = new WordCharFeaturizer(fx.wordchar.words, fx.wordchar.chars, fx.wordchar.max_chars, undefined, gazetteer);
  const feeds = batchInputs([withList.encode(['normal', 'saline', 'bolus']), withList.encode(['Coumadin'])], ['input_ids', 'gazetteer_ids']);
  assert.deepEqual(feeds.gazetteer_ids.dims, [2, 3]);
  assert.deepEqual(Array.from(feeds.gazetteer_ids.data as BigInt64Array, Number), [2, 3, 1, 2, 0, 0]);
  // a graph that wants the feature from a featurizer without a list is refused, not fed zeros
  const without = new WordCharFeaturizer(fx.wordchar.words, fx.wordchar.chars, fx.wordchar.max_chars);
  assert.throws(() => batchInputs([without.encode(['saline'])], ['gazetteer_ids']), /no gazetteer/);
});

test('a package whose gazetteer file is missing is refused by name', async () => {
  const dir = copyPackage(tinyPackageDir, 'tiny-gazetteer', (m) => {
    m.encoder.gazetteer = { file: 'gazetteer.txt' };
  });
  await assert.rejects(loadPackage(dir), /tiny-gazetteer.*missing file gazetteer\.txt/);
  fs.writeFileSync(`${dir}/gazetteer.txt`, 'coumadin\nnormal saline\n');
  const f = loadFeaturizer(await loadPackage(dir));
  assert.deepEqual(f.encode(['Normal', 'saline', 'and', 'coumadin']).gazetteerIds, [2, 3, 1, 2]);
});

test('a package text file named .gz is read as gzip (the shipped gazetteer is gazetteer.txt.gz)', async () => {
  const dir = copyPackage(tinyPackageDir, 'tiny-gazetteer-gz', (m) => {
    m.encoder.gazetteer = { file: 'gazetteer.txt.gz' };
  });
  fs.writeFileSync(`${dir}/gazetteer.txt.gz`, zlib.gzipSync('coumadin\nnormal saline\n'));
  const f = loadFeaturizer(await loadPackage(dir));
  assert.deepEqual(f.encode(['Normal', 'saline', 'and', 'coumadin']).gazetteerIds, [2, 3, 1, 2]);
  // a corrupt one is a package error naming the file, not a crash
  fs.writeFileSync(`${dir}/gazetteer.txt.gz`, 'not gzip');
  const corrupt = await loadPackage(dir);
  assert.throws(() => loadFeaturizer(corrupt), /tiny-gazetteer-gz.*cannot read gazetteer\.txt\.gz/);
});

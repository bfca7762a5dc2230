import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyPackage, tempDir, tinyPackageDir } from '../testing/fixtures';
import { PackageCatalogue } from './catalogue';
import { loadPackage, ModelPackageError } from './package';
import { ModelRunner } from './runner';

const isPackageError = (re: RegExp) => (err: unknown) => err instanceof ModelPackageError && re.test((err as Error).message);

test('the tiny package loads and its checksum matches', async () => {
  const pkg = await loadPackage(tinyPackageDir);
  assert.equal(pkg.id, 'tiny-mge');
  assert.equal(pkg.meta.encoder.kind, 'wordchar');
});

test('missing folder, missing file, bad format, bad checksum each give one clear ModelPackageError', async () => {
  const parent = tempDir();
  await assert.rejects(loadPackage(path.join(parent, 'nope'), 'nope'), isPackageError(/'nope': folder not found/));

  const noVocab = copyPackage(tinyPackageDir, 'no-vocab', () => undefined, parent);
  fs.rmSync(path.join(noVocab, 'vocab.words.txt'));
  await assert.rejects(loadPackage(noVocab), isPackageError(/'no-vocab': missing file vocab\.words\.txt/));

  const format2 = copyPackage(tinyPackageDir, 'format-2', (m) => (m.format = 2), parent);
  await assert.rejects(loadPackage(format2), isPackageError(/'format-2': unknown package format 2/));

  const corrupt = copyPackage(tinyPackageDir, 'corrupt', () => undefined, parent);
  const graph = path.join(corrupt, 'model.onnx');
  fs.truncateSync(graph, Math.floor(fs.statSync(graph).size / 2));
  await assert.rejects(loadPackage(corrupt), isPackageError(/'corrupt': checksum mismatch for model\.onnx/));

  fs.writeFileSync(path.join(parent, 'garbled.json'), '');
  const garbled = copyPackage(tinyPackageDir, 'garbled', () => undefined, parent);
  fs.writeFileSync(path.join(garbled, 'model.json'), '{not json');
  await assert.rejects(loadPackage(garbled, 'garbled'), isPackageError(/'garbled': .*garbled\/model\.json is unreadable JSON/));
});

test('a truncated graph whose checksum was updated still fails cleanly when ORT loads it', async () => {
  const parent = tempDir();
  const dir = copyPackage(tinyPackageDir, 'truncated', () => undefined, parent);
  const graph = path.join(dir, 'model.onnx');
  fs.truncateSync(graph, 1000);
  const { createHash } = await import('node:crypto');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  meta.graph.sha256 = createHash('sha256').update(fs.readFileSync(graph)).digest('hex');
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(meta));
  await assert.rejects(ModelRunner.load(dir, { executionProvider: 'cpu' }), isPackageError(/'truncated': the graph cannot be loaded by ONNX Runtime/));
});

test('discovery reports broken packages and keeps the good ones; ids resolve through the roots', async () => {
  const root = tempDir();
  const models = path.join(root, 'models');
  copyPackage(tinyPackageDir, 'good', () => undefined, models);
  const bad = copyPackage(tinyPackageDir, 'bad', () => undefined, models);
  fs.appendFileSync(path.join(bad, 'model.onnx'), 'x');
  const extra = copyPackage(tinyPackageDir, 'extra-one', () => undefined, tempDir());
  const { packages, errors } = await new PackageCatalogue({ userDirs: [extra], extensionRoot: root }).loadAll();
  assert.deepEqual(packages.map((p) => p.id).sort(), ['extra-one', 'good']);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /'bad': checksum mismatch/);
  const catalogue = new PackageCatalogue({ extensionRoot: root });
  assert.equal(catalogue.resolve('good'), path.join(models, 'good'));
  assert.equal(new PackageCatalogue({ userDirs: [extra], extensionRoot: root }).resolve('extra-one'), extra);
  assert.equal(catalogue.resolve(extra), extra);
  // An unknown id names what is installed (the checksum-broken package still lists: it reads).
  assert.throws(() => catalogue.resolve('absent'), isPackageError(/'absent': not installed \(looked in .*; installed: bad, good\)/));
  assert.throws(() => catalogue.resolve(path.join(root, 'nowhere')), isPackageError(/folder not found/));
});

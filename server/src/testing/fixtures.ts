/**
 * Helpers for tests: paths of the spec fixtures and test packages, and throw-away copies of packages
 * (for corrupting them, or for lowering thresholds).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { batchInputs, loadFeaturizer } from '../model/featurizer';
import { loadPackage } from '../model/package';
import { extensionRoot, sharedRoot } from '../paths';

export { extensionRoot, sharedRoot };

export function specFixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(extensionRoot, 'spec', 'fixtures', name), 'utf8')) as T;
}

export const tinyPackageDir = path.join(extensionRoot, 'test', 'fixtures', 'models', 'tiny-mge');
export const tinyBertPackageDir = path.join(extensionRoot, 'test', 'fixtures', 'models', 'tiny-bert-mge');

/**
 * The other architectures' tiny packages (`erlens-train tiny --architecture A --out
 * test/fixtures/models/tiny-A`), one per decoder family besides MGE's: they memorise the same 40
 * CoNLL04 sentences as tiny-mge.
 */
export const tinyArchitectures = ['pfn', 'table-sequence', 'tablert-cnn', 'stsn'] as const;
export function tinyPackageOf(architecture: string): string {
  return path.join(extensionRoot, 'test', 'fixtures', 'models', `tiny-${architecture}`);
}

export function tempDir(prefix = 'erlens-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A copy of a package under a temporary folder, with model.json edited by `edit`. The graph is copied
 * unchanged, so its checksum still holds unless the test breaks it on purpose.
 */
export function copyPackage(src: string, id: string, edit: (meta: any) => void = () => undefined, parent = tempDir()): string {
  const dst = path.join(parent, id);
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  const meta = JSON.parse(fs.readFileSync(path.join(dst, 'model.json'), 'utf8'));
  meta.id = id;
  edit(meta);
  fs.writeFileSync(path.join(dst, 'model.json'), JSON.stringify(meta, null, 2));
  return dst;
}

/**
 * Thresholds under which the tiny test model emits about `entitiesPerSentence` entities and
 * `relationsPerSentence` relations per memorised sentence. The tiny model is regenerated from time to
 * time and its probabilities are not calibrated (they have sat anywhere between 0.005 and 0.5), so
 * tests that need some output calibrate instead of hard-coding numbers. Each threshold sits in the
 * widest gap between neighbouring probabilities near the target rank, so float noise between a
 * batched and a single run cannot move a cell across it.
 */
export async function calibratedThresholds(dir = tinyPackageDir, entitiesPerSentence = 3, relationsPerSentence = 1): Promise<{ entity: number; relation: number }> {
  const key = `${dir}:${entitiesPerSentence}:${relationsPerSentence}`;
  const known = calibrated.get(key);
  if (known) return known;
  const pkg = await loadPackage(dir);
  const featurizer = loadFeaturizer(pkg);
  const session = await ort.InferenceSession.create(pkg.graphPath, { executionProviders: ['cpu'] });
  const ent: number[] = [];
  const rel: number[] = [];
  const sentences = conllTrain(20);
  for (const s of sentences) {
    const out = await session.run(batchInputs([featurizer.encode(s.tokens)], session.inputNames));
    const n = s.tokens.length;
    const e = out[pkg.meta.outputs[0]];
    const K = e.dims[3];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) for (let k = 0; k < K; k++) ent.push((e.data as Float32Array)[(i * n + j) * K + k]);
    for (const v of out[pkg.meta.outputs[1]].data as Float32Array) rel.push(v);
  }
  await session.release();
  const result = { entity: cut(ent, entitiesPerSentence * sentences.length), relation: cut(rel, relationsPerSentence * sentences.length) };
  calibrated.set(key, result);
  return result;
}

const calibrated = new Map<string, { entity: number; relation: number }>();

/** A threshold that keeps about `rank` values: the midpoint of the widest gap near that rank. */
function cut(values: number[], rank: number): number {
  const v = values.sort((a, b) => b - a);
  const lo = Math.max(1, Math.floor(rank * 0.7));
  const hi = Math.min(v.length - 1, Math.ceil(rank * 1.3));
  let best = lo;
  for (let k = lo; k <= hi; k++) if (v[k - 1] - v[k] > v[best - 1] - v[best]) best = k;
  return (v[best - 1] + v[best]) / 2;
}

/**
 * A copy of the tiny test package with calibrated thresholds and the "best" pair policy (which keeps
 * the number of relations small). Tests only assert properties that hold for any output.
 */
export async function chattyTinyPackage(parent?: string, id = 'tiny-chatty', entitiesPerSentence = 3): Promise<string> {
  const thresholds = await calibratedThresholds(tinyPackageDir, entitiesPerSentence);
  return copyPackage(tinyPackageDir, id, (m) => {
    m.thresholds = thresholds;
    m.pair_policy = 'best';
  }, parent);
}

export function conllTrain(n: number): Array<{ id: string; tokens: string[]; entities: any[]; relations: any[] }> {
  const lines = fs.readFileSync(path.join(sharedRoot, 'data', 'conll04', 'train.jsonl'), 'utf8').split('\n');
  return lines.filter((l) => l.trim()).slice(0, n).map((l) => JSON.parse(l));
}

/**
 * A run-on sentence of `n` words from the memorised CoNLL04 sentences, letters and digits only (no
 * sentence end inside): longer than any package's max_words, so the runner has to window it.
 */
export function runOnSentence(n = 300): string[] {
  return conllTrain(40).flatMap((s) => s.tokens).filter((w) => /^[\p{L}\p{N}]+$/u.test(w)).slice(0, n);
}

/**
 * A Markdown document of input no model was trained on: a one-token sentence, a line of punctuation
 * only, and the run-on sentence (one paragraph each). Models must give valid, possibly empty, results.
 */
export function oddInputDocument(): string {
  return ['Smith', '. , ; : ! ? -- ( ) " \' ...', runOnSentence().join(' ')].join('\n\n') + '\n';
}

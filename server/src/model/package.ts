/**
 * Model packages (spec/model-package.md): read model.json, and refuse a package whose format is
 * unknown, whose files are missing or whose graph does not match its checksum, with one message that
 * names the package and the problem. Where packages are is model/catalogue.ts's business.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelPackageError } from '../decoders/manifest';
import type { DecoderManifest } from '../decoders/manifest';
import type { SpanTrim } from '../decoders/spanTrim';

export { ModelPackageError };

export const PACKAGE_FORMAT = 1;

export interface EncoderMeta {
  kind: 'wordchar' | 'transformer' | 'hybrid'; // hybrid: transformer subwords + wordchar word and char ids
  name?: string;
  licence?: string;
  // wordchar
  words?: string;
  chars?: string;
  max_chars?: number;
  /** wordchar and hybrid: a name list read as one more feature per word (model/gazetteer.ts). */
  gazetteer?: { file: string; entries?: number; [key: string]: unknown };
  // transformer
  tokenizer?: string;
  lowercase?: boolean;
  /** transformer and hybrid: how the encoder's weights are stored; `int8` is dynamic quantisation. */
  weights?: 'fp32' | 'int8' | 'fp16';
  /**
   * int8: how activations are quantised. Absent: per ORT call over the whole batch (quantize_dynamic), so a
   * sentence's result depends on its batch mates; `per-token`: from each token alone (batch-independent).
   */
  activations?: 'per-token';
  [key: string]: unknown;
}

export interface DevScores {
  ner_micro?: number;
  re_micro?: number;
  ner_macro?: number;
  re_macro?: number;
}

/** model.json, as export.py writes it: the decoders' part (DecoderManifest) and the rest. */
export interface ModelMeta extends DecoderManifest {
  format: number;
  architecture: string;
  /** relation type -> the [head type, tail type] pairs its training data has (decoders/constraints.ts). */
  relation_arguments?: Record<string, string[][]>;
  /** entity type -> words its guidelines keep off the span edges (decoders/spanTrim.ts). */
  span_trim?: SpanTrim;
  /** The kind of text the package was trained for ("clinical", "general", "science"): routing/domainRouter.ts. */
  domain?: string;
  /** True when the training data had headings; other packages never see headings (they are not sentences). */
  reads_headings?: boolean;
  encoder: EncoderMeta;
  max_words: number;
  max_subwords: number;
  inputs: string[];
  training?: { dataset?: string; averaging?: string; [key: string]: unknown };
  dev_scores?: { pytorch_fp32?: DevScores | null; onnx?: DevScores | null; [key: string]: DevScores | null | undefined };
  parameters?: number;
  graph: { file: string; sha256: string; opset?: number };
  [key: string]: unknown;
}

export interface ModelPackage {
  id: string;
  dir: string;
  meta: ModelMeta;
  graphPath: string;
  /** Absolute paths of the further stages' graphs, by stage name. */
  stagePaths: Record<string, string>;
}

/** Read and check one package folder. Throws ModelPackageError. */
export async function loadPackage(dir: string, ref: string = dir): Promise<ModelPackage> {
  const metaPath = path.join(dir, 'model.json');
  let raw: string;
  try {
    raw = await fs.promises.readFile(metaPath, 'utf8');
  } catch {
    throw new ModelPackageError(ref, fs.existsSync(dir) ? `no model.json in ${dir}` : `folder not found: ${dir}`);
  }
  let meta: ModelMeta;
  try {
    meta = JSON.parse(raw) as ModelMeta;
  } catch (err) {
    throw new ModelPackageError(ref, `${metaPath} is unreadable JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const name = typeof meta?.id === 'string' && meta.id ? meta.id : ref;
  const problem = checkMeta(meta);
  if (problem) throw new ModelPackageError(name, problem);

  const graphPath = path.join(dir, meta.graph.file);
  const stages = Object.entries(meta.stages ?? {});
  const required = [meta.graph.file, ...stages.map(([, s]) => s.file)];
  if (meta.encoder.kind !== 'transformer') required.push(meta.encoder.words ?? 'vocab.words.txt', meta.encoder.chars ?? 'vocab.chars.json');
  if (meta.encoder.kind !== 'wordchar') required.push(meta.encoder.tokenizer ?? 'tokenizer.json');
  if (meta.encoder.gazetteer) required.push(meta.encoder.gazetteer.file);
  for (const file of required) {
    if (!fs.existsSync(path.join(dir, file))) throw new ModelPackageError(name, `missing file ${file}`);
  }
  // Every graph (the main one and each stage) must match its checksum.
  for (const { file, sha256 } of [meta.graph, ...stages.map(([, s]) => s)]) {
    const actual = await sha256File(path.join(dir, file));
    if (actual !== sha256.toLowerCase()) {
      throw new ModelPackageError(name, `checksum mismatch for ${file} (expected ${sha256.slice(0, 12)}…, found ${actual.slice(0, 12)}…): the graph is corrupt or was replaced`);
    }
  }
  const stagePaths = Object.fromEntries(stages.map(([stage, s]) => [stage, path.resolve(dir, s.file)]));
  return { id: meta.id, dir: path.resolve(dir), meta, graphPath, stagePaths };
}

/** The first problem with a parsed model.json, or null. */
function checkMeta(meta: ModelMeta): string | null {
  if (!meta || typeof meta !== 'object') return 'model.json is not an object';
  if (meta.format !== PACKAGE_FORMAT) return `unknown package format ${JSON.stringify(meta.format)} (this ERlens reads format ${PACKAGE_FORMAT})`;
  if (typeof meta.id !== 'string' || !meta.id) return 'model.json has no id';
  if (typeof meta.decoder !== 'string') return 'model.json has no decoder';
  if (!Array.isArray(meta.entity_types) || !Array.isArray(meta.relation_types)) return 'model.json lacks entity_types/relation_types';
  if (!meta.encoder || !['wordchar', 'transformer', 'hybrid'].includes(meta.encoder.kind)) {
    return `unknown encoder kind ${JSON.stringify(meta.encoder?.kind)}`;
  }
  const gazetteer = meta.encoder.gazetteer;
  if (gazetteer !== undefined && (meta.encoder.kind === 'transformer' || typeof gazetteer?.file !== 'string' || !gazetteer.file)) {
    return 'model.json encoder.gazetteer needs a file, and a wordchar or hybrid encoder';
  }
  if (!Number.isInteger(meta.max_words) || meta.max_words < 2) return 'model.json has no usable max_words';
  if (!meta.graph || typeof meta.graph.file !== 'string' || typeof meta.graph.sha256 !== 'string') return 'model.json has no graph file/sha256';
  if (meta.thresholds !== undefined && (typeof meta.thresholds !== 'object' || meta.thresholds === null)) return 'model.json thresholds is not an object';
  if (meta.decoding !== undefined && (typeof meta.decoding !== 'object' || meta.decoding === null)) return 'model.json decoding is not an object';
  if (!Array.isArray(meta.outputs)) return 'model.json has no outputs';
  if (meta.stages !== undefined) {
    if (typeof meta.stages !== 'object' || meta.stages === null) return 'model.json stages is not an object';
    for (const [stage, s] of Object.entries(meta.stages)) {
      const names = (x: unknown) => Array.isArray(x) && x.every((n) => typeof n === 'string');
      if (!s || typeof s.file !== 'string' || typeof s.sha256 !== 'string' || !names(s.inputs) || !names(s.outputs)) {
        return `model.json stage '${stage}' needs file, sha256, inputs and outputs`;
      }
    }
  }
  if (meta.relation_arguments !== undefined) {
    const args = meta.relation_arguments;
    if (typeof args !== 'object' || args === null) return 'model.json relation_arguments is not an object';
    for (const [rel, pairs] of Object.entries(args)) {
      if (!meta.relation_types.includes(rel)) return `model.json relation_arguments names an unknown relation type '${rel}'`;
      const ok = Array.isArray(pairs) && pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((t) => meta.entity_types.includes(t)));
      if (!ok) return `model.json relation_arguments['${rel}'] must be a list of [head type, tail type] pairs of known entity types`;
    }
  }
  if (meta.domain !== undefined && (typeof meta.domain !== 'string' || !meta.domain)) return 'model.json domain must be a non-empty string';
  if (meta.span_trim !== undefined) {
    const words = (x: unknown) => x === undefined || (Array.isArray(x) && x.every((w) => typeof w === 'string'));
    const rules = typeof meta.span_trim === 'object' && meta.span_trim !== null ? Object.values(meta.span_trim) : undefined;
    const ok = rules?.every((r) => r && typeof r === 'object' && words(r.leading) && words(r.trailing) && words(r.never) && (r.strength === undefined || typeof r.strength === 'boolean'));
    if (!ok) return 'model.json span_trim must map entity types to {"leading": [words], "trailing": [words], "strength": true|false, "never": [phrases]}';
  }
  // Decoder-specific settings (thresholds, decoding) are checked by the decoder (decoders/index.ts).
  meta.symmetric_relations ??= [];
  if (meta.decoder === 'span-table') meta.pair_policy ??= 'all';
  meta.max_subwords ??= meta.max_words;
  return null;
}

// Hashing a large graph takes a moment; a package is re-read on every settings change, so remember
// the digest of a file as long as its size and modification time stay the same.
const digestCache = new Map<string, { size: number; mtimeMs: number; sha: string }>();

export async function sha256File(file: string): Promise<string> {
  const st = await fs.promises.stat(file);
  const known = digestCache.get(file);
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known.sha;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
  const sha = hash.digest('hex');
  digestCache.set(file, { size: st.size, mtimeMs: st.mtimeMs, sha });
  return sha;
}

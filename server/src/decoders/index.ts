/**
 * Decoder registry: model.json `decoder` -> a function from raw graph outputs to word-level results.
 *
 * Every family (span tables now; BIO/BILOU tables and span classification later) has the same shape,
 * so the runner does not care which one a package uses.
 */
import type * as ort from 'onnxruntime-node';
import type { SentenceResult } from '../pipeline/types';
import { ModelMeta, ModelPackageError } from '../model/package';
import { decodeTables, tableView } from './spanTable';

/** Decode batch row `batchIndex` (a sentence of `nWords` words) of a graph's outputs. */
export type Decoder = (outputs: Record<string, ort.Tensor>, batchIndex: number, nWords: number, meta: ModelMeta) => SentenceResult;

function output(outputs: Record<string, ort.Tensor>, name: string, meta: ModelMeta): ort.Tensor {
  const t = outputs[name];
  if (!t) throw new ModelPackageError(meta.id, `the graph has no output '${name}'`);
  return t;
}

export const decodeSpanTable: Decoder = (outputs, b, nWords, meta) => {
  const [entName = 'entity_probs', relName = 'relation_probs'] = meta.outputs;
  const ent = output(outputs, entName, meta);
  const rel = output(outputs, relName, meta);
  return decodeTables(tableView(ent.data as Float32Array, ent.dims, b), tableView(rel.data as Float32Array, rel.dims, b), nWords, {
    entityTypes: meta.entity_types,
    relationTypes: meta.relation_types,
    symmetricRelations: meta.symmetric_relations ?? [],
    entityThreshold: meta.thresholds.entity,
    relationThreshold: meta.thresholds.relation,
    pairPolicy: meta.pair_policy ?? 'all',
  });
};

const registry = new Map<string, Decoder>([['span-table', decodeSpanTable]]);

export function registerDecoder(name: string, decoder: Decoder): void {
  registry.set(name, decoder);
}

export function knownDecoders(): string[] {
  return [...registry.keys()];
}

/** The decoder a package names; an unknown name is a package problem, reported as such. */
export function decoderFor(meta: ModelMeta): Decoder {
  const d = registry.get(meta.decoder);
  if (!d) throw new ModelPackageError(meta.id, `unknown decoder '${meta.decoder}' (this ERlens knows: ${knownDecoders().join(', ')})`);
  return d;
}

/**
 * The part of a package's model.json that decoders read (spec/model-package.md), and the error a
 * package problem is reported with. It lives here, on the decoders' floor, so that decoders never
 * import the package loader (model/package.ts extends these types with the rest of model.json).
 */

/** A package that cannot be used; `message` is one line naming the package and the problem. */
export class ModelPackageError extends Error {
  constructor(
    readonly packageRef: string,
    readonly problem: string,
  ) {
    super(`model package '${packageRef}': ${problem}`);
    this.name = 'ModelPackageError';
  }
}

/** A graph stage besides the main graph (model.json `stages`, e.g. STSN's "pairs"). */
export interface StageMeta {
  file: string;
  sha256: string;
  inputs: string[];
  outputs: string[];
}

/** Decoder settings (model.json `decoding`); which keys matter depends on the decoder family. */
export interface DecodingMeta {
  // tag-table
  tagging?: 'BIO' | 'BILOU';
  relation_cells?: 'block' | 'last-word';
  // span-pairs
  rel_threshold?: number;
  suppress_overlaps?: boolean;
  [key: string]: unknown;
}

/** What a decoder family needs to know about its package. */
export interface DecoderManifest {
  id: string;
  /** The decoder family: `span-table`, `tag-table` or `span-pairs` (decoders/index.ts). */
  decoder: string;
  entity_types: string[];
  relation_types: string[];
  symmetric_relations: string[];
  /** Output names of the main graph, in the order the family expects them. */
  outputs: string[];
  /** span-table: both; span-pairs: relation; tag-table (argmax decoding): none. */
  thresholds?: { entity?: number; relation?: number; entity_by_type?: Record<string, number> };
  /** span-table only. */
  pair_policy?: 'all' | 'best';
  decoding?: DecodingMeta;
  stages?: Record<string, StageMeta>;
}

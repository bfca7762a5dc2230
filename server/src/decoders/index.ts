/**
 * Decoder registry: model.json `decoder` -> the family that turns a batch of raw graph outputs into
 * word-level results (decoder.ts says what a family is). Each family's file is named after it:
 *
 *   span-table  PFN, MGE              entity / relation tables            (spanTable.ts)
 *   tag-table   Table-Sequence,       tags per word, labels per word pair (tagTable.ts)
 *               TablERT-CNN
 *   span-pairs  STSN                  span classes, then a second graph   (spanPairs.ts)
 *                                     stage scores pairs of kept spans
 */
import type { Decoder } from './decoder';
import { ModelPackageError } from './manifest';
import type { DecoderManifest } from './manifest';
import { spanPairsDecoder } from './spanPairs';
import { spanTableDecoder } from './spanTable';
import { tagTableDecoder } from './tagTable';

const registry: ReadonlyMap<string, Decoder> = new Map([spanTableDecoder, tagTableDecoder, spanPairsDecoder].map((d) => [d.name, d]));

export function knownDecoders(): string[] {
  return [...registry.keys()];
}

/** The decoder a package names, after checking its part of model.json; problems are package errors. */
export function decoderFor(meta: DecoderManifest): Decoder {
  const d = registry.get(meta.decoder);
  if (!d) throw new ModelPackageError(meta.id, `unknown decoder '${meta.decoder}' (this ERlens knows: ${knownDecoders().join(', ')})`);
  const problem = d.check(meta);
  if (problem) throw new ModelPackageError(meta.id, problem);
  return d;
}

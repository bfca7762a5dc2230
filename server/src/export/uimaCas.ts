/**
 * INCEpTION documents as UIMA CAS JSON (the Apache UIMA JSON CAS format 0.4.0, which INCEpTION imports
 * as "UIMA CAS JSON" and DKPro Cassis reads): one `<stem>.cas.json` per document, holding the text as
 * the sofa, the sentences and tokens (DKPro Core types, so INCEpTION shows the text as ERlens read it),
 * one `NamedEntity` per entity (`value` = type; INCEpTION's built-in Named Entity layer, which has no place
 * for an assertion status) and one
 * `webanno.custom.Relation` per relation (Governor = head, Dependent = tail, `label`, `assertion`; a
 * custom relation layer on Named Entity, docs/export-formats.md says how to add it to a project).
 * Offsets are UTF-16 code units, as UIMA counts (Java strings): ERlens' own `start`/`end`.
 */
import type { ExportDocument } from './exportDocument';
import { tokenizeWords } from '../text/wordTokenizer';

export const UIMA_TYPES = {
  sentence: 'de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence',
  token: 'de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token',
  entity: 'de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity',
  relation: 'webanno.custom.Relation',
} as const;

const ANNOTATION = 'uima.tcas.Annotation';
const STRING = 'uima.cas.String';
const feature = (name: string, range: string) => ({ '%NAME': name, '%RANGE': range });

/** The type system the file declares (%TYPES): every type it uses, so it loads without another. */
function typeSystem(): Record<string, Record<string, unknown>> {
  return {
    [UIMA_TYPES.sentence]: { '%NAME': UIMA_TYPES.sentence, '%SUPER_TYPE': ANNOTATION },
    [UIMA_TYPES.token]: { '%NAME': UIMA_TYPES.token, '%SUPER_TYPE': ANNOTATION },
    [UIMA_TYPES.entity]: { '%NAME': UIMA_TYPES.entity, '%SUPER_TYPE': ANNOTATION, value: feature('value', STRING) },
    [UIMA_TYPES.relation]: {
      '%NAME': UIMA_TYPES.relation,
      '%SUPER_TYPE': ANNOTATION,
      Governor: feature('Governor', UIMA_TYPES.entity),
      Dependent: feature('Dependent', UIMA_TYPES.entity),
      label: feature('label', STRING),
      assertion: feature('assertion', STRING),
    },
  };
}

export function toUimaCasJson({ annotations: a, text }: ExportDocument): string {
  const structures: Record<string, unknown>[] = [{ '%ID': 1, '%TYPE': 'uima.cas.Sofa', sofaNum: 1, sofaID: '_InitialView', mimeType: 'text/plain', sofaString: text }];
  const members: number[] = [];
  const add = (fs: Record<string, unknown>) => {
    const id = structures.length + 1;
    structures.push({ '%ID': id, ...fs, '@sofa': 1 });
    members.push(id);
    return id;
  };
  for (const s of a.sentences) {
    if (s.end > text.length) continue;
    add({ '%TYPE': UIMA_TYPES.sentence, begin: s.start, end: s.end });
    for (const w of tokenizeWords(text.slice(s.start, s.end), s.start)) add({ '%TYPE': UIMA_TYPES.token, begin: w.start, end: w.end });
  }
  const idOf = new Map<string, number>();
  for (const e of a.entities) {
    if (e.end > text.length) continue;
    idOf.set(e.id, add({ '%TYPE': UIMA_TYPES.entity, begin: e.start, end: e.end, value: e.type }));
  }
  for (const r of a.relations) {
    const governor = idOf.get(r.head.id);
    const dependent = idOf.get(r.tail.id);
    if (governor === undefined || dependent === undefined) continue;
    // INCEpTION anchors a relation at its dependent's span
    add({ '%TYPE': UIMA_TYPES.relation, begin: r.tail.start, end: r.tail.end, '@Governor': governor, '@Dependent': dependent, label: r.type, assertion: r.assertion.status });
  }
  const cas = { '%TYPES': typeSystem(), '%FEATURE_STRUCTURES': structures, '%VIEWS': { _InitialView: { '%SOFA': 1, '%MEMBERS': members } } };
  return JSON.stringify(cas) + '\n';
}

/**
 * brat's annotation.conf for an export folder: brat refuses to show an .ann whose types or attributes
 * its configuration does not declare, so the brat export writes one beside the .ann files.
 *
 * It declares every entity type, every relation type with the argument types it was seen with, and
 * one binary attribute per assertion status other than present (brat attributes are flags: a
 * present mention simply has none). A folder that already holds an annotation.conf ERlens wrote is
 * merged with it, so exporting more documents into the same folder keeps the earlier ones loadable;
 * an annotation.conf someone else wrote is left alone.
 */
import type { AssertionStatus, DocumentAnnotations } from '../annotations/types';

/** The brat attribute of each status; present has none. */
export const BRAT_ATTRIBUTES: Readonly<Record<Exclude<AssertionStatus, 'present'>, string>> = {
  negated: 'Negated',
  possible: 'Possible',
  hypothetical: 'Hypothetical',
  historical: 'Historical',
  family: 'Family',
};

export const BRAT_CONFIG_FILE = 'annotation.conf';
export const BRAT_CONFIG_MARKER = '# Written by ERlens';

/** brat type names cannot hold whitespace. */
export const bratType = (t: string) => t.replace(/\s+/g, '_') || '_';

export interface BratTypes {
  entities: Set<string>;
  /** relation type -> [Arg1 types, Arg2 types] */
  relations: Map<string, [Set<string>, Set<string>]>;
}

export function emptyTypes(): BratTypes {
  return { entities: new Set(), relations: new Map() };
}

export function addTypes(types: BratTypes, annotations: DocumentAnnotations): BratTypes {
  for (const e of annotations.entities) types.entities.add(bratType(e.type));
  for (const r of annotations.relations) {
    const name = bratType(r.type);
    const args = types.relations.get(name) ?? [new Set<string>(), new Set<string>()];
    args[0].add(bratType(r.head.type));
    args[1].add(bratType(r.tail.type));
    types.relations.set(name, args);
  }
  return types;
}

/** The types an ERlens-written annotation.conf declares (undefined: not one of ours, leave it). */
export function parseOwnConfig(text: string): BratTypes | undefined {
  if (!text.startsWith(BRAT_CONFIG_MARKER)) return undefined;
  const types = emptyTypes();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    if (section === 'entities') types.entities.add(line);
    else if (section === 'relations') {
      const m = /^(\S+)\s+Arg1:([^,]+),\s*Arg2:(\S+)$/.exec(line);
      if (m) types.relations.set(m[1], [new Set(m[2].split('|')), new Set(m[3].split('|'))]);
    }
  }
  return types;
}

export function renderConfig(types: BratTypes): string {
  const sorted = (s: Iterable<string>) => [...s].sort();
  const lines = [
    `${BRAT_CONFIG_MARKER} beside its .ann files, so that brat can open them (docs/export-formats.md).`,
    '# Assertion status: one flag per status other than present; a relation\'s status is in its AnnotatorNotes.',
    '[entities]',
    ...sorted(types.entities),
    '[relations]',
    ...sorted(types.relations.keys()).map((r) => {
      const [a1, a2] = types.relations.get(r)!;
      return `${r} Arg1:${sorted(a1).join('|')}, Arg2:${sorted(a2).join('|')}`;
    }),
    '[events]',
    '[attributes]',
    ...Object.values(BRAT_ATTRIBUTES).map((a) => `${a} Arg:<ENTITY>`),
  ];
  return lines.join('\n') + '\n';
}

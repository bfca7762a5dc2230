/**
 * The semantic token legend: one token type per entity type of the shipped models.
 * The ids here are the ones declared in package.json `contributes.semanticTokenTypes`; their order is the
 * legend the server announces, so never reorder — only append (a test checks the two lists agree).
 */
import type { AssertionStatus } from '../annotations/types';
import { ASSERTION_STATUSES } from '../annotations/types';

export interface TokenTypeInfo {
  id: string; // legal semantic token type id (letters only)
  superType: string; // standard type whose theme colour it borrows
  scopes: string[]; // TextMate fallback for themes without semantic rules
  entityTypes: string[]; // package entity types (exact, case-sensitive) that map here
  description: string;
}

export const TOKEN_TYPES: readonly TokenTypeInfo[] = [
  { id: 'erlensEntity', superType: 'variable', scopes: ['variable.other.readwrite'], entityTypes: [], description: 'An entity of a type ERlens has no dedicated colour for.' },
  { id: 'erlensPerson', superType: 'class', scopes: ['entity.name.class'], entityTypes: ['Peop', 'Person', 'PER'], description: 'A person (CoNLL04 Peop).' },
  { id: 'erlensLocation', superType: 'enumMember', scopes: ['variable.other.enummember'], entityTypes: ['Loc', 'Location', 'LOC'], description: 'A location (CoNLL04 Loc).' },
  { id: 'erlensOrganization', superType: 'function', scopes: ['entity.name.function'], entityTypes: ['Org', 'Organization', 'ORG'], description: 'An organisation (CoNLL04 Org).' },
  { id: 'erlensOther', superType: 'number', scopes: ['constant.numeric'], entityTypes: ['Other', 'MISC'], description: 'Another named entity (CoNLL04 Other).' },
  { id: 'erlensDrug', superType: 'type', scopes: ['entity.name.type'], entityTypes: ['Drug', 'DRUG'], description: 'A drug (ADE Drug).' },
  { id: 'erlensAdverseEffect', superType: 'string', scopes: ['string.quoted'], entityTypes: ['Adverse-Effect', 'AdverseEffect', 'ADE'], description: 'An adverse effect (ADE Adverse-Effect).' },
];

export const GENERIC_TOKEN_TYPE = 0; // index of erlensEntity

/** The modifier of each assertion status, so themes can style negated or hypothetical entities. */
export const ASSERTION_MODIFIERS: Readonly<Record<AssertionStatus, string>> = {
  present: 'erlensPresent',
  negated: 'erlensNegated',
  possible: 'erlensPossible',
  hypothetical: 'erlensHypothetical',
  historical: 'erlensHistorical',
  family: 'erlensFamily',
};

/** Token modifiers; bit i of a token's modifier set is TOKEN_MODIFIERS[i]. Append only. */
export const TOKEN_MODIFIERS: readonly string[] = ['erlensRelated', ...ASSERTION_STATUSES.map((s) => ASSERTION_MODIFIERS[s])];
export const RELATED_MODIFIER_BIT = 1 << 0; // the entity takes part in at least one (shown) relation

/** The modifier bit of an entity's assertion status. */
export function assertionModifierBit(status: AssertionStatus): number {
  const i = TOKEN_MODIFIERS.indexOf(ASSERTION_MODIFIERS[status]);
  return i < 0 ? 0 : 1 << i;
}

const indexByEntityType = new Map<string, number>();
TOKEN_TYPES.forEach((t, i) => t.entityTypes.forEach((e) => indexByEntityType.set(e, i)));

/** Legend index for a package entity type; unknown types get the generic erlensEntity. */
export function tokenTypeIndex(entityType: string): number {
  return indexByEntityType.get(entityType) ?? GENERIC_TOKEN_TYPE;
}

export const LEGEND = {
  tokenTypes: TOKEN_TYPES.map((t) => t.id),
  tokenModifiers: [...TOKEN_MODIFIERS],
};

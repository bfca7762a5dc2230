/**
 * Section labels of clinical notes, found in the word tokens of one line unit.
 *
 * Dictated and transcribed notes mark their sections with labels in the running text, not with
 * Markdown, and a label is not a statement about the patient: it becomes a segment of its own (kind
 * 'heading') and the text after it starts a new sentence. Four shapes are labels:
 *
 *  1. CAPS + ':' — "HISTORY OF PRESENT ILLNESS:", "HEENT:", "HEAD, EYES, EARS, NOSE AND THROAT:": one to
 *     eight upper-case words (with '/', '&', '-' or ", " between them) at the start of a unit, of a
 *     sentence, after another label or after a comma or semicolon ("Vitals: BP 124/78, HEENT: ...").
 *  2. CAPS + ',' — MTSamples run-ons that join sections with commas:
 *     "PREOPERATIVE DIAGNOSES,Airway obstruction ... trachea.,POSTOPERATIVE DIAGNOSES,Airway ...".
 *     The comma is glued to the run and to the next word, or the run follows the ".," join.
 *  3. Title Case + ':' — "Allergies: none", "Past Medical History: ...", at most five words (small
 *     words such as "of" allowed between them) at the start of a unit, after another label or after
 *     the ".," join. The colon must be glued to the label. A label of one word must be a section
 *     title of SECTION_WORDS ("Allergies:", "Plan:"): one capitalised word and a colon is as often a
 *     news dateline ("Montana: A fire burning ...") or a speaker, which are prose.
 *  4. CAPS at the end of a line, nothing after it — a clinical section title (clinicalSectionTitle)
 *     alone on its line or after the ".," join: "Otherwise noncontributory.,MEDICATIONS" + a list.
 *
 * Text written entirely in capitals ("THE PATIENT IS A 45 YEAR OLD MALE.") is prose: a run of capitals
 * is a label only when ':' or the glued ',' ends it. Each check looks at a bounded number of tokens
 * from a bounded set of places, so finding labels is linear in the unit's length.
 */
import { isTerminator, mayEndSentence, terminatorGroupEnd } from './sentences';
import type { RawToken } from './wordTokenizer';

export interface Label {
  start: number; // token indices [start, end), the ':' or ',' included
  end: number;
  /** "Medications:", "DISCHARGE MEDICATIONS," ...: what follows is a medication list. */
  medication: boolean;
}

/** Where a token stands, which decides the label shapes that may start there. */
type Place = 'unit' | 'sentence' | 'join' | 'label' | 'gluedComma' | 'clause' | 'none';

const MAX_CAPS_WORDS = 8;
const MAX_TITLE_WORDS = 5;
const CONNECTORS = new Set(['/', '&', '-', '–']);
const TITLE_SMALL_WORDS = new Set(['of', 'and', 'or', 'the', 'a', 'an', 'in', 'on', 'at', 'to', 'for', 'with', 'by', 'from', 'per']);
/**
 * One-word section titles of clinical notes (lower case): the common titles of history-and-physical,
 * operative and discharge notes (cf. the SecTag section terminology, Denny et al. 2008, and the section
 * rules medspaCy's sectionizer ships), plus the review-of-systems and exam headings of the MTSamples notes.
 */
const SECTION_WORDS = new Set(
  ('allergies allergy medications medication meds assessment plan impression impressions diagnosis diagnoses ' +
    'findings indications indication procedure procedures subjective objective history exam examination ' +
    'disposition recommendations recommendation labs laboratory results complications anesthesia comments ' +
    'summary course followup follow-up instructions problems problem vitals vital signs general constitutional ' +
    'heent head eyes ears nose throat neck chest lungs respiratory pulmonary heart cardiac cardiovascular ' +
    'abdomen gastrointestinal genitourinary gu gi rectal pelvic extremities skin dermatologic integumentary ' +
    'neurologic neurological psychiatric musculoskeletal lymphatic hematologic endocrine immunizations ' +
    'immunization reflexes motor sensory gait coordination station weight height pulse temperature surgery ' +
    'surgeries operation technique description specimen specimens drains fluids dressing consent complaint ' +
    'reason signature addendum note').split(' '),
);
/** Longest heading read as a section title of a clinical note (longer ones are titles of prose). */
const MAX_SECTION_TITLE_WORDS = 5;

/**
 * The section title a heading's words name, lower-cased ("## Current Medications" -> "current
 * medications", "ALLERGIES:" -> "allergies"), or null when the heading is not one of a clinical
 * note's sections (no SECTION_WORDS word, or longer than a section title).
 */
export function clinicalSectionTitle(words: readonly string[]): string | null {
  const lower = words.filter((w) => /\p{L}/u.test(w)).map((w) => w.toLowerCase());
  if (lower.length === 0 || lower.length > MAX_SECTION_TITLE_WORDS) return null;
  return lower.some((w) => w.split(/[/&-]/).some((part) => SECTION_WORDS.has(part))) ? lower.join(' ') : null;
}

const MEDICATION_LABEL = /\b(?:medications?|meds|medicines?|drugs|prescriptions?)\b/i;

export function isCapsWord(t: string): boolean {
  return /^[\p{Lu}\p{N}\p{M}'’]+$/u.test(t) && /\p{Lu}/u.test(t);
}
function isTitleWord(t: string): boolean {
  return /^\p{Lu}[\p{Ll}\p{M}'’]*$/u.test(t);
}
function letters(t: string): number {
  return t.replace(/[^\p{L}]/gu, '').length;
}
const glued = (a: RawToken, b: RawToken) => a.end === b.start;

/** All labels in `tokens[from, to)`, in order and non-overlapping. */
export function findLabels(tokens: readonly RawToken[], from: number, to: number): Label[] {
  const labels: Label[] = [];
  let place: Place = 'unit';
  let i = from;
  while (i < to) {
    if (place !== 'none') {
      const label = labelAt(tokens, i, to, place);
      if (label) {
        labels.push(label);
        i = label.end;
        place = 'label';
        continue;
      }
    }
    const t = tokens[i].text;
    if (isTerminator(t)) {
      const g = terminatorGroupEnd(tokens, i, to);
      if (g + 1 < to && tokens[g + 1].text === ',' && glued(tokens[g], tokens[g + 1])) {
        i = g + 2;
        place = 'join';
      } else {
        i = g + 1;
        place = 'sentence';
      }
      continue;
    }
    if (t === ',' && i > from && i + 1 < to && glued(tokens[i - 1], tokens[i]) && glued(tokens[i], tokens[i + 1])) place = 'gluedComma';
    else if (mayEndSentence(t)) place = 'sentence'; // "81 mg. PLAN: ..."
    else place = t === ',' || t === ';' ? 'clause' : 'none';
    i++;
  }
  return labels;
}

/** Does a label start at the first token of a line? (Such a line never continues the previous one.) */
export function labelStartsAt(tokens: readonly RawToken[], i: number, to: number): boolean {
  return labelAt(tokens, i, to, 'unit') !== null;
}

function labelAt(tokens: readonly RawToken[], i: number, to: number, place: Place): Label | null {
  let end = capsLabelEnd(tokens, i, to, place) ?? (place === 'unit' || place === 'join' || place === 'label' || place === 'gluedComma' ? titleLabelEnd(tokens, i, to) : null);
  if (end === null) return null;
  // "CC:, Confusion", "DISPOSITION,: The patient": punctuation glued to the label's own is part of it.
  if (end < to && (tokens[end].text === ',' || tokens[end].text === ':') && tokens[end].text !== tokens[end - 1].text && glued(tokens[end - 1], tokens[end])) end++;
  let words = '';
  for (let k = i; k < end; k++) words += tokens[k].text + ' ';
  return { start: i, end, medication: MEDICATION_LABEL.test(words) };
}

/** Shapes 1 and 2: the end (exclusive, after ':' or ',') of a caps label starting at `i`, or null. */
function capsLabelEnd(tokens: readonly RawToken[], i: number, to: number, place: Place): number | null {
  let j = i;
  let words = 0;
  let long = false;
  let innerComma = -1; // the first ", " inside the run ("HEAD, EYES, EARS:")
  let longBeforeComma = false;
  while (j < to && words < MAX_CAPS_WORDS) {
    const t = tokens[j].text;
    if (isCapsWord(t)) {
      words++;
      long ||= letters(t) >= 2;
      j++;
      continue;
    }
    const canJoin = words > 0 && j + 1 < to && isCapsWord(tokens[j + 1].text);
    if (canJoin && CONNECTORS.has(t)) {
      j++;
      continue;
    }
    // A comma followed by a space may separate the parts of one label; a glued comma ends the run.
    if (canJoin && t === ',' && !glued(tokens[j], tokens[j + 1])) {
      if (innerComma < 0) {
        innerComma = j;
        longBeforeComma = long;
      }
      j++;
      continue;
    }
    break;
  }
  if (words === 0) return null;
  if (j >= to) return lineEndingSectionTitle(tokens, i, j, place) ? j : null;
  const stop = tokens[j];
  if (stop.text === ':' && long && isCapsWord(tokens[j - 1].text)) return j + 1;
  const mtsamplesPlace = place === 'unit' || place === 'sentence' || place === 'join' || place === 'label' || place === 'gluedComma';
  if (!mtsamplesPlace) return null;
  if (stop.text === ',' && innerComma < 0 && long && glued(tokens[j - 1], stop)) {
    if (place === 'join' || (j + 1 < to && glued(stop, tokens[j + 1]))) return j + 1;
  }
  // ".,PREOPERATIVE DIAGNOSES, AIRWAY OBSTRUCTION." in capitals: the part before the first comma.
  if (innerComma >= 0 && place === 'join' && longBeforeComma && glued(tokens[innerComma - 1], tokens[innerComma])) return innerComma + 1;
  return null;
}

/**
 * Shape 4: a section title in capitals that ends its line, with no ':' or ',' after it, where a section
 * may start: "Otherwise noncontributory.,MEDICATIONS" then "1. NyQuil." on the next line (MTSamples), or
 * "ALLERGIES" alone on a line. Only a clinical section title: a line that ends in "... tested for HIV" or
 * "NASA" is prose.
 */
function lineEndingSectionTitle(tokens: readonly RawToken[], i: number, end: number, place: Place): boolean {
  if (place !== 'unit' && place !== 'join' && place !== 'label' && place !== 'sentence') return false;
  const words: string[] = [];
  for (let k = i; k < end; k++) words.push(tokens[k].text);
  return clinicalSectionTitle(words) !== null;
}

/** Shape 3: the end (after the glued ':') of a Title Case label starting at `i`, or null. */
function titleLabelEnd(tokens: readonly RawToken[], i: number, to: number): number | null {
  let j = i;
  let words = 0;
  let long = false;
  while (j < to && words <= MAX_TITLE_WORDS && j - i < 3 * MAX_TITLE_WORDS) {
    const t = tokens[j].text;
    if (isTitleWord(t) || isCapsWord(t)) {
      words++;
      long ||= letters(t) >= 2;
      j++;
      continue;
    }
    if (words > 0 && (TITLE_SMALL_WORDS.has(t) || CONNECTORS.has(t))) {
      j++;
      continue;
    }
    break;
  }
  if (words === 0 || words > MAX_TITLE_WORDS || !long || j >= to) return null;
  const last = tokens[j - 1];
  if (tokens[j].text !== ':' || !glued(last, tokens[j]) || !(isTitleWord(last.text) || isCapsWord(last.text))) return null;
  if (words === 1 && j - i === 1 && !SECTION_WORDS.has(last.text.toLowerCase())) return null;
  return j + 1;
}

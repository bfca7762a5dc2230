/**
 * The one gate a document passes before it is analysed: not too long, and something a person wrote.
 * Binary files opened as text (images, archives, a .txt that is really UTF-16) are full of NULs and
 * control characters; running models on them is wasted work and produces nonsense annotations. The
 * language server asks it before a document goes to the worker (with erlens.maxFileSize), the
 * Annotator before it analyses (its maxDocumentChars), exports before they annotate a file; each
 * caller reports the reason it returns as it is, once.
 */
const SAMPLE = 65_536;

/** Why the text is binary content, or null. */
export function binaryContentReason(text: string): string | null {
  const sample = text.length > SAMPLE ? text.slice(0, SAMPLE) : text;
  if (sample.length === 0) return null;
  if (sample.includes('\u0000')) return 'skipped: the file contains NUL bytes (binary content)';
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    const control = (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || (c >= 0x7f && c <= 0x9f);
    if (control || c === 0xfffd) odd++;
  }
  const ratio = odd / sample.length;
  if (ratio > 0.05) return `skipped: ${(ratio * 100).toFixed(0)}% of the characters are control or undecodable characters (binary content)`;
  return null;
}

/**
 * Why the document is not analysed, or null when it is. `limitName` says where the limit comes from
 * ("erlens.maxFileSize"), so the reason tells the user what to change.
 */
export function documentSkipReason(text: string, maxChars: number, limitName?: string): string | null {
  if (typeof text !== 'string') return 'skipped: no text';
  if (text.length > maxChars) {
    return `skipped: the document has ${text.length} characters, over the limit of ${maxChars}${limitName ? ` (${limitName})` : ''}`;
  }
  return binaryContentReason(text);
}

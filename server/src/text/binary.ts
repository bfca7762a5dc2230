/**
 * Is this text something a person wrote? Binary files opened as text (images, archives, a .txt that
 * is really UTF-16) are full of NULs and control characters; running models on them is wasted work
 * and produces nonsense annotations, so the annotator skips them with this reason.
 */
const SAMPLE = 65_536;

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

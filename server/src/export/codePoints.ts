/**
 * UTF-16 offsets (JavaScript, LSP) -> Unicode code point offsets (Python, brat). They differ by one
 * for every astral character (emoji, rare CJK) before the offset.
 */
export class CodePointIndex {
  /** UTF-16 indices of the second unit of every surrogate pair, ascending. */
  private readonly lowSurrogates: number[] = [];

  constructor(text: string) {
    for (let i = 0; i < text.length - 1; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) this.lowSurrogates.push(++i);
      }
    }
  }

  toCodePoint(utf16Offset: number): number {
    // count of pair second-halves strictly before the offset
    let lo = 0;
    let hi = this.lowSurrogates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lowSurrogates[mid] < utf16Offset) lo = mid + 1;
      else hi = mid;
    }
    return utf16Offset - lo;
  }
}

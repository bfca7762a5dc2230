/** Lines of a document with their offsets; `\n`, `\r\n` and a lone `\r` all end a line. */
export interface Line {
  start: number; // UTF-16 offset of the first character
  end: number; // offset of the line ending (or of the end of the text)
  next: number; // offset of the first character of the next line
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */ || c === 13 /* \r */) {
      const next = c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      lines.push({ start, end: i, next });
      start = next;
      i = next - 1;
    }
  }
  lines.push({ start, end: text.length, next: text.length });
  return lines;
}

export function isBlank(text: string, line: Line): boolean {
  return /^[ \t\f\v\u00a0]*$/.test(text.slice(line.start, line.end));
}

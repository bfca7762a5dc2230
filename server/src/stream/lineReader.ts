/**
 * Lines of a byte stream, each at most `maxBytes` long, read only as fast as they are consumed.
 *
 * Why not `readline`: it keeps a whole line in memory however long it is, and its async iterator reads
 * ahead by up to a thousand lines. A JSONL document stream from a cluster may hold a 50 MB line (a
 * binary file, a dump); this reader keeps at most `maxBytes` of a line, reports an over-long line by its
 * length without keeping it, and pulls the next chunk from the stream only when the consumer asks for
 * the next line (the stream's own async iterator: backpressure reaches the producer).
 */

export type ReadLine =
  | { number: number; text: string }
  /** A line over the limit: its length, its first bytes (where an id may be found), nothing else. */
  | { number: number; tooLong: number; head: string };

const NEWLINE = 0x0a;
const HEAD_BYTES = 4096;

export async function* readLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<ReadLine> {
  let parts: Buffer[] = [];
  let kept = 0; // bytes in parts
  let length = 0; // bytes of the current line, kept or not
  let head: Buffer | undefined; // the first bytes of a line that went over the limit
  let number = 0;

  const finish = (): ReadLine => {
    number++;
    const over = head !== undefined;
    const line = over ? { number, tooLong: length, head: head!.toString('utf8') } : { number, text: stripCr(Buffer.concat(parts, kept).toString('utf8')) };
    parts = [];
    kept = 0;
    length = 0;
    head = undefined;
    return line;
  };
  const take = (piece: Buffer) => {
    length += piece.length;
    if (head !== undefined) return;
    if (kept + piece.length > maxBytes) {
      head = Buffer.concat([...parts, piece]).subarray(0, HEAD_BYTES);
      parts = [];
      kept = 0;
      return;
    }
    parts.push(piece);
    kept += piece.length;
  };

  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (let nl = buf.indexOf(NEWLINE, from); nl >= 0; nl = buf.indexOf(NEWLINE, from)) {
      take(buf.subarray(from, nl));
      from = nl + 1;
      yield finish();
    }
    // Copied: the stream may reuse its chunk's memory.
    if (from < buf.length) take(Buffer.from(buf.subarray(from)));
  }
  if (length > 0 || parts.length > 0 || head !== undefined) yield finish();
}

/** Windows line endings: the JSON text ends before the \r. */
function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

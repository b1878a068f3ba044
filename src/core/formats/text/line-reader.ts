import type { ImportWarning } from '../../../contract/warnings';

/** One line of a line-oriented source. */
export interface SourceLine {
  /** 1-based line number. */
  line: number;
  /** Text without the line terminator (CR stripped when the file uses CRLF). */
  text: string;
  /** Byte offset just after this line's terminator. */
  bytesRead: number;
  /** False for a final line that has no terminating newline. */
  terminated: boolean;
}

export const MAX_LINE_BYTES = 1024 * 1024;

export interface LineReaderOptions {
  maxLineBytes?: number;
  /** Receives file-level and line-level warnings raised while splitting (BOM, CRLF, NUL, too long). */
  warn: (w: ImportWarning) => void;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = Uint8Array.from([0xef, 0xbb, 0xbf]);

/** Whether `bytes` opens with the first `n` bytes of a UTF-8 BOM. */
function opensLikeBom(bytes: Uint8Array, n: number): boolean {
  return bytes.length >= n && BOM.subarray(0, n).every((b, i) => bytes[i] === b);
}

/**
 * Splits a byte stream into lines without holding the file in memory, one batch per chunk.
 * A leading UTF-8 BOM is stripped (however the first bytes are chunked), CRLF endings are
 * accepted, and a line longer than `maxLineBytes` is skipped with a warning (its bytes are never
 * accumulated past the limit). BOM, CRLF and NUL bytes each give one file-level warning. Each line
 * is decoded as UTF-8 on its own: invalid bytes read as U+FFFD, and a U+FEFF opening a line is
 * dropped, as a whole-text read would drop it.
 */
export async function* readLineBatches(
  chunks: AsyncIterable<Uint8Array>,
  options: LineReaderOptions,
): AsyncGenerator<SourceLine[]> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let parts: Uint8Array[] = [];
  let partLen = 0;
  let tooLong = false;
  let lineNo = 0;
  let offset = 0;
  let sawCrlf = false;
  let sawNul = false;

  const finishLine = (terminated: boolean, bytesRead: number): SourceLine | null => {
    lineNo += 1;
    // Up to one byte more than the limit is gathered, for the CR of a CRLF ending; without that
    // CR, the line is one byte too long.
    const last = parts.findLast((p) => p.length > 0);
    const cr = terminated && last !== undefined && last[last.length - 1] === CR;
    if (tooLong || partLen - (cr ? 1 : 0) > max) {
      options.warn({
        line: lineNo,
        locator: `line ${lineNo}`,
        code: 'LINE_TOO_LONG',
        message: `Line ${lineNo} is longer than ${max} bytes and was skipped.`,
      });
      tooLong = false;
      parts = [];
      partLen = 0;
      return null;
    }
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partLen);
    parts = [];
    partLen = 0;
    if (cr) {
      buf = buf.subarray(0, buf.length - 1);
      if (!sawCrlf) {
        sawCrlf = true;
        options.warn({
          line: null,
          locator: 'file',
          code: 'CRLF_LINE_ENDINGS',
          message: `The file uses CRLF line endings (first seen on line ${lineNo}); they were accepted.`,
        });
      }
    }
    if (!sawNul && buf.includes(0)) {
      sawNul = true;
      options.warn({
        line: null,
        locator: 'file',
        code: 'NUL_BYTES',
        message: `The file contains NUL bytes (first on line ${lineNo}); such lines are reported as malformed.`,
      });
    }
    return { line: lineNo, text: decoder.decode(buf), bytesRead, terminated };
  };

  /**
   * The file's first bytes while they could still open a BOM; null once the check is made. The
   * check waits for three bytes, so a BOM split over chunks (or after an empty one) is still seen.
   */
  let head: Uint8Array | null = new Uint8Array(0);

  /** Splits one chunk, adding the lines it ends to `batch`. */
  const take = (raw: Uint8Array, batch: SourceLine[]): void => {
    let chunk = raw;
    if (head !== null) {
      chunk = head.length === 0 ? raw : Buffer.concat([head, raw]);
      if (chunk.length < 3 && opensLikeBom(chunk, chunk.length)) {
        // Copy: the caller may reuse the chunk's buffer.
        head = Uint8Array.from(chunk);
        return;
      }
      head = null;
      if (opensLikeBom(chunk, 3)) {
        chunk = chunk.subarray(3);
        offset += 3;
        options.warn({
          line: null,
          locator: 'file',
          code: 'BOM_STRIPPED',
          message: 'The file starts with a UTF-8 byte order mark; it was ignored.',
        });
      }
    }
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (!tooLong) {
        if (partLen + piece.length > max + 1) tooLong = true;
        else {
          parts.push(piece);
          partLen += piece.length;
        }
      }
      offset += nl + 1 - start;
      start = nl + 1;
      const out = finishLine(true, offset);
      if (out) batch.push(out);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      offset += rest.length;
      if (!tooLong) {
        if (partLen + rest.length > max + 1) {
          tooLong = true;
          parts = [];
          partLen = 0;
        } else {
          // Copy: the caller may reuse the chunk's buffer.
          parts.push(Uint8Array.from(rest));
          partLen += rest.length;
        }
      }
    }
  };

  for await (const raw of chunks) {
    const batch: SourceLine[] = [];
    take(raw, batch);
    if (batch.length > 0) yield batch;
  }
  // A file shorter than a BOM that starts like one: its bytes are text.
  if (head !== null && head.length > 0) {
    const held = head;
    head = null;
    take(held, []);
  }
  if (partLen > 0 || tooLong) {
    const out = finishLine(false, offset);
    if (out) yield [out];
  }
}

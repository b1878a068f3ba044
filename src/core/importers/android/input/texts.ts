// Reading texts: files and zip entries, hashed as read, split into lines and sections, or read
// whole; streamed to the caller's sinks when it reads in streaming mode.
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportWarning } from '../../../../contract/warnings';
import { ZipError, type ZipArchive, type ZipEntry } from '../../../formats/zip/index';
import { openRegularFile } from '../../evidence-file';
import { MAX_LINE_BYTES, readLineBatches } from '../../line-reader';
import { DumpSplitter, DumpTooLargeError, type DumpSplit } from '../sections';
import type { AndroidSectionStream, Collector } from './collector';
import { AndroidInputError, HEAD_BYTES, READ_CHUNK, type Source } from './collector';

/** A file read through a fresh handle each time: the opener refuses anything but a regular file. */
export function fileSource(
  openFile: () => Promise<FileHandle>,
  name: string,
  size: number,
): Source {
  return {
    name,
    size,
    async head(bytes) {
      const fh = await openFile();
      try {
        const buf = Buffer.alloc(Math.min(bytes, size));
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    async *chunks() {
      const fh = await openFile();
      try {
        let pos = 0;
        for (;;) {
          const buf = Buffer.allocUnsafe(READ_CHUNK);
          const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, pos);
          if (bytesRead === 0) return;
          pos += bytesRead;
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    },
  };
}

/** A zip entry as a readable file (refused entries throw). */
export function entrySource(zip: ZipArchive, entry: ZipEntry, name: string): Source {
  if (entry.refusal !== null) {
    throw new AndroidInputError(`${name} cannot be read: ${entry.refusal.message}.`);
  }
  return {
    name,
    size: entry.uncompressedSize,
    async head() {
      return Buffer.from(await entryHead(zip, entry));
    },
    chunks: () => zip.openEntryStream(entry),
  };
}

/** Streams the bytes through a hash, recording the file once they have all been read. */
export async function* hashed(src: Source, c: Collector): AsyncGenerator<Uint8Array> {
  const hash: Hash = createHash('sha256');
  let size = 0;
  for await (const chunk of src.chunks()) {
    hash.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  c.files.push({ name: src.name, size, sha256: hash.digest('hex') });
}

/** The lines of a file, as read (too-long lines are noted as problems). */
export async function* linesOf(src: Source, c: Collector): AsyncGenerator<string> {
  const warn = (w: ImportWarning) => {
    if (w.code === 'LINE_TOO_LONG') c.problems.push(`${src.name}: ${w.message}`);
  };
  for await (const batch of readLineBatches(hashed(src, c), { warn })) {
    for (const l of batch) yield l.text;
    if (c.stream?.pause) await c.stream.pause();
  }
}

/**
 * Splits a main text line by line, keeping the wanted services only; returns every service
 * the text holds.
 */
export async function splitSource(
  src: Source,
  c: Collector,
  only?: ReadonlySet<string>,
): Promise<string[]> {
  const keep = only ?? c.wanted;
  if (c.factsOnly && c.stream) return scanForGetprop(src, keep, c.stream);
  const stream = c.stream;
  const splitter = new DumpSplitter({
    keep: (service) => keep.has(service),
    maxKeptChars: c.remaining(),
    stream: stream ? (service, startLine) => stream.open(service, src.name, startLine) : undefined,
  });
  try {
    for await (const line of linesOf(src, c)) splitter.push(line);
  } catch (err) {
    if (err instanceof ZipError || err instanceof DumpTooLargeError) {
      throw new AndroidInputError(`${src.name}: ${err.message}`);
    }
    throw err;
  }
  const split = splitter.finish();
  addSplit(split, src.name, c);
  return [...new Set(split.sections.map((x) => x.service))];
}

/**
 * Lists a main text the read of its records will split: only its first getprop section is
 * streamed now, found by searching its bytes; nothing after it is read, nothing is hashed or
 * noted (that one read does both).
 */
export async function listMainText(src: Source, c: Collector): Promise<void> {
  if (c.stream) await scanForGetprop(src, c.wanted, c.stream, false);
  c.files.push({ name: src.name, size: src.size, sha256: null, mainText: true });
}

/** Words a getprop header line holds: `------ SYSTEM PROPERTIES (getprop) ------`, `DUMP OF SERVICE getprop:`. */
const GETPROP_WORDS = [Buffer.from('SYSTEM PROPERTIES'), Buffer.from('getprop:')];
const LONGEST_WORD = Math.max(...GETPROP_WORDS.map((w) => w.length));
const LF = 0x0a;

/**
 * The first read of a main text when only the facts are wanted: its bytes are searched for a
 * getprop header word, and lines are split and sectioned only from the start of the line holding
 * the first one, up to the end of the first getprop section; with `readThrough`, the rest is
 * read through unsplit (so a damaged archive entry still fails here), otherwise it is left unread.
 * A section header is recognised by its own line alone, so from any line start the splitter finds
 * the same getprop section, with the same lines, as a read of the whole text. Returns
 * `['getprop']` when it found one.
 */
export async function scanForGetprop(
  src: Source,
  keep: ReadonlySet<string>,
  stream: AndroidSectionStream,
  readThrough = true,
): Promise<string[]> {
  const chunks = src.chunks()[Symbol.asyncIterator]();
  try {
    const start = keep.has('getprop') ? await findGetpropWord(chunks) : null;
    let seen = false;
    if (start !== null) seen = await streamFirstGetprop(start, chunks, src.name, stream);
    if (readThrough) for (let r = await chunks.next(); !r.done; r = await chunks.next());
    return seen ? ['getprop'] : [];
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  } finally {
    await chunks.return?.(undefined);
  }
}

/** The first position at or after `from` where a getprop word starts, or -1. */
function firstWord(bytes: Uint8Array, from: number): number {
  let hit = -1;
  for (const w of GETPROP_WORDS) {
    const i = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(w, from);
    if (i >= 0 && (hit < 0 || i < hit)) hit = i;
  }
  return hit;
}

/**
 * Reads chunks up to the first getprop word that is not inside a line too long to be read, and
 * returns the bytes from the start of its line to the end of that chunk; null when the text
 * holds none. Only the current line's bytes are held (at most a line's limit), each chunk copied
 * once.
 */
async function findGetpropWord(chunks: AsyncIterator<Uint8Array>): Promise<Uint8Array | null> {
  // The current line's bytes from earlier chunks, unless it is already longer than a line can be.
  let parts: Uint8Array[] = [];
  let partsLen = 0;
  let long = false;
  // The stream's last bytes, for a word cut by a chunk's end.
  let tail: Uint8Array = new Uint8Array(0);
  for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
    const chunk = r.value;
    const joint = Buffer.concat([tail, chunk.subarray(0, LONGEST_WORD - 1)]);
    const spanning = firstWord(joint, 0);
    // A word cut by the chunk's start lies in the line the chunk begins with.
    let hit = spanning >= 0 && spanning < tail.length ? 0 : firstWord(chunk, 0);
    while (hit >= 0) {
      const lf = chunk.lastIndexOf(LF, hit);
      if (lf >= 0) return chunk.subarray(lf + 1);
      if (!long) return Buffer.concat([...parts, chunk]);
      // Inside a line the line reader skips as too long: look on from the next line.
      const next = chunk.indexOf(LF, hit);
      hit = next < 0 ? -1 : firstWord(chunk, next + 1);
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf >= 0) {
      parts = [Uint8Array.from(chunk.subarray(lastLf + 1))];
      partsLen = parts[0]!.length;
      long = false;
    } else if (!long) {
      parts.push(Uint8Array.from(chunk));
      partsLen += chunk.length;
    }
    if (partsLen > MAX_LINE_BYTES + 1) {
      parts = [];
      partsLen = 0;
      long = true;
    }
    const joined = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - LONGEST_WORD))]);
    tail = Uint8Array.from(joined.subarray(Math.max(0, joined.length - (LONGEST_WORD - 1))));
  }
  return null;
}

/**
 * Splits lines from `start` on and streams the first getprop section; stops reading lines when it
 * ends. True when one was found.
 */
async function streamFirstGetprop(
  head: Uint8Array,
  chunks: AsyncIterator<Uint8Array>,
  origin: string,
  stream: AndroidSectionStream,
): Promise<boolean> {
  let opened = false;
  let ended = false;
  const splitter = new DumpSplitter({
    keep: (service) => service === 'getprop',
    stream: (service, startLine) => {
      const sink = stream.open(service, origin, startLine);
      opened = true;
      return {
        line: (text, lineNo) => sink.line(text, lineNo),
        end: () => {
          sink.end();
          ended = true;
        },
      };
    },
  });
  // The iterator is advanced by hand: leaving the lines early must not close the source.
  // A byte order mark opening the first line is dropped as a whole read drops it on any line
  // (its decoder takes each line as a new text).
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    yield head;
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) yield r.value;
  };
  for await (const batch of readLineBatches(rest(), { warn: () => {} })) {
    for (const l of batch) {
      splitter.push(l.text);
      if (ended) return true;
    }
    if (stream.pause) await stream.pause();
  }
  splitter.finish();
  return opened;
}

function addSplit(split: DumpSplit, origin: string, c: Collector): void {
  for (const p of split.problems) {
    c.problems.push(`${origin}${p.line !== null ? ` line ${p.line}` : ''}: ${p.message}`);
  }
  if (split.header.dumpstateTime !== null && c.header === null) {
    c.header = split.header;
    c.capture.push({
      kind: 'dumpstate',
      text: split.header.dumpstateTime,
      source: `${origin} line ${split.header.dumpstateLine}: dumpstate header`,
    });
  }
  const lines = new Map<string, number[]>();
  for (const s of split.sections) {
    if (!s.kept) continue;
    c.charge(s.text.length, origin);
    const matched = s.endMarkerService === s.service;
    c.sections.push({
      service: s.service,
      text: s.text,
      origin,
      startLine: s.startLine,
      endedAt: matched ? s.endedAt : null,
    });
    lines.set(s.service, [...(lines.get(s.service) ?? []), s.headerLine]);
    if (matched && s.endedAt !== null) {
      c.capture.push({
        kind: 'end-line',
        text: s.endedAt,
        source: `${origin} line ${s.endMarkerLine}: end line of dumpsys ${s.service}`,
      });
    }
  }
  for (const [service, at] of lines) {
    if (at.length > 1) {
      c.problems.push(
        `${origin} holds ${at.length} "${service}" sections (headers on lines ${at.join(', ')}); all are kept.`,
      );
    }
  }
}

/** A whole file as one section: streamed line by line, or read whole. */
export async function readSection(
  service: string,
  src: Source,
  c: Collector,
  origin: string = src.name,
): Promise<void> {
  // A read for the facts wants getprop alone; the other outputs are left for the full read.
  if (c.factsOnly && service !== 'getprop') return;
  if (!c.stream) {
    c.addSection(service, await readLinesText(src, c), origin);
    return;
  }
  const sink = c.stream.open(service, origin, 1);
  let lineNo = 0;
  try {
    for await (const line of linesOf(src, c)) sink.line(line, ++lineNo);
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  }
  sink.end();
  c.sections.push({ service, text: '', origin, startLine: 1, endedAt: null });
}

/** Reads a whole text line by line (CRLF becomes LF), counted against the section bound. */
export async function readLinesText(src: Source, c: Collector): Promise<string> {
  const lines: string[] = [];
  let chars = 0;
  try {
    for await (const line of linesOf(src, c)) {
      chars += line.length + 1;
      if (chars > c.remaining()) {
        throw new AndroidInputError(
          `${src.name} exceeds the limit of ${c.maxChars} characters of section text.`,
        );
      }
      lines.push(line);
    }
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  }
  const text = lines.join('\n');
  c.charge(text.length, src.name);
  return text;
}

/** Reads a whole JSON file, within the JSON bound. */
export async function readJson(src: Source, c: Collector): Promise<string> {
  if (src.size > c.maxJsonBytes) {
    throw new AndroidInputError(
      `${src.name} is ${src.size} bytes, more than the ${c.maxJsonBytes} bytes allowed for a JSON file.`,
    );
  }
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of hashed(src, c)) parts.push(chunk);
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  }
  const text = new TextDecoder('utf-8').decode(Buffer.concat(parts));
  c.charge(text.length, src.name);
  return text;
}

/** The SHA-256 of a regular file. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const src = fileSource(() => openRegularFile(path, basename(path)), basename(path), 0);
  for await (const chunk of src.chunks()) hash.update(chunk);
  return hash.digest('hex');
}

/** The SHA-256 of bytes, in hex. */
export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** The first bytes of a zip entry, as text. */
export async function entryHead(zip: ZipArchive, entry: ZipEntry): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of zip.openEntryStream(entry)) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= HEAD_BYTES) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

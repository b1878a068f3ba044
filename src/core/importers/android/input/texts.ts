// Reading texts: files and zip entries, hashed as read, split into lines and sections, or read
// whole; streamed to the caller's sinks when it reads in streaming mode.
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportWarning } from '../../../../contract/warnings';
import { ZipError, type ZipArchive, type ZipEntry } from '../../../formats/zip/index';
import { openRegularFile } from '../../evidence-file';
import { readLineBatches } from '../../line-reader';
import { DumpSplitter, DumpTooLargeError, type DumpSplit } from '../sections';
import type { Collector } from './collector';
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

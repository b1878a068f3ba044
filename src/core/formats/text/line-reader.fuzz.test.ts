import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportWarning } from '../../../contract/warnings';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { MAX_LINE_BYTES, readLineBatches, type SourceLine } from './line-reader';

const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/** A warning without its wording: what the properties compare. */
interface WarningShape {
  code: string;
  line: number | null;
  locator: string;
  /** The line a file-level warning names in its message (`first seen on line N`). */
  names: number | null;
}

function shape(w: ImportWarning): WarningShape {
  const named = /line (\d+)/.exec(w.message);
  return {
    code: w.code,
    line: w.line,
    locator: w.locator,
    names: w.line === null && named ? Number(named[1]) : null,
  };
}

/**
 * What the module documents, computed on the whole buffer at once: a leading BOM dropped with a
 * warning, lines split at LF and numbered from 1, `bytesRead` just after each terminator (the BOM
 * counted), the CR of a terminated line stripped, a line longer than `max` bytes (CR stripped)
 * skipped with a warning, one warning for the first CRLF and the first NUL, and each line decoded
 * on its own as UTF-8 (invalid bytes as U+FFFD, a U+FEFF opening the line dropped).
 */
function reference(bytes: Uint8Array, max: number) {
  const lines: SourceLine[] = [];
  const warnings: WarningShape[] = [];
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    start = 3;
    warnings.push({ code: 'BOM_STRIPPED', line: null, locator: 'file', names: null });
  }
  let lineNo = 0;
  let sawCrlf = false;
  let sawNul = false;
  while (start < bytes.length) {
    const lf = bytes.indexOf(LF, start);
    const terminated = lf >= 0;
    const end = terminated ? lf : bytes.length;
    let raw = Buffer.from(bytes.subarray(start, end));
    const bytesRead = terminated ? lf + 1 : bytes.length;
    start = bytesRead;
    lineNo += 1;
    const crlf = terminated && raw.length > 0 && raw[raw.length - 1] === CR;
    if (crlf) raw = raw.subarray(0, raw.length - 1);
    if (raw.length > max) {
      warnings.push({
        code: 'LINE_TOO_LONG',
        line: lineNo,
        locator: `line ${lineNo}`,
        names: null,
      });
      continue;
    }
    if (crlf && !sawCrlf) {
      sawCrlf = true;
      warnings.push({ code: 'CRLF_LINE_ENDINGS', line: null, locator: 'file', names: lineNo });
    }
    if (raw.includes(0) && !sawNul) {
      sawNul = true;
      warnings.push({ code: 'NUL_BYTES', line: null, locator: 'file', names: lineNo });
    }
    const text = raw.toString('utf8').replace(/^\uFEFF/, '');
    lines.push({ line: lineNo, text, bytesRead, terminated });
  }
  return { lines, warnings };
}

/** The buffer cut at the given points (empty chunks included when two cuts coincide). */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    chunks.push(bytes.slice(from, c));
    from = c;
  }
  return chunks;
}

/**
 * Yields the chunks from one reused buffer, scribbled over once the reader asks for the next,
 * as a stream reusing its buffer would: a reader keeping a reference past its turn sees garbage.
 */
async function* reusing(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  const size = Math.max(1, ...chunks.map((c) => c.length));
  const buf = new Uint8Array(size);
  for (const c of chunks) {
    buf.set(c);
    yield buf.subarray(0, c.length);
    buf.fill(0x41);
  }
}

async function* fresh(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function read(source: AsyncIterable<Uint8Array>, max?: number) {
  const warnings: ImportWarning[] = [];
  const lines: SourceLine[] = [];
  for await (const batch of readLineBatches(source, {
    maxLineBytes: max,
    warn: (w) => warnings.push(w),
  })) {
    expect(batch.length).toBeGreaterThan(0);
    lines.push(...batch);
  }
  return { lines, warnings: warnings.map(shape) };
}

const enc = (s: string): number[] => [...Buffer.from(s, 'utf8')];

/** Pieces chosen to land on the reader's edges: terminators, BOMs, NULs, multi-byte and invalid UTF-8. */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(enc('\n'), enc('\r\n'), enc('\r'), enc('\n\n')) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(enc('a'), enc('xyz'), enc('é'), enc('€'), enc('😀'), enc('{"k":1}')),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      BOM,
      [0],
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0xef, 0xbb],
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 }).map((n) => Array<number>(n).fill(0x78)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map((a) => [...a]) },
);

const text = fc
  .tuple(fc.boolean(), fc.array(piece, { maxLength: 40 }))
  .map(([bom, pieces]) => Uint8Array.from([...(bom ? BOM : []), ...pieces.flat()]));

const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('readLineBatches against a whole-buffer split', () => {
  it(
    'gives the reference lines, numbers, offsets and warnings however the bytes are chunked',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          text,
          cuts,
          fc.integer({ min: 0, max: 40 }),
          fc.boolean(),
          async (bytes, at, max, reuse) => {
            const chunks = cut(bytes, at);
            const got = await read(reuse ? reusing(chunks) : fresh(chunks), max);
            expect(got).toEqual(reference(bytes, max));
          },
        ),
        fuzzOptions(600),
      );
    },
    fuzzing() ? 0 : 30_000,
  );

  it(
    'arbitrary bytes in small chunks never throw and match the reference',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 400 }),
          fc.integer({ min: 1, max: 9 }),
          fc.integer({ min: 0, max: 300 }),
          async (bytes, size, max) => {
            const chunks: Uint8Array[] = [];
            for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
            expect(await read(fresh(chunks), max)).toEqual(reference(bytes, max));
          },
        ),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 30_000,
  );

  it(
    'keeps or skips lines right at the default limit (1 MiB) whatever the chunking',
    async () => {
      const around = fc.record({
        len: fc.integer({ min: MAX_LINE_BYTES - 2, max: MAX_LINE_BYTES + 2 }),
        end: fc.constantFrom('', '\n', '\r\n', '\r'),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(around, { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          async (specs, at) => {
            const parts: Buffer[] = [];
            // Each long line is followed by a short one, so an ending of '' or '\r' joins them.
            specs.forEach((s, i) => {
              parts.push(Buffer.alloc(s.len, 0x61 + i), Buffer.from(s.end), Buffer.from('ok\n'));
            });
            const bytes = Buffer.concat(parts);
            const got = await read(fresh(cut(bytes, at)));
            const want = reference(bytes, MAX_LINE_BYTES);
            // Comparing the shapes first keeps a failure's message short.
            expect(got.warnings).toEqual(want.warnings);
            expect(
              got.lines.map((l) => [l.line, l.text.length, l.bytesRead, l.terminated]),
            ).toEqual(want.lines.map((l) => [l.line, l.text.length, l.bytesRead, l.terminated]));
            expect(got.lines).toEqual(want.lines);
          },
        ),
        fuzzOptions(12),
      );
    },
    fuzzing() ? 0 : 60_000,
  );

  it('holds no more than the limit of an endless line in memory', async () => {
    // 256 MiB without a newline, from one reused 1 MiB buffer: only what the reader keeps grows.
    const chunk = new Uint8Array(1 << 20).fill(0x78);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 256; i += 1) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        yield chunk;
      }
      yield Buffer.from('\nafter\n');
    }
    const got = await read(endless());
    expect(got.lines.map((l) => [l.line, l.text])).toEqual([[2, 'after']]);
    expect(got.warnings.map((w) => w.code)).toEqual(['LINE_TOO_LONG']);
    expect(peak).toBeLessThan(64 << 20);
  });

  it(
    'stops reading and closes the source when the consumer stops early',
    async () => {
      await fc.assert(
        fc.asyncProperty(text, cuts, fc.nat({ max: 5 }), async (bytes, at, stopAfter) => {
          const chunks = cut(bytes, at);
          let pulled = 0;
          let closed = false;
          async function* source(): AsyncGenerator<Uint8Array> {
            try {
              for (const c of chunks) {
                pulled += 1;
                yield c;
              }
            } finally {
              closed = true;
            }
          }
          const warnings: ImportWarning[] = [];
          const batches: SourceLine[][] = [];
          for await (const batch of readLineBatches(source(), {
            warn: (w) => warnings.push(w),
            maxLineBytes: 20,
          })) {
            batches.push(batch);
            if (batches.length > stopAfter) break;
          }
          expect(closed).toBe(true);
          const all = await read(fresh(chunks), 20);
          const seen = batches.flat();
          // What was read is the start of the whole read, and nothing was warned past it.
          expect(seen).toEqual(all.lines.slice(0, seen.length));
          const last = seen.at(-1);
          if (batches.length > stopAfter && last?.terminated) {
            // Stopped on a batch: no chunk was pulled past the one that completed it, and the
            // warnings are those of the lines ended in the chunks read.
            let upTo = 0;
            for (let n = chunks[0]!.length; n < last.bytesRead; n += chunks[upTo]!.length)
              upTo += 1;
            expect(pulled).toBe(upTo + 1);
            const read = chunks.slice(0, upTo + 1).reduce((n, c) => n + c.length, 0);
            const ended = bytes.subarray(0, bytes.subarray(0, read).lastIndexOf(LF) + 1);
            expect(warnings.map(shape)).toEqual(reference(ended, 20).warnings);
          } else {
            expect(pulled).toBe(chunks.length);
            expect(warnings.map(shape)).toEqual(all.warnings);
          }
        }),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 30_000,
  );

  it(
    'passes a failing source’s error on after the lines read before it',
    async () => {
      const boom = new Error('source failed');
      await fc.assert(
        fc.asyncProperty(text, cuts, fc.nat(), async (bytes, at, failAt) => {
          const chunks = cut(bytes, at);
          const fail = failAt % (chunks.length + 1);
          async function* source(): AsyncGenerator<Uint8Array> {
            for (const c of chunks.slice(0, fail)) yield c;
            throw boom;
          }
          const seen: SourceLine[] = [];
          await expect(
            (async () => {
              for await (const batch of readLineBatches(source(), { warn: () => {} }))
                seen.push(...batch);
            })(),
          ).rejects.toBe(boom);
          const whole = reference(bytes, MAX_LINE_BYTES).lines;
          expect(seen).toEqual(whole.slice(0, seen.length));
          expect(seen.every((l) => l.terminated)).toBe(true);
        }),
        fuzzOptions(200),
      );
    },
    fuzzing() ? 0 : 30_000,
  );
});

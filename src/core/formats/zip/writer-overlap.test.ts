import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Zlib from 'node:zlib';
import type { DeflateRaw, ZlibOptions } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { zipEntries } from '../../testing/zip-entries';
import { deflateToFile, ZipWriter } from './writer';

// Blocks handed to zlib whose deflate has not yet been reported done, across all streams.
const zlibState = vi.hoisted(() => ({ inFlight: 0, most: 0 }));

vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof Zlib>();
  return {
    ...zlib,
    createDeflateRaw: (options?: ZlibOptions): DeflateRaw => {
      const stream = zlib.createDeflateRaw(options);
      const write = stream.write.bind(stream) as (chunk: Buffer, cb?: () => void) => boolean;
      stream.write = ((chunk: Buffer, cb?: () => void) => {
        zlibState.inFlight += 1;
        zlibState.most = Math.max(zlibState.most, zlibState.inFlight);
        return write(chunk, () => {
          zlibState.inFlight -= 1;
          cb?.();
        });
      }) as DeflateRaw['write'];
      return stream;
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-zip-overlap-'));
  zlibState.inFlight = 0;
  zlibState.most = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BLOCKS = 40;

/** A block of CSV-like bytes, different for each `i`. */
const blockOf = (i: number): Buffer =>
  Buffer.from(
    Array.from(
      { length: 1500 },
      (_, k) => `s:${i}:${k * 7919},dev ${k % 8},app.${k % 97}\r\n`,
    ).join(''),
  );

/** Blocks of bytes, noting for each one how many blocks zlib was deflating when it was asked for. */
function* watchedBlocks(deflating: number[]): Generator<Buffer> {
  for (let i = 0; i < BLOCKS; i += 1) {
    deflating.push(zlibState.inFlight);
    yield blockOf(i);
  }
}

describe('deflating an entry', () => {
  it('makes each next block while zlib deflates the previous, with at most two blocks handed over', async () => {
    const deflating: number[] = [];
    const prepared = await deflateToFile(join(dir, 'part'), 'events.csv', watchedBlocks(deflating));
    // Without the overlap the thread waits for each block's deflate before asking for the next.
    expect(deflating.slice(1).every((n) => n >= 1)).toBe(true);
    // The memory held stays bounded.
    expect(zlibState.most).toBeLessThanOrEqual(2);
    const all = Buffer.concat(Array.from({ length: BLOCKS }, (_, i) => blockOf(i)));
    expect(prepared.size).toBe(all.length);
    expect(prepared.sha256).toBe(createHash('sha256').update(all).digest('hex'));
    const zip = await ZipWriter.create(join(dir, 'a.zip'));
    await zip.addPrepared('events.csv', prepared);
    await zip.finish();
    expect((await zipEntries(join(dir, 'a.zip'))).get('events.csv')!.equals(all)).toBe(true);
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatApp, formatDuration, formatTable, isBrokenPipe, OutputWriter } from './output';

describe('formatDuration', () => {
  it('reads naturally at every scale', () => {
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(30.5)).toBe('30.5s');
    expect(formatDuration(60)).toBe('1m 00s');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(7505)).toBe('2h 05m 05s');
  });
});

describe('formatTable', () => {
  it('aligns columns, right-aligning the ones asked for', () => {
    expect(
      formatTable(
        ['Name', 'N'],
        [
          ['a', '1'],
          ['long name', '100'],
        ],
        new Set([1]),
      ),
    ).toBe('Name         N\n---------  ---\na            1\nlong name  100\n');
  });

  it('lays out 200,000 rows (more than a call can take as arguments)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`app${i}`, String(i)]);
    const lines = formatTable(['App', 'N'], rows, new Set([1])).split('\n');
    expect(lines).toHaveLength(200_003);
    expect(lines[2]).toBe('app0            0');
    expect(lines[200_001]).toBe('app199999  199999');
  });
});

describe('formatApp', () => {
  it('adds the display name when known and different', () => {
    expect(formatApp('com.a', null)).toBe('com.a');
    expect(formatApp('com.a', 'com.a')).toBe('com.a');
    expect(formatApp('com.a', 'A')).toBe('com.a (A)');
  });
});

describe('OutputWriter', () => {
  it('writes in chunks and waits for drain', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk.toString());
        setImmediate(cb);
      },
    });
    const out = new OutputWriter(stream, 10);
    for (let i = 0; i < 10; i += 1) await out.write(`line ${i}\n`);
    await out.flush();
    out.release();
    expect(chunks.join('')).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
    expect(chunks.length).toBeLessThan(10);
  });

  it('rethrows a stream error as a broken pipe', async () => {
    const stream = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const out = new OutputWriter(stream, 1);
    const failure = await (async () => {
      for (let i = 0; i < 5; i += 1) await out.write('x\n');
      await out.flush();
    })().catch((e: unknown) => e);
    expect(isBrokenPipe(failure)).toBe(true);
    out.release();
  });
});

import { describe, expect, it } from 'vitest';
import type { ImportWarning } from '../../../contract/warnings';
import { readLineBatches } from './line-reader';

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

async function collect(parts: (string | Uint8Array)[], maxLineBytes?: number) {
  const warnings: ImportWarning[] = [];
  const lines = [];
  for await (const batch of readLineBatches(chunksOf(...parts), {
    warn: (w) => warnings.push(w),
    maxLineBytes,
  }))
    lines.push(...batch);
  return { lines, warnings };
}

describe('readLines', () => {
  it('splits lines across chunk boundaries and numbers them', async () => {
    const { lines, warnings } = await collect(['{"a":', '1}\n{"b"', ':2}\n\n{"c":3}\n']);
    expect(lines.map((l) => [l.line, l.text])).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
      [3, ''],
      [4, '{"c":3}'],
    ]);
    expect(warnings).toEqual([]);
    expect(lines.at(-1)?.bytesRead).toBe(25);
  });

  it('strips a BOM and accepts CRLF (also when CR and LF fall in different chunks), one warning each', async () => {
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('x\r')]);
    const { lines, warnings } = await collect([bom, '\ny\r\nz\r\n']);
    expect(lines.map((l) => l.text)).toEqual(['x', 'y', 'z']);
    expect(warnings.map((w) => w.code)).toEqual(['BOM_STRIPPED', 'CRLF_LINE_ENDINGS']);
    expect(warnings.every((w) => w.line === null && w.locator === 'file')).toBe(true);
  });

  it('strips a BOM split over chunks or after an empty chunk, and keeps a file that only starts like one', async () => {
    for (const parts of [
      [[0xef], [0xbb], [0xbf, 0x61, 0x0a]],
      [[], [0xef, 0xbb, 0xbf]],
    ]) {
      const { lines, warnings } = await collect(parts.map((p) => Uint8Array.from(p)));
      expect(warnings.map((w) => w.code)).toEqual(['BOM_STRIPPED']);
      expect(lines.map((l) => [l.text, l.bytesRead])).toEqual(parts[0]!.length ? [['a', 5]] : []);
    }
    const { lines, warnings } = await collect([Uint8Array.from([0xef]), Uint8Array.from([0xbb])]);
    expect(warnings).toEqual([]);
    expect(lines.map((l) => [l.text, l.bytesRead, l.terminated])).toEqual([['\ufffd', 2, false]]);
  });

  it('skips an over-long line with a warning naming it and keeps reading', async () => {
    const long = 'x'.repeat(100);
    const { lines, warnings } = await collect(
      ['ok\n', long.slice(0, 50), long.slice(50), '\nafter\n'],
      64,
    );
    expect(lines.map((l) => [l.line, l.text])).toEqual([
      [1, 'ok'],
      [3, 'after'],
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'LINE_TOO_LONG', line: 2, locator: 'line 2' }),
    ]);
  });

  it('skips a line one byte over the limit unless that byte is the CR of its CRLF', async () => {
    const { lines, warnings } = await collect(['12345\n', '1234\r', '\n123456\r\n', '12345\r'], 4);
    expect(lines.map((l) => [l.line, l.text])).toEqual([[2, '1234']]);
    expect(warnings.map((w) => [w.code, w.line])).toEqual([
      ['LINE_TOO_LONG', 1],
      ['CRLF_LINE_ENDINGS', null],
      ['LINE_TOO_LONG', 3],
      ['LINE_TOO_LONG', 4],
    ]);
  });

  it('marks a final line without newline as unterminated', async () => {
    const { lines } = await collect(['a\nb']);
    expect(lines.map((l) => [l.text, l.terminated])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });

  it('reports NUL bytes once', async () => {
    const { warnings } = await collect([Uint8Array.from([0x61, 0, 0x0a, 0x62, 0, 0x0a])]);
    expect(warnings.filter((w) => w.code === 'NUL_BYTES')).toHaveLength(1);
  });
});

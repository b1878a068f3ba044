import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCaptureJson } from '../capture-context';

// capture.json is evidence written by the capture: its warnings are passed on to the import as
// notes, but only a few, short, on one line each, and only strings.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-capture-json-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function read(warnings: unknown): Promise<Awaited<ReturnType<typeof readCaptureJson>>> {
  writeFileSync(
    join(dir, 'capture.json'),
    JSON.stringify({ format: 'snoopscope-adb-capture', status: 'complete', warnings }),
  );
  return readCaptureJson(dir, []);
}

describe('capture.json warnings', () => {
  it('keeps strings only, at most ten, each on one line and at most 1,000 characters', async () => {
    const many = Array.from({ length: 30 }, (_, i) => `warning ${i}`);
    expect((await read(many))?.warnings).toEqual(many.slice(0, 10));
    expect((await read([1, null, { a: 1 }, '', '  ', 'ok']))?.warnings).toEqual(['ok']);
    const long = (await read(['x'.repeat(5000)]))?.warnings?.[0];
    expect(long).toHaveLength(1001);
    expect((await read(['one\nFound nothing;\x1b[2J two']))?.warnings).toEqual([
      'one Found nothing; [2J two',
    ]);
  });

  it('reads no warnings from a capture.json without a list of them', async () => {
    expect((await read('not a list'))?.warnings).toBeUndefined();
    expect((await read(undefined))?.warnings).toBeUndefined();
  });
});

import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zipEntries } from '../../testing/zip-entries';
import { deflateToFile, ZipWriter } from './writer';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-zip-prepared-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (): Generator<string> =>
  (function* () {
    for (let i = 0; i < 20_000; i += 1) yield `row ${i},é,${'x'.repeat(i % 50)}\r\n`;
  })();

describe('an entry deflated beforehand into a file of its own', () => {
  it('is the entry `add` writes from the same content, and reads back whole', async () => {
    const prepared = await deflateToFile(join(dir, 'part'), 'events.csv', lines());
    const a = await ZipWriter.create(join(dir, 'a.zip'));
    const direct = await a.add('events.csv', lines());
    await a.finish();
    const b = await ZipWriter.create(join(dir, 'b.zip'));
    await b.add('first.txt', 'before');
    const copied = await b.addPrepared('events.csv', prepared);
    await b.finish();
    expect(copied).toEqual(direct);
    expect(prepared).toMatchObject({ size: direct.size, sha256: direct.sha256 });
    const one = await zipEntries(join(dir, 'a.zip'));
    const two = await zipEntries(join(dir, 'b.zip'));
    expect(two.get('events.csv')!.equals(one.get('events.csv')!)).toBe(true);
    expect(two.get('first.txt')!.toString()).toBe('before');
  });

  it('is refused when its file no longer holds what was deflated, and never overwrites a file', async () => {
    const prepared = await deflateToFile(join(dir, 'part'), 'events.csv', lines());
    truncateSync(prepared.path, prepared.compressed - 1);
    const zip = await ZipWriter.create(join(dir, 'c.zip'));
    await expect(zip.addPrepared('events.csv', prepared)).rejects.toThrow(
      `The prepared content of events.csv holds ${prepared.compressed - 1} bytes, not the ${prepared.compressed} deflated.`,
    );
    await zip.abort();
    writeFileSync(join(dir, 'taken'), 'mine');
    await expect(deflateToFile(join(dir, 'taken'), 'x', 'y')).rejects.toMatchObject({
      code: 'EEXIST',
    });
  });
});

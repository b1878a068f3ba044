import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../bundle/verify-bundle';
import { withZip } from './index';
import { writeZipFile } from './testing/write-zip';

// A crafted archive can make the strict reader report more problems than a call takes as
// arguments (about 125,000): every list of them is built without spreading it into a call.
let dir: string;
let path: string;
const ENTRIES = 60_000;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-many-'));
  // Each entry carries a comment, internal attributes and an extra field: three problems each.
  const entries = Array.from({ length: ENTRIES }, (_, i) => ({
    name: `f${i}.txt`,
    data: 'x',
    internalAttributes: 1,
    entryComment: 'c',
    centralExtra: new Uint8Array([0x99, 0x99, 0, 0]),
  }));
  path = await writeZipFile(dir, 'many.zip', entries);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('an archive with 180,000 problems', () => {
  it('reads strictly and lists every problem', async () => {
    const n = await withZip(path, async (zip) => zip.problems.length, undefined, { strict: true });
    expect(n).toBe(ENTRIES * 3);
  });

  it('is reported as not intact by verify, not as a crash', async () => {
    const check = await verifyBundle(path);
    expect(check.ok).toBe(false);
    expect(check.problems.length).toBeGreaterThanOrEqual(ENTRIES * 3);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceFileError, EvidenceFolder, openRegularFile } from './evidence-file';

let root: string;
let evidence: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-evidence-'));
  evidence = join(root, 'evidence');
  mkdirSync(join(evidence, 'sub'), { recursive: true });
  writeFileSync(join(evidence, 'sub', 'data.txt'), 'inside');
  writeFileSync(join(root, 'secret.txt'), 'outside');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function reason(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EvidenceFileError) return [e.reason, e.message];
    throw e;
  }
  return ['read', ''];
}

describe('EvidenceFolder', () => {
  it('reads a regular file of the folder', async () => {
    const folder = await EvidenceFolder.at(evidence);
    const r = await folder.read('sub/data.txt');
    expect(r.bytes.toString()).toBe('inside');
    expect(r.linkTarget).toBeNull();
  });

  it('refuses a named pipe without opening it (an open would block for ever)', async () => {
    execFileSync('mkfifo', [join(evidence, 'pipe')]);
    const folder = await EvidenceFolder.at(evidence);
    expect(await reason(folder.read('pipe'))).toEqual([
      'special',
      'pipe is a named pipe (FIFO), not a regular file; it was skipped without being opened.',
    ]);
  });

  it('refuses a link whose target leaves the folder, and names the link and its target', async () => {
    symlinkSync('/etc/passwd', join(evidence, 'passwd'));
    symlinkSync('../secret.txt', join(evidence, 'relative'));
    const folder = await EvidenceFolder.at(evidence);
    expect(await reason(folder.read('passwd'))).toEqual([
      'outside',
      'passwd is a symbolic link to /etc/passwd, outside the evidence folder; it was not followed.',
    ]);
    expect((await reason(folder.read('relative')))[0]).toBe('outside');
  });

  it('refuses a file reached through a linked folder that leaves the evidence folder', async () => {
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'elsewhere', 'file'), 'outside');
    symlinkSync(join(root, 'elsewhere'), join(evidence, 'ab'));
    const folder = await EvidenceFolder.at(evidence);
    expect((await reason(folder.read('ab/file')))[0]).toBe('outside');
  });

  it('follows a link that stays inside the folder, and says where it read', async () => {
    symlinkSync('sub/data.txt', join(evidence, 'alias'));
    const folder = await EvidenceFolder.at(evidence);
    const r = await folder.read('alias');
    expect(r.bytes.toString()).toBe('inside');
    expect(r.linkTarget).toBe('sub/data.txt');
  });

  it('measures "inside" against the real folder when the folder itself is reached by a link', async () => {
    symlinkSync(evidence, join(root, 'via-link'));
    const folder = await EvidenceFolder.at(join(root, 'via-link'));
    expect((await folder.read('sub/data.txt')).bytes.toString()).toBe('inside');
    symlinkSync('/etc/passwd', join(evidence, 'passwd'));
    expect((await reason(folder.read('passwd')))[0]).toBe('outside');
  });

  it('names a folder, a missing file and a dangling link', async () => {
    symlinkSync('nowhere', join(evidence, 'dangling'));
    const folder = await EvidenceFolder.at(evidence);
    expect(await reason(folder.read('sub'))).toEqual([
      'folder',
      'sub is a folder, not a regular file; it was skipped without being opened.',
    ]);
    expect(await reason(folder.read('absent'))).toEqual(['missing', 'absent is missing.']);
    expect(await reason(folder.read('dangling'))).toEqual([
      'missing',
      'dangling is a symbolic link to nowhere, which does not exist or cannot be resolved; it was not followed.',
    ]);
  });

  it('refuses a device', async () => {
    const folder = await EvidenceFolder.at('/dev');
    expect((await reason(folder.read('null')))[0]).toBe('special');
  });
});

describe('openRegularFile', () => {
  it('opens a regular file and refuses a named pipe, a folder or a device without blocking', async () => {
    const handle = await openRegularFile(join(evidence, 'sub', 'data.txt'));
    await handle.close();
    execFileSync('mkfifo', [join(evidence, 'pipe')]);
    expect(await reason(openRegularFile(join(evidence, 'pipe'), 'pipe'))).toEqual([
      'special',
      'pipe is a named pipe (FIFO), not a regular file.',
    ]);
    expect((await reason(openRegularFile(evidence)))[0]).toBe('folder');
    expect((await reason(openRegularFile('/dev/zero')))[0]).toBe('special');
    expect((await reason(openRegularFile(join(evidence, 'absent'))))[0]).toBe('missing');
  });
});

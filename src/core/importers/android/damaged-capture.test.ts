import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  writeAndroidCapture,
  writeAndroidQfCapture,
  CAPTURE_MS,
} from '../../testing/android-capture';
import { AppError } from '../../model/errors';
import { deniedOpen } from '../../testing/denied-open';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { probePath } from '../../services/import-pipeline';
import { importAndroid, type AndroidImportResult } from '../../services/android-import';
import { AndroidInputError, readAndroidInput } from './input';

vi.mock('node:fs/promises', async (original) => {
  const { withDeniedOpen } = await import('../../testing/denied-open');
  return withDeniedOpen(await original<typeof FsPromises>());
});

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => {
  deniedOpen.suffix = null;
  if (t.session.db.open) t.cleanup();
  else rmSync(t.dir, { recursive: true, force: true });
});

/** Every warning of every outcome, as messages. */
function messages(r: AndroidImportResult): string[] {
  return r.outcomes.flatMap((o) => o.warnings.map((w) => w.message));
}

function outcomesByName(r: AndroidImportResult): Record<string, [string, number]> {
  return Object.fromEntries(
    r.outcomes.map((o) => [o.path.split('/').pop()!, [o.status, o.counts.records]]),
  );
}

const PASSWD_SHA = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');

describe('named pipes in a capture folder', () => {
  it('never opens a named pipe among dumpsys outputs, names it, and imports the rest', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    execFileSync('mkfifo', [join(dir, 'extra.txt')]);
    // A Snoopscope capture's capture.json is read by the importer itself.
    execFileSync('mkfifo', [join(dir, 'capture.json')]);
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toEqual(
      expect.arrayContaining([
        'extra.txt is a named pipe (FIFO), not a regular file; it was skipped without being opened.',
        'capture.json is a named pipe (FIFO), not a regular file; it was skipped without being opened.',
      ]),
    );
    expect(r.added).toMatchObject({ access: 3, reject: 1, usage: 7, permission: 2 });
  });

  it('never opens a named pipe in an AndroidQF folder, and imports the other files', async () => {
    const dir = writeAndroidQfCapture(join(t.dir, 'qf'));
    rmSync(join(dir, 'packages.json'));
    execFileSync('mkfifo', [join(dir, 'packages.json')]);
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'packages.json is a named pipe (FIFO), not a regular file; it was skipped without being opened.',
    );
    expect(outcomesByName(r)).toEqual({
      'dumpsys.txt': ['imported', 17],
      'getprop.txt': ['imported', 0],
    });
  });

  it('refuses a named pipe given as the capture itself, by name', async () => {
    const pipe = join(t.dir, 'appops.txt');
    execFileSync('mkfifo', [pipe]);
    expect(await probePath(pipe)).toEqual({
      error: `Cannot read ${pipe}: it is a named pipe (FIFO), not a file.`,
    });
    await expect(readAndroidInput(pipe)).rejects.toThrow(
      new AndroidInputError(
        `${pipe} is a named pipe (FIFO), neither a file nor a folder; it was not opened.`,
      ),
    );
  });

  it('names the pipes of a folder holding nothing else it reads', async () => {
    const dir = join(t.dir, 'pipes');
    writeAndroidCapture(dir);
    for (const f of ['appops.txt', 'getprop.txt', 'package.txt', 'usagestats.txt']) {
      rmSync(join(dir, f));
      execFileSync('mkfifo', [join(dir, f)]);
    }
    await expect(readAndroidInput(dir)).rejects.toThrow(
      /appops\.txt is a named pipe \(FIFO\), not a regular file; it was skipped without being opened\./,
    );
  });
});

describe('a file of a capture folder that cannot be opened', () => {
  it('is named and skipped among dumpsys outputs, and the other files are imported', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    deniedOpen.suffix = 'usagestats.txt';
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'usagestats.txt cannot be read (permission denied). It was skipped; the other files were read.',
    );
    expect(r.added).toMatchObject({ access: 3, reject: 1, usage: 0, permission: 2 });
  });

  it('is named and skipped in an AndroidQF folder, and the other files are imported', async () => {
    const dir = writeAndroidQfCapture(join(t.dir, 'qf'));
    deniedOpen.suffix = 'packages.json';
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'packages.json cannot be read (permission denied). It was skipped; the other files were read.',
    );
    expect(outcomesByName(r)).toEqual({
      'dumpsys.txt': ['imported', 17],
      'getprop.txt': ['imported', 0],
    });
  });
});

describe('links in a capture folder', () => {
  it('does not follow a link out of the folder, and says so', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    rmSync(join(dir, 'appops.txt'));
    symlinkSync('/etc/passwd', join(dir, 'appops.txt'));
    writeFileSync(join(t.dir, 'secret.txt'), 'Current AppOps Service state:\n');
    symlinkSync('../secret.txt', join(dir, 'more.txt'));
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toEqual(
      expect.arrayContaining([
        'appops.txt is a symbolic link to /etc/passwd, outside the evidence folder; it was not followed.',
        'more.txt is a symbolic link to ../secret.txt, outside the evidence folder; it was not followed.',
      ]),
    );
    expect(r.added).toMatchObject({ access: 0, usage: 7, permission: 2 });
    const shas = t.session.sources().map((s) => s.sha256);
    expect(shas).not.toContain(PASSWD_SHA);
  });

  it('does not follow an AndroidQF dumpsys.txt that links out of the folder', async () => {
    const dir = writeAndroidQfCapture(join(t.dir, 'qf'));
    rmSync(join(dir, 'dumpsys.txt'));
    symlinkSync('/etc/passwd', join(dir, 'dumpsys.txt'));
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'dumpsys.txt is a symbolic link to /etc/passwd, outside the evidence folder; it was not followed.',
    );
    expect(t.session.sources().map((s) => s.sha256)).not.toContain(PASSWD_SHA);
  });

  it('follows a link that stays inside the folder, and notes it', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    renameSync(join(dir, 'appops.txt'), join(dir, 'appops.dump'));
    symlinkSync('appops.dump', join(dir, 'appops.txt'));
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'appops.txt is a symbolic link to appops.dump inside the capture folder; it is read through the link.',
    );
    expect(r.added).toMatchObject({ access: 3, reject: 1 });
  });
});

describe('a damaged AndroidQF packages.json', () => {
  for (const [what, text, warning] of [
    ['an empty', '', 'packages.json is empty; its app list is not imported.'],
    [
      'an invalid',
      '[{"name": ',
      expect.stringMatching(
        /^packages\.json is not valid JSON \(.+\); its app list is not imported\.$/,
      ),
    ],
    [
      'a non-array',
      '{"name": "x"}',
      'packages.json is not a JSON array; its app list is not imported.',
    ],
  ] as const) {
    it(`warns on ${what} packages.json and imports the good dumpsys.txt`, async () => {
      const dir = writeAndroidQfCapture(join(t.dir, 'qf'));
      writeFileSync(join(dir, 'packages.json'), text);
      const r = await importAndroid(t.session, dir);
      expect(outcomesByName(r)).toEqual({
        'dumpsys.txt': ['imported', 17],
        'getprop.txt': ['imported', 0],
        'packages.json': ['imported', 0],
      });
      const packages = r.outcomes.find((o) => o.path.endsWith('packages.json'))!;
      expect(packages.warnings).toEqual([
        { line: null, locator: 'packages.json', code: 'CAPTURE_NOTE', message: warning },
      ]);
      expect(r.added).toMatchObject({ access: 3, reject: 1, usage: 7, permission: 2 });
    });
  }

  it('leaves out a packages.json too large to read whole, and reads the rest', async () => {
    const dir = writeAndroidQfCapture(join(t.dir, 'qf'));
    const input = await readAndroidInput(dir, { maxJsonBytes: 16 });
    expect(input.problems).toContain(
      `packages.json is ${readFileSync(join(dir, 'packages.json')).length} bytes, more than the 16 bytes allowed for a JSON file; it was not read.`,
    );
    expect(input.found).toEqual(['appops', 'package', 'usagestats', 'getprop']);
  });
});

describe("a Snoopscope capture's capture.json", () => {
  it('takes only fields of the expected types, and reports JSON it cannot read', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'), { zone: null });
    writeFileSync(
      join(dir, 'capture.json'),
      JSON.stringify({ format: 'snoopscope-adb-capture', serial: 42, hostTimeMs: 'soon' }),
    );
    await expect(importAndroid(t.session, dir)).rejects.toMatchObject({
      code: 'TIMEZONE_REQUIRED',
    });
    writeFileSync(
      join(dir, 'capture.json'),
      JSON.stringify({ format: 'snoopscope-adb-capture', hostTimeMs: CAPTURE_MS }),
    );
    const r = await importAndroid(t.session, dir);
    expect(r.added.access).toBe(3);
    writeFileSync(join(dir, 'capture.json'), '{"format": ');
    const again = await importAndroid(t.session, dir, { timeZone: 'Europe/Lisbon' });
    expect(messages(again)).toContain(
      'capture.json is not valid JSON; the capture time and serial it may hold are not used.',
    );
  });
});

describe('a failure that is not about the input', () => {
  it('comes out as an INTERNAL refusal naming the capture, with the cause kept for the log', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    t.session.db.close();
    const e = (await importAndroid(t.session, dir).catch((x: unknown) => x)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('INTERNAL');
    expect(
      e.message.startsWith(`${dir} could not be imported because of an unexpected error (`),
    ).toBe(true);
    expect(e.cause).toBeInstanceOf(Error);
  });
});

describe('numbers no date or duration can be', () => {
  it('warns on an access line whose duration has hundreds of digits, and imports the rest', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    const appops = readFileSync(join(dir, 'appops.txt'), 'utf8').replace(
      'duration=+2s5ms',
      `duration=+${'9'.repeat(400)}d`,
    );
    writeFileSync(join(dir, 'appops.txt'), appops);
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContainEqual(
      expect.stringMatching(/^Unreadable access line \(unreadable duration\): Access: \[top-s\] /),
    );
    expect(r.added).toMatchObject({ access: 2, reject: 1, usage: 7, permission: 2 });
  });

  it('does not use a capture time that is not a whole millisecond within the range of dates', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'), { zone: null });
    for (const hostTimeMs of [-5e-324, 1e308, 8.64e15 + 1]) {
      writeFileSync(
        join(dir, 'capture.json'),
        JSON.stringify({ format: 'snoopscope-adb-capture', hostTimeMs }),
      );
      await expect(importAndroid(t.session, dir)).rejects.toMatchObject({
        code: 'TIMEZONE_REQUIRED',
      });
    }
  });

  it('skips an access whose time before the dump places it before any date, with a note', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    writeFileSync(
      join(dir, 'appops.txt'),
      readFileSync(join(dir, 'appops.txt'), 'utf8') +
        [
          '  Uid u0a12:',
          '    Package com.example.sync:',
          '      WAKE_LOCK: mode=allow; time=+23m48s927ms ago; duration=+39ms',
          '',
        ].join('\n'),
    );
    writeFileSync(
      join(dir, 'capture.json'),
      JSON.stringify({ format: 'snoopscope-adb-capture', hostTimeMs: -8.64e15 }),
    );
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'com.example.sync WAKE_LOCK: the capture time less the time before the dump is no date; skipped.',
    );
    expect(r.added).toMatchObject({ access: 3, reject: 1, usage: 7 });
  });
});

describe('a capture that did not finish', () => {
  it('says so, names its partial outputs, and reads only the outputs that ended', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    renameSync(join(dir, 'usagestats.txt'), join(dir, 'usagestats.txt.partial'));
    renameSync(join(dir, 'package.txt'), join(dir, 'package.txt.partial'));
    writeFileSync(
      join(dir, 'capture.json'),
      JSON.stringify({
        format: 'snoopscope-adb-capture',
        status: 'failed',
        hostTimeMs: CAPTURE_MS,
      }),
    );
    const r = await importAndroid(t.session, dir);
    expect(messages(r)).toContain(
      'capture.json says this capture failed: it is not a complete capture. Only the outputs ' +
        'that ended with their command were read; the partial outputs package.txt.partial, ' +
        'usagestats.txt.partial were not read.',
    );
    expect(r.added).toMatchObject({ usage: 0, permission: 0 });
    expect(r.added.access).toBeGreaterThan(0);
  });

  it('says nothing of the kind for a complete capture', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'capture'));
    writeFileSync(
      join(dir, 'capture.json'),
      JSON.stringify({
        format: 'snoopscope-adb-capture',
        status: 'complete',
        hostTimeMs: CAPTURE_MS,
      }),
    );
    const r = await importAndroid(t.session, dir);
    expect(messages(r).join('\n')).not.toContain('not a complete capture');
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceSchema, importOutcomeSchema, type ImportOutcome } from '../contract/records';
import { main } from './main';
import { Capture, REPORTS, runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let casePath: string;

beforeEach(() => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'case.snoopcase');
});
afterEach(() => tmp.cleanup());

/** Parses `import --json` output, checking every outcome has exactly the public fields. */
function outcomes(stdout: string): ImportOutcome[] {
  const parsed = JSON.parse(stdout) as unknown[];
  expect(Array.isArray(parsed)).toBe(true);
  return parsed.map((o) => {
    const valid = importOutcomeSchema.parse(o);
    expect(o).toStrictEqual(valid);
    return valid;
  });
}

describe('import', () => {
  it('creates the case and the device, imports each file and prints one outcome per path', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const b = tmp.file('b.ndjson', REPORTS.b);
    const r = await runCli(['import', casePath, a, b, '--device', 'phone', '--json']);
    expect(r.code).toBe(0);
    expect(existsSync(casePath)).toBe(true);
    const [oa, ob] = outcomes(r.stdout);
    expect(oa).toMatchObject({
      path: a,
      importer: 'ios-app-privacy-report',
      status: 'imported',
      counts: { lines: 11, access: 9, network: 2, sessions: 5, openSessions: 1 },
      duplicateLines: 0,
      alreadyStored: 0,
      warnings: [],
      error: null,
      sourceId: 1,
      deviceId: 1,
    });
    expect(oa!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The clock the times were placed with: a report's own offsets.
    expect(oa!.timeZone).toMatchObject({ zone: null, source: 'file' });
    expect(oa!.timeZone?.offsets.length).toBeGreaterThan(0);
    expect(ob).toMatchObject({
      status: 'imported',
      counts: { lines: 5, access: 4, network: 1, sessions: 2, openSessions: 0 },
      alreadyStored: 3,
      sourceId: 2,
      deviceId: 1,
    });
    expect(r.stderr).toContain('created case');
    expect(r.stderr).toContain('created device "phone"');

    const devices = await runCli(['devices', casePath, '--json']);
    const list = JSON.parse(devices.stdout) as unknown[];
    expect(list.map((d) => deviceSchema.parse(d))).toMatchObject([
      { label: 'phone', platform: 'ios', sources: 2 },
    ]);
  });

  it('reports a file imported before as already-imported and keeps one source', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const first = await runCli(['import', casePath, a, '--device', 'phone', '--json']);
    expect(first.code).toBe(0);
    const copy = tmp.file('renamed copy.ndjson', REPORTS.a);
    const again = await runCli(['import', casePath, copy, '--device', 'phone', '--json']);
    expect(again.code).toBe(0);
    const [o] = outcomes(again.stdout);
    expect(o).toMatchObject({
      path: copy,
      status: 'already-imported',
      sourceId: 1,
      deviceId: 1,
      warnings: [],
      error: null,
    });
    expect(o!.sha256).toBe(outcomes(first.stdout)[0]!.sha256);
    const devices = JSON.parse((await runCli(['devices', casePath, '--json'])).stdout) as {
      sources: number;
    }[];
    expect(devices[0]!.sources).toBe(1);
  });

  it('exits 1 when a file is refused and keeps the others', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const text = tmp.file('notes.txt', 'These are my notes.\nNothing to see here.\n');
    const zip = tmp.file(
      'export.ndjson',
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]),
    );
    const missing = join(tmp.dir, 'missing.ndjson');
    const r = await runCli([
      'import',
      casePath,
      text,
      a,
      zip,
      missing,
      '--device',
      'phone',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const [ot, oa, oz, om] = outcomes(r.stdout);
    expect(oa).toMatchObject({ status: 'imported', sourceId: 1 });
    for (const o of [ot, oz, om]) {
      expect(o).toMatchObject({
        status: 'refused',
        sourceId: null,
        counts: { lines: 0, access: 0, network: 0 },
      });
      expect(o!.error).toEqual(expect.any(String));
    }
    expect(oz!.error).toMatch(/zip/i);
    expect(om!.error).toContain('Cannot read');
    expect(r.stderr).toContain('3 of 4 files were refused');
    const devices = JSON.parse((await runCli(['devices', casePath, '--json'])).stdout) as {
      sources: number;
    }[];
    expect(devices[0]!.sources).toBe(1);
  });

  it('exits 2 without --device, naming the flag, and creates nothing', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const r = await runCli(['import', casePath, a, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--device');
    expect(r.stdout).toBe('');
    expect(existsSync(casePath)).toBe(false);
  });

  it('exits 2 for other malformed calls', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    expect((await runCli(['import', casePath, '--device', 'phone'])).code).toBe(2);
    expect((await runCli(['import', '--device', 'phone'])).code).toBe(2);
    expect((await runCli(['import', casePath, a, '--device', 'a', '--device', 'b'])).code).toBe(2);
    expect((await runCli(['import', casePath, a, '--device', ' '])).code).toBe(2);
    expect(
      (await runCli(['import', casePath, a, '--device', 'phone', '--kind', 'access'])).code,
    ).toBe(2);
    expect(existsSync(casePath)).toBe(false);
  });

  it('reuses an existing device whatever the case of its label', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const c = tmp.file('c.ndjson', REPORTS.c);
    await runCli(['import', casePath, c, '--device', 'tablet']);
    const r = await runCli(['import', casePath, a, '--device', 'TABLET', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('created device');
    expect(outcomes(r.stdout)[0]).toMatchObject({ status: 'imported', deviceId: 1 });
  });

  it('exits 130 when cancelled before reading: no file is read', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const b = tmp.file('b.ndjson', REPORTS.b);
    const controller = new AbortController();
    controller.abort();
    const r = await runCli(['import', casePath, a, b, '--device', 'phone', '--json'], {
      signal: controller.signal,
    });
    expect(r.code).toBe(130);
    const [oa, ob] = outcomes(r.stdout);
    expect(oa).toMatchObject({ status: 'cancelled', sourceId: null });
    expect(ob).toMatchObject({ status: 'cancelled', sourceId: null });
    expect(r.stderr).toContain('cancelled');
    // Nothing was stored, so the case this command would have created does not appear.
    expect(oa!.deviceId).toBeNull();
    expect(existsSync(casePath)).toBe(false);
  });

  it('exits 130 when cancelled while a file is read: that file is rolled back, earlier ones kept', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const b = tmp.file('b.ndjson', REPORTS.b);
    const c = tmp.file('c.ndjson', REPORTS.c);
    const controller = new AbortController();
    const stdout = new Capture();
    // Cancels as soon as the progress line of the second file appears, i.e. while it is being read.
    const stderr = new (class extends Capture {
      override _write(
        chunk: Buffer | string,
        encoding: BufferEncoding,
        callback: (error?: Error | null) => void,
      ): void {
        if (chunk.toString().includes('[2/3]')) controller.abort();
        super._write(chunk, encoding, callback);
      }
    })();
    const code = await main(['import', casePath, a, b, c, '--device', 'phone', '--json'], {
      stdout,
      stderr,
      stderrIsTTY: true,
      signal: controller.signal,
    });
    expect(code).toBe(130);
    const [oa, ob, oc] = outcomes(stdout.text);
    expect(oa).toMatchObject({ status: 'imported', sourceId: 1 });
    expect(ob).toMatchObject({
      status: 'cancelled',
      sourceId: null,
      error: expect.stringContaining('nothing of this file was kept'),
    });
    expect(oc).toMatchObject({
      status: 'cancelled',
      sourceId: null,
      error: expect.stringContaining('before this file was read'),
    });
    const events = (await runCli(['events', casePath, '--kind', 'access'])).stdout
      .trim()
      .split('\n');
    const u4 = events
      .map((l) => JSON.parse(l) as { id: string; end: string | null })
      .find((e) => e.id.endsWith(':U4'));
    expect(u4?.end).toBeNull();
    const devices = JSON.parse((await runCli(['devices', casePath, '--json'])).stdout) as {
      sources: number;
    }[];
    expect(devices[0]!.sources).toBe(1);
  });

  it('prints a human summary per file without --json', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const text = tmp.file('notes.txt', 'plain text\n');
    const r = await runCli(['import', casePath, a, text, '--device', 'phone']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('imported: a.ndjson');
    expect(r.stdout).toContain('11 lines: 9 access rows, 2 network rows; 5 sessions (1 open)');
    expect(r.stdout).toContain('refused: notes.txt');
    expect(r.stdout).toContain('2 files: 1 imported, 0 already imported, 1 refused, 0 cancelled');
    const again = await runCli(['import', casePath, a, '--device', 'phone']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already imported: a.ndjson');
  });

  it('lists warnings with their locators', async () => {
    const broken = tmp.file('broken.ndjson', REPORTS.c + '{"type":"access", oops\n');
    const r = await runCli(['import', casePath, broken, '--device', 'phone', '--json']);
    expect(r.code).toBe(0);
    const [o] = outcomes(r.stdout);
    expect(o!.warnings.length).toBeGreaterThan(0);
    expect(o!.warnings[0]).toMatchObject({ line: 3, locator: 'line 3' });
    const human = await runCli([
      'import',
      join(tmp.dir, 'other.snoopcase'),
      broken,
      '--device',
      'phone',
    ]);
    expect(human.stdout).toMatch(/1 warning:\n {4}line 3 [A-Z_]+: /);
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const tty = await runCli(['import', casePath, a, '--device', 'phone'], { stderrIsTTY: true });
    expect(tty.stderr).toContain('\r');
    expect(tty.stderr).toContain('[1/1] a.ndjson');
    const b = tmp.file('b.ndjson', REPORTS.b);
    const plain = await runCli(['import', casePath, b, '--device', 'phone']);
    expect(plain.stderr).not.toContain('\r');
  });

  it('exits 1 with the core message when the case path is not a case', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const notACase = tmp.file('not-a-case.snoopcase', 'hello');
    const r = await runCli(['import', notACase, a, '--device', 'phone']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^snoopscope: .*not a Snoopscope case file/);
  });
});

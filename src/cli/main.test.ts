import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSchema } from '../contract/records';
import { CaseSession } from '../core/services/case-service';
import { cliUsage } from './main';
import { REPORTS, runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let casePath: string;

beforeAll(async () => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'case.snoopcase');
  const a = tmp.file('a.ndjson', REPORTS.a);
  const c = tmp.file('c.ndjson', REPORTS.c);
  expect((await runCli(['import', casePath, a, '--device', 'phone'])).code).toBe(0);
  expect((await runCli(['import', casePath, c, '--device', 'tablet'])).code).toBe(0);
});
afterAll(() => tmp.cleanup());

describe('usage', () => {
  it('prints the usage on stderr and exits 2 without arguments', async () => {
    const r = await runCli([]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: cliUsage });
  });

  it('prints the usage on stdout and exits 0 for an explicit --help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toBe(cliUsage);
      expect(r.stderr).toBe('');
    }
  });

  it('exits 2 for an unknown command, naming it', async () => {
    const r = await runCli(['exfiltrate', casePath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "exfiltrate"');
    expect(r.stderr).toContain(cliUsage);
  });

  it('exits 2 for unknown options, missing or extra positionals', async () => {
    for (const argv of [
      ['summary', casePath, '--verbose'],
      ['summary'],
      ['summary', casePath, 'extra'],
      ['events', casePath, 'extra'],
      ['devices'],
      ['devices', casePath, '--app', 'x'],
      ['summary', casePath, '--night'],
    ]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^snoopscope: .*\nRun `snoopscope --help` for usage\.\n$/);
      expect(r.stdout).toBe('');
    }
  });

  it('documents every command and exit code', () => {
    for (const word of [
      'import',
      'summary',
      'events',
      'devices',
      '--device',
      '--app',
      '--category',
      '--from',
      '--to',
      '--hours',
      '--min-seconds',
      '--night',
      '--kind',
      '--format',
      '--json',
      '130',
    ]) {
      expect(cliUsage).toContain(word);
    }
  });
});

describe('query commands on a missing or foreign case', () => {
  it('exit 1 with a clear message and never create the case', async () => {
    const missing = join(tmp.dir, 'missing.snoopcase');
    for (const command of ['summary', 'events', 'devices']) {
      const r = await runCli([command, missing]);
      expect(r.code, command).toBe(1);
      expect(r.stderr).toContain(`snoopscope: No case file at ${missing}`);
      expect(r.stdout).toBe('');
      expect(existsSync(missing)).toBe(false);
    }
  });

  it('exit 1 with the core message when the file is not a case', async () => {
    const other = tmp.file('notes.snoopcase', 'not a database');
    const r = await runCli(['devices', other, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^snoopscope: .*not a Snoopscope case file/);
  });
});

describe('devices', () => {
  it('prints the devices as deviceSchema objects with --json', async () => {
    const r = await runCli(['devices', casePath, '--json']);
    expect(r.code).toBe(0);
    const list = (JSON.parse(r.stdout) as unknown[]).map((d) => {
      const valid = deviceSchema.parse(d);
      expect(d).toStrictEqual(valid);
      return valid;
    });
    expect(list).toEqual([
      {
        id: 1,
        label: 'phone',
        platform: 'ios',
        model: null,
        osVersion: null,
        timeZone: null,
        offsetMin: expect.any(Number),
        identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
        sources: 1,
        createdAt: expect.any(Number),
      },
      {
        id: 2,
        label: 'tablet',
        platform: 'ios',
        model: null,
        osVersion: null,
        timeZone: null,
        offsetMin: expect.any(Number),
        identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
        sources: 1,
        createdAt: expect.any(Number),
      },
    ]);
  });

  it('prints a table without --json', async () => {
    const r = await runCli(['devices', casePath]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^ID\s+Label\s+Platform\s+Model\s+OS\s+Time zone\s+Sources\s+Created \(UTC\)$/,
    );
    expect(r.stdout).toMatch(/\n\s*1\s+phone\s+ios\s+-\s+-\s+-\s+1\s+\d{4}-\d{2}-\d{2}T/);
  });

  it('prints an empty summary array for a case without sessions', async () => {
    const empty = join(tmp.dir, 'empty.snoopcase');
    CaseSession.create(empty).close();
    const r = await runCli(['summary', empty, '--json']);
    expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });
});

describe('read-only queries', () => {
  it('leave the case file unchanged', async () => {
    const before = readFileSync(casePath);
    for (const argv of [
      ['summary', casePath],
      ['events', casePath, '--format', 'csv'],
      ['devices', casePath, '--json'],
    ]) {
      expect((await runCli(argv)).code).toBe(0);
    }
    expect(readFileSync(casePath).equals(before)).toBe(true);
  });
});

import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryRowSchema, type SummaryRow } from '../contract/records';
import { REPORTS, runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
/** Export A only, device "phone". */
let caseA: string;
/** Exports A and B on "phone", C on "tablet"; com.example.app of the phone is named "Example, App". */
let caseAll: string;

beforeAll(async () => {
  tmp = tempDir();
  const a = tmp.file('a.ndjson', REPORTS.a);
  const b = tmp.file('b.ndjson', REPORTS.b);
  const c = tmp.file('c.ndjson', REPORTS.c);
  caseA = join(tmp.dir, 'a.snoopcase');
  caseAll = join(tmp.dir, 'all.snoopcase');
  expect((await runCli(['import', caseA, a, '--device', 'phone'])).code).toBe(0);
  expect((await runCli(['import', caseAll, a, b, '--device', 'phone'])).code).toBe(0);
  expect((await runCli(['import', caseAll, c, '--device', 'tablet'])).code).toBe(0);
  const db = new Database(caseAll);
  db.prepare(
    `UPDATE apps SET display_name = 'Example, App'
     WHERE identifier = 'com.example.app' AND device_id = (SELECT id FROM devices WHERE label = 'phone')`,
  ).run();
  db.close();
});
afterAll(() => tmp.cleanup());

/** Runs `summary --json` and checks every row has exactly the public fields. */
async function summary(casePath: string, ...flags: string[]): Promise<SummaryRow[]> {
  const r = await runCli(['summary', casePath, ...flags, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as unknown[]).map((row) => {
    const valid = summaryRowSchema.parse(row);
    expect(row).toStrictEqual(valid);
    return valid;
  });
}

const keys = (rows: SummaryRow[]): string[] =>
  rows.map((r) => `${r.device}/${r.app}/${r.category}`);

describe('summary', () => {
  it('aggregates sessions per device, app and category, sorted, with times in their own offsets', async () => {
    const rows = await summary(caseA);
    expect(rows).toEqual([
      {
        device: 'phone',
        app: 'com.example.app',
        appName: null,
        category: 'camera',
        sessions: 1,
        openSessions: 0,
        totalSeconds: 120,
        longestSeconds: 120,
        nightSessions: 0,
        firstSeen: '2024-05-01T14:00:00.000+02:00',
        lastSeen: '2024-05-01T14:02:00.000+02:00',
      },
      {
        device: 'phone',
        app: 'com.example.app',
        appName: null,
        category: 'contacts',
        sessions: 1,
        openSessions: 0,
        totalSeconds: 0,
        longestSeconds: 0,
        nightSessions: 0,
        firstSeen: '2024-04-30T08:00:00.000+01:00',
        lastSeen: '2024-04-30T08:00:00.000+01:00',
      },
      {
        device: 'phone',
        app: 'com.example.app',
        appName: null,
        category: 'photos',
        sessions: 2,
        openSessions: 0,
        totalSeconds: 40.5,
        longestSeconds: 30.5,
        nightSessions: 1,
        firstSeen: '2024-05-01T02:10:00.000+02:00',
        lastSeen: '2024-05-01T23:30:10.000+02:00',
      },
      {
        device: 'phone',
        app: 'com.other.app',
        appName: null,
        category: 'microphone',
        sessions: 1,
        openSessions: 1,
        totalSeconds: null,
        longestSeconds: null,
        nightSessions: 0,
        firstSeen: '2024-05-02T10:00:00.000+02:00',
        lastSeen: '2024-05-02T10:00:00.000+02:00',
      },
    ]);
  });

  it('closes a session completed by a later export without counting repeated edges twice', async () => {
    const rows = await summary(caseAll, '--device', 'phone');
    const mic = rows.find((r) => r.category === 'microphone');
    expect(mic).toMatchObject({
      sessions: 1,
      openSessions: 0,
      totalSeconds: 300,
      longestSeconds: 300,
    });
    expect(mic!.lastSeen).toBe('2024-05-02T10:05:00.000+02:00');
    expect(rows.find((r) => r.category === 'photos')).toMatchObject({
      sessions: 2,
      totalSeconds: 40.5,
    });
  });

  it('counts night sessions in the default window and a custom one, including one wrapping midnight', async () => {
    const night = async (...flags: string[]): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await summary(caseA, ...flags)).map((r) => [r.category, r.nightSessions]),
      );
    expect(await night()).toEqual({ camera: 0, contacts: 0, photos: 1, microphone: 0 });
    expect(await night('--night', '00:00-06:00')).toEqual({
      camera: 0,
      contacts: 0,
      photos: 1,
      microphone: 0,
    });
    expect(await night('--night', '22:00-06:00')).toEqual({
      camera: 0,
      contacts: 0,
      photos: 2,
      microphone: 0,
    });
    expect(await night('--night', '13:00-15:00')).toEqual({
      camera: 1,
      contacts: 0,
      photos: 0,
      microphone: 0,
    });
    // The contacts interval is at 08:00 in its own offset (+01:00), 09:00 at +02:00: local time decides.
    expect(await night('--night', '07:30-08:30')).toEqual({
      camera: 0,
      contacts: 1,
      photos: 0,
      microphone: 0,
    });
    expect(await night('--night', '23:00-02:11')).toEqual({
      camera: 0,
      contacts: 0,
      photos: 2,
      microphone: 0,
    });
  });

  it('rejects a malformed --night with exit 2', async () => {
    for (const bad of ['22-06', '25:00-06:00', '22:00', 'night']) {
      const r = await runCli(['summary', caseA, '--night', bad, '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--night');
      expect(r.stdout).toBe('');
    }
  });

  it('prints a readable table without --json', async () => {
    const r = await runCli(['summary', caseAll]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Device\s+App\s+Category\s+Sessions\s+Open\s+Total\s+Longest\s+Night\s+First seen\s+Last seen$/,
    );
    expect(r.stdout).toContain('com.example.app (Example, App)');
    expect(r.stdout).toMatch(
      /phone\s+com\.other\.app\s+Microphone\s+1\s+0\s+5m 00s\s+5m 00s\s+0\s+2024-05-02T10:00:00\.000\+02:00/,
    );
    expect(r.stdout).toMatch(/tablet\s+com\.example\.app\s+Location\s+1\s+0\s+1m 00s/);
    expect(r.stdout).toContain('Night = sessions starting 00:00-06:00 device-local time');
  });
});

describe('filters', () => {
  it('--device selects devices by label (any case, repeatable); an unknown label exits 1', async () => {
    expect(keys(await summary(caseAll, '--device', 'tablet'))).toEqual([
      'tablet/com.example.app/location',
    ]);
    expect((await summary(caseAll, '--device', 'PHONE')).every((r) => r.device === 'phone')).toBe(
      true,
    );
    expect(await summary(caseAll, '--device', 'phone', '--device', 'tablet')).toHaveLength(5);
    const r = await runCli(['summary', caseAll, '--device', 'watch', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No device labelled "watch"');
    expect(r.stderr).toContain('"phone"');
    expect(r.stdout).toBe('');
  });

  it('--app matches the identifier as written or the display name, repeatable', async () => {
    expect(keys(await summary(caseAll, '--app', 'com.other.app'))).toEqual([
      'phone/com.other.app/microphone',
    ]);
    const named = await summary(caseAll, '--app', 'Example, App');
    expect(keys(named)).toEqual([
      'phone/com.example.app/camera',
      'phone/com.example.app/contacts',
      'phone/com.example.app/photos',
    ]);
    expect(named[0]!.appName).toBe('Example, App');
    expect(
      await summary(caseAll, '--app', 'com.example.app', '--app', 'com.other.app'),
    ).toHaveLength(5);
    expect(await summary(caseAll, '--app', 'com.nothing')).toEqual([]);
  });

  it('--category keeps the given categories and rejects unknown ones with exit 2', async () => {
    expect(keys(await summary(caseAll, '--category', 'photos', '--category', 'camera'))).toEqual([
      'phone/com.example.app/camera',
      'phone/com.example.app/photos',
    ]);
    expect(keys(await summary(caseAll, '--category', 'mediaLibrary'))).toEqual([]);
    const r = await runCli(['summary', caseAll, '--category', 'selfies']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown category "selfies"');
    expect(r.stderr).toContain('photos, camera, microphone');
  });

  it('--from and --to take device-local dates or instants, half-open, keeping overlapping sessions', async () => {
    expect(keys(await summary(caseAll, '--from', '2024-05-02'))).toEqual([
      'phone/com.other.app/microphone',
    ]);
    expect(keys(await summary(caseAll, '--to', '2024-05-01'))).toEqual([
      'phone/com.example.app/contacts',
    ]);
    const window = await summary(
      caseAll,
      '--from',
      '2024-05-01T14:01:00+02:00',
      '--to',
      '2024-05-01T23:30:05+02:00',
    );
    expect(window.map((r) => [r.category, r.sessions])).toEqual([
      ['camera', 1],
      ['photos', 1],
    ]);
    // 2024-05-01T03:00-04:00 is 07:00Z: inside this UTC range only by instant, not by any local date string.
    expect(
      keys(
        await summary(caseAll, '--from', '2024-05-01T06:59:00Z', '--to', '2024-05-01T07:00:30Z'),
      ),
    ).toEqual(['tablet/com.example.app/location']);
  });

  it('--hours keeps sessions starting in a device-local time of day, wrapping midnight', async () => {
    expect(keys(await summary(caseAll, '--hours', '13:00-15:00'))).toEqual([
      'phone/com.example.app/camera',
    ]);
    const night = await summary(caseAll, '--hours', '23:00-03:00');
    expect(night.map((r) => [r.device, r.category, r.sessions])).toEqual([['phone', 'photos', 2]]);
    expect(keys(await summary(caseAll, '--hours', '03:00-04:00'))).toEqual([
      'tablet/com.example.app/location',
    ]);
  });

  it('--min-seconds keeps closed sessions lasting at least that long', async () => {
    expect(keys(await summary(caseAll, '--min-seconds', '100'))).toEqual([
      'phone/com.example.app/camera',
      'phone/com.other.app/microphone',
    ]);
    expect(keys(await summary(caseAll, '--min-seconds', '60'))).toContain(
      'tablet/com.example.app/location',
    );
    expect(
      (await summary(caseA, '--min-seconds', '0.5')).find((r) => r.category === 'microphone'),
    ).toBeUndefined();
  });

  it('exits 2 on invalid filter values, before touching the case', async () => {
    const missing = join(tmp.dir, 'missing.snoopcase');
    for (const flags of [
      ['--from', 'yesterday'],
      ['--from', '2024-02-31'],
      ['--to', '2024-05-01T10:00'],
      ['--hours', '9-17'],
      ['--hours', '24:30-01:00'],
      ['--min-seconds', '-1'],
      ['--min-seconds', 'ten'],
      ['--app', ''],
      ['--device', ''],
      ['--colour', 'red'],
    ]) {
      const r = await runCli(['summary', missing, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^snoopscope: /);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { dumpTimeEstimates, parseAppOps } from './appops';

// Real third-party data (MVT test artefacts, Android 10, Samsung), read in place and never copied
// (see shared/fixtures/README.md). Counts below were checked by reading the files.
const dir = sharedFixtures('android');

const wall = (text: string) => Date.parse(text.replace(' ', 'T') + 'Z');

describe.skipIf(dir === null)('conformance: MVT dumpsys_appops.txt (Android 10)', () => {
  const load = () =>
    parseAppOps(readFileSync(join(dir!, 'android_data', 'dumpsys_appops.txt'), 'utf8'));

  it('reads all 16 Access and 7 Reject lines, nothing else, without problems', () => {
    const r = parseAppOps(readFileSync(join(dir!, 'android_data', 'dumpsys_appops.txt'), 'utf8'));
    expect(r.layout).toEqual(['android-10']);
    expect(r.problems).toEqual([]);
    expect(r.history).toEqual([]);
    expect(r.records).toHaveLength(23);
    expect(r.records.filter((e) => e.kind === 'access')).toHaveLength(16);
    expect(r.records.filter((e) => e.kind === 'reject')).toHaveLength(7);
    expect(r.records.every((e) => e.origin === 'last' && e.attributionTag === null)).toBe(true);
    expect(r.records.every((e) => e.time !== null && e.relativeMs !== null)).toBe(true);
    expect([...new Set(r.records.map((e) => e.packageName))]).toEqual([
      'com.sec.factory.camera',
      'com.facebook.katana',
      'com.sec.android.app.clockpackage',
      'org.fdroid.fdroid',
    ]);
    // The preamble (Settings, Op mode watchers) and uid-level modes give no events.
    expect(Math.min(...r.records.map((e) => e.line))).toBe(47);
  });

  it('keeps the Facebook lines: a proxied contacts read, SMS and identifier rejects', () => {
    const fb = load().records.filter((e) => e.packageName === 'com.facebook.katana');
    expect(fb).toHaveLength(13);
    expect(fb.every((e) => e.uid === 'u0a103')).toBe(true);
    expect(fb[0]).toMatchObject({
      kind: 'access',
      op: 'READ_CONTACTS',
      mode: 'allow',
      uidState: 'bg',
      flag: 'tpd',
      proxy: null,
      time: { text: '2022-03-07 18:05:34.325' },
      relativeMs: 22 * 86_400_000 + 4 * 3_600_000 + 22 * 60_000 + 19_000 + 762,
      line: 54,
    });
    const sms = fb.filter((e) => e.op === 'WRITE_SMS');
    expect(sms.map((e) => [e.kind, e.mode, e.uidState, e.flag])).toEqual([
      ['reject', 'ignore', 'fg', 's'],
      ['reject', 'ignore', 'bg', 's'],
      ['reject', 'ignore', 'cch', 's'],
    ]);
    expect(
      fb.filter((e) => e.op === 'READ_DEVICE_IDENTIFIERS' && e.kind === 'reject'),
    ).toHaveLength(3);
    expect(fb.find((e) => e.op === 'WAKE_LOCK' && e.uidState === 'bg')?.durationMs).toBe(33);
  });

  it('reads the seven F-Droid lines with proxy[uid=0, pkg=null] and the durations', () => {
    const r = load();
    const proxied = r.records.filter((e) => e.proxy !== null);
    expect(proxied).toHaveLength(7);
    expect(proxied.every((e) => e.packageName === 'org.fdroid.fdroid')).toBe(true);
    for (const e of proxied) {
      expect(e.proxy).toEqual({ uid: 0, packageName: null, attributionTag: null });
    }
    expect(proxied[0]).toMatchObject({
      kind: 'reject',
      op: 'SYSTEM_ALERT_WINDOW',
      mode: 'default',
    });
    expect(r.records.filter((e) => e.durationMs !== null).map((e) => e.durationMs)).toEqual([
      33, 126, 1942,
    ]);
    expect(r.records.some((e) => e.running)).toBe(false);
  });

  it('shows the DST change and the two captures the file is assembled from', () => {
    // Reference §1.3: 23:27:54 (summer-time lines) vs 22:27:54 (winter-time lines) for the
    // 2022-03-29 capture, and a second capture dumped at 2022-02-03 14:04:05 (one line from
    // before the October change gives 15:04:05).
    expect(dumpTimeEstimates(load().records)).toEqual([
      { wallMs: wall('2022-03-29 23:27:54.000'), count: 11 },
      { wallMs: wall('2022-02-03 14:04:05.000'), count: 6 },
      { wallMs: wall('2022-03-29 22:27:54.000'), count: 5 },
      { wallMs: wall('2022-02-03 15:04:05.000'), count: 1 },
    ]);
  });
});

describe.skipIf(dir === null)('conformance: AndroidQF dumpsys.txt (whole dumpsys)', () => {
  it('reads only the appops service: 10 Access and 6 Reject lines', () => {
    const r = parseAppOps(readFileSync(join(dir!, 'androidqf', 'dumpsys.txt'), 'utf8'));
    expect(r.layout).toEqual(['android-10']);
    expect(r.problems).toEqual([]);
    expect(r.records).toHaveLength(16);
    expect(r.records.filter((e) => e.kind === 'reject')).toHaveLength(6);
    expect(r.records[0]).toMatchObject({
      line: 197,
      uid: '1000',
      packageName: 'com.sec.factory.camera',
      op: 'RUN_IN_BACKGROUND',
      uidState: 'pers',
    });
    expect(r.records.some((e) => e.packageName === 'org.fdroid.fdroid')).toBe(false);
    expect(dumpTimeEstimates(r.records)).toEqual([
      { wallMs: wall('2022-03-29 23:27:54.000'), count: 11 },
      { wallMs: wall('2022-03-29 22:27:54.000'), count: 5 },
    ]);
  });
});

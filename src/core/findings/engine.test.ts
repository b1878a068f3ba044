import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FINDING_RULES, findingSchema, type Finding } from '../../contract/findings';
import { importAndroid } from '../services/android-import';
import { importBackupDevice } from '../services/backup-import';
import { importFile } from '../services/import-run';
import { captureUsagestats, writeAndroidCapture } from '../testing/android-capture';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { writeDemoBackup } from '../testing/ios-backup-demo';
import { tempCase, type TempCase } from '../testing/temp-case';
import { EVIDENCE_CAP } from './common';
import { resolveParams, ruleInfos, runFindings } from './engine';
import { refreshFindings } from './stored';

// The iPhone is at +08:00: local time = UTC + 8 h. Day d of May 2024, local hour h.
const local = (d: number, h: number, m = 0): number => Date.UTC(2024, 4, d, h - 8, m);
const OFF = 480;

let t: TempCase;
let n = 0;
const pair = (app: string, category: string, ms: number, durationMs = 5_000): string[] =>
  accessPair({ app, category, id: `I${(n += 1)}`, ms, durationMs, offsetMin: OFF });

/** Imports App Privacy Report lines into Phone A and returns the source id. */
async function importApr(name: string, lines: string[]): Promise<void> {
  const o = await importFile({
    db: t.session.db,
    path: t.write(name, lines),
    deviceId: t.deviceId,
  });
  expect(o.status).toBe('imported');
}

const one = (fs: Finding[], id: string): Finding => {
  const f = fs.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id} in ${fs.map((x) => x.id).join(', ')}`);
  return findingSchema.parse(f);
};

beforeEach(() => {
  t = tempCase();
  n = 0;
});
afterEach(() => t.cleanup());

describe('rule infos', () => {
  it('lists every rule with documented severity, caveat and defaults', () => {
    const infos = ruleInfos();
    expect(infos.map((i) => i.id)).toEqual([...FINDING_RULES]);
    for (const i of infos) {
      expect(i.severity.length).toBeGreaterThan(10);
      expect(i.caveat.length).toBeGreaterThan(10);
    }
    const defaults = resolveParams();
    expect(Object.fromEntries(defaults)).toEqual({
      'night-access.from': '00:00',
      'night-access.to': '06:00',
      'frequent-access.perDay': 10,
      'regular-polling.minAccesses': 10,
      'regular-polling.maxCv': 0.25,
      'long-access.seconds': 60,
      'new-sensitive-permission.days': 30,
    });
  });

  it('refuses unknown or malformed parameters and accepts numbers as text', () => {
    expect(() => resolveParams({ 'night-access.nope': 1 })).toThrow(/unknown/);
    expect(() => resolveParams({ 'long-access.seconds': 'ten' })).toThrow(/positive number/);
    expect(() => resolveParams({ 'night-access.from': '25:00' })).toThrow(/HH:MM/);
    expect(resolveParams({ 'long-access.seconds': '90' }).get('long-access.seconds')).toBe(90);
  });
});

describe('session rules over App Privacy Reports', () => {
  beforeEach(async () => {
    const lines: string[] = [];
    // WeChat reads photos at night: 01:00 on May 1-5, plus 02:00 and 03:00 on May 1 (7 sessions, 5 nights).
    for (let d = 1; d <= 5; d += 1) lines.push(...pair('com.tencent.xin', 'photos', local(d, 1)));
    lines.push(...pair('com.tencent.xin', 'photos', local(1, 2)));
    lines.push(...pair('com.tencent.xin', 'photos', local(1, 3)));
    // A daytime read, which night-access must ignore.
    lines.push(...pair('com.tencent.xin', 'photos', local(3, 14)));
    // "other" at night is not sensitive.
    lines.push(...pair('com.tencent.xin', 'other', local(2, 1, 30)));
    // Location every 15 min, 12 times on May 2 from 10:00: regular polling.
    for (let i = 0; i < 12; i += 1)
      lines.push(...pair('com.example.maps', 'location', local(2, 10, i * 15), 1000));
    // Camera: one 700 s session (long, high) and one 30 s session (not long).
    lines.push(...pair('com.example.cam', 'camera', local(4, 12), 700_000));
    lines.push(...pair('com.example.cam', 'camera', local(4, 13), 30_000));
    lines.sort((a, b) => tsOf(a) - tsOf(b));
    await importApr('a.ndjson', lines);
    t.session.db
      .prepare("UPDATE apps SET display_name = 'WeChat' WHERE identifier = 'com.tencent.xin'")
      .run();
  });

  it('night-access counts sessions and distinct nights, device-local', () => {
    const fs = runFindings(t.session.db, {}, undefined, ['night-access']);
    expect(fs.map((f) => f.id)).toEqual([`f:night-access:${t.deviceId}:com.tencent.xin:photos`]);
    const f = one(fs, `f:night-access:${t.deviceId}:com.tencent.xin:photos`);
    expect(f).toMatchObject({
      severity: 'high',
      count: 7,
      title: 'WeChat read the photo library 7 times between 00:00 and 06:00 on 5 nights',
      first: '2024-05-01T01:00:00.000+08:00',
      last: '2024-05-05T01:00:05.000+08:00',
      details: { nights: 5, sessions: 7, busiestNightSessions: 3, firstNight: '2024-05-01' },
    });
    expect(f.evidence).toHaveLength(7);
    expect(f.evidence[0]).toBe(`s:${t.deviceId}:I1`);
    expect(f.caveat).toMatch(/not show .*uploaded/);
  });

  it('night-access: a window wrapping midnight gives the night the evening date', () => {
    const fs = runFindings(
      t.session.db,
      { apps: ['WeChat'] },
      { 'night-access.from': '13:00', 'night-access.to': '02:00' },
      ['night-access'],
    );
    const f = one(fs, `f:night-access:${t.deviceId}:com.tencent.xin:photos`);
    // 01:00 on May 1-5 belong to the evenings of Apr 30 - May 4; 14:00 on May 3 joins the night of May 3.
    expect(f.count).toBe(6);
    expect(f.details).toMatchObject({
      nights: 5,
      firstNight: '2024-04-30',
      lastNight: '2024-05-04',
    });
    expect(f.title).toBe(
      'WeChat read the photo library 6 times between 13:00 and 02:00 on 5 nights',
    );
  });

  it('regular-polling finds near-constant gaps with the median in details', () => {
    const fs = runFindings(t.session.db, {}, undefined, ['regular-polling']);
    expect(fs).toHaveLength(1);
    const f = one(fs, `f:regular-polling:${t.deviceId}:com.example.maps:location`);
    expect(f).toMatchObject({
      severity: 'low',
      count: 12,
      details: { medianGapSeconds: 900, cv: 0 },
      title:
        'com.example.maps accessed the location 12 times at near-regular intervals (every 15 min, spread 0 %)',
    });
    // Raising the threshold above the series' size removes it.
    expect(
      runFindings(t.session.db, {}, { 'regular-polling.minAccesses': 13 }, ['regular-polling']),
    ).toEqual([]);
  });

  it('long-access takes closed sessions over the threshold', () => {
    const fs = runFindings(t.session.db, {}, undefined, ['long-access']);
    expect(fs.map((f) => [f.app, f.category, f.severity, f.count])).toEqual([
      ['com.example.cam', 'camera', 'high', 1],
    ]);
    expect(fs[0]!.title).toBe(
      'com.example.cam: 1 interval of the camera recorded as open longer than 60 s (longest 11.7 min)',
    );
    const lower = runFindings(t.session.db, {}, { 'long-access.seconds': 20 }, ['long-access']);
    expect(lower[0]).toMatchObject({ count: 2, severity: 'high', details: { totalSeconds: 730 } });
  });

  it('frequent-access compares with the observed days of the device', () => {
    expect(runFindings(t.session.db, {}, undefined, ['frequent-access'])).toEqual([]);
    const fs = runFindings(t.session.db, {}, { 'frequent-access.perDay': 2 }, ['frequent-access']);
    // 12 location sessions over 5 observed days (May 1-5) = 2.4 a day.
    expect(
      fs.map((f) => [f.app, f.count, f.severity, f.details.observedDays, f.details.perDay]),
    ).toEqual([['com.example.maps', 12, 'low', 5, 2.4]]);
    expect(fs[0]!.title).toBe(
      'com.example.maps accessed the location 12 times in 5 observed days (2.4 a day on average)',
    );
  });

  it('respects the shared filter', () => {
    const fs = runFindings(t.session.db, { categories: ['camera'] });
    expect(fs.map((f) => f.rule)).toEqual(['long-access']);
    const dated = runFindings(t.session.db, { from: '2024-05-03', to: '2024-05-05' }, undefined, [
      'night-access',
    ]);
    // Two nights make the rule's medium; WeChat does not need the photo library, so it is high.
    expect(dated[0]).toMatchObject({
      count: 2,
      details: { nights: 2, ruleSeverity: 'medium' },
      severity: 'high',
    });
    expect(runFindings(t.session.db, { devices: [t.deviceId + 100] })).toEqual([]);
  });

  it('caps evidence and counts what it left out', async () => {
    const lines: string[] = [];
    for (let i = 0; i < EVIDENCE_CAP + 3; i += 1)
      lines.push(...pair('com.example.flood', 'contacts', local(6, 1) + i * 1000, 100));
    await importApr('b.ndjson', lines);
    const f = runFindings(t.session.db, { apps: ['com.example.flood'] }, undefined, [
      'night-access',
    ])[0]!;
    expect(f.count).toBe(EVIDENCE_CAP + 3);
    expect(f.evidence).toHaveLength(EVIDENCE_CAP);
    expect(f.details.evidenceTruncated).toBe(3);
  });
});

/** The timestamp of a generated line, for sorting lines into export order. */
function tsOf(line: string): number {
  return Date.parse((JSON.parse(line) as { timeStamp: string }).timeStamp);
}

describe('profiling-domains', () => {
  it('uses the latest snapshot of each row, groups per app and names owners', async () => {
    const row = (domain: string, owner: string, type: number, lastMs: number) =>
      networkLine({
        app: 'com.tencent.xin',
        domain,
        domainOwner: owner,
        domainType: type,
        firstMs: local(1, 9),
        lastMs,
        offsetMin: OFF,
      });
    await importApr('n1.ndjson', [
      ...pair('com.tencent.xin', 'photos', local(1, 12)),
      row('ads.example.com', 'Example Ads', 1, local(2, 9)),
      row('cdn.example.com', '', 2, local(2, 9)),
    ]);
    await importApr('n2.ndjson', [
      ...pair('com.tencent.xin', 'photos', local(3, 12)),
      row('ads.example.com', 'Example Ads', 1, local(3, 9)),
      row('track.example.net', 'Tracker Inc', 1, local(3, 10)),
    ]);
    const fs = runFindings(t.session.db, {}, undefined, ['profiling-domains']);
    expect(fs).toHaveLength(1);
    const f = one(fs, `f:profiling-domains:${t.deviceId}:com.tencent.xin:`);
    expect(f).toMatchObject({
      severity: 'medium',
      count: 2,
      category: null,
      title:
        'WeChat contacted 2 domains Apple flags as possibly profiling (owners: Example Ads, Tracker Inc)',
      last: '2024-05-03T10:00:00.000+08:00',
      details: { domains: 'ads.example.com, track.example.net', rows: 2 },
    });
    const latestIds = (
      t.session.db
        .prepare(
          'SELECT id FROM network_observations WHERE domain_type = 1 AND source_id = (SELECT MAX(id) FROM sources) ORDER BY domain',
        )
        .all() as { id: number }[]
    ).map((r) => `n:${r.id}`);
    expect(f.evidence).toEqual(latestIds);
    expect(
      runFindings(t.session.db, { apps: ['other.app'] }, undefined, ['profiling-domains']),
    ).toEqual([]);
  });
});

describe('Android captures', () => {
  beforeEach(async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap'));
    // The screen goes off at 07:41:00 and on at 07:42:00: the background photo read at 07:41:07 falls inside.
    writeFileSync(
      join(dir, 'usagestats.txt'),
      captureUsagestats().replace(
        '    time="2025-06-18 07:41:04"',
        '    time="2025-06-18 07:41:00" type=SCREEN_NON_INTERACTIVE package=android flags=0x0\n' +
          '    time="2025-06-18 07:42:00" type=SCREEN_INTERACTIVE package=android flags=0x0\n' +
          '    time="2025-06-18 07:41:04"',
      ),
    );
    await importAndroid(t.session, dir, { label: 'Pixel' });
  });
  const pixel = (): number => t.session.deviceByLabel('Pixel')!.id;
  const bgKey = 'aop:last:com.example.social:READ_MEDIA_IMAGES::bg-s:2025-06-18 07:41:07.412';

  it('background-access labels reported and inferred states', () => {
    let fs = runFindings(t.session.db, { devices: [pixel()] }, undefined, ['background-access']);
    expect(
      fs.map((f) => [f.app, f.severity, f.count, f.details.reported, f.details.inferred]),
    ).toEqual([['com.example.social', 'medium', 1, 1, 0]]);
    expect(fs[0]!.title).toBe(
      'com.example.social read the photo library once in the background (reported by the operating system)',
    );
    expect(fs[0]!.evidence).toEqual([`s:${pixel()}:${bgKey}`]);
    // A contacts access without a reported state: usage records show no foreground activity of its app.
    t.session.db
      .prepare(
        "UPDATE access_sessions SET state_source = NULL, state = 'unknown' WHERE category = 'contacts'",
      )
      .run();
    // An edit by hand is no import: the stored findings are brought up to date by hand too.
    refreshFindings(t.session.db, [pixel()]);
    fs = runFindings(t.session.db, { devices: [pixel()] }, undefined, ['background-access']);
    const inferred = fs.find((f) => f.category === 'contacts')!;
    expect(inferred).toMatchObject({
      severity: 'low',
      count: 1,
      details: { reported: 0, inferred: 1 },
    });
    expect(inferred.title).toMatch(
      /in the background \(inferred from usage records, not reported\)$/,
    );
    expect(inferred.caveat).toMatch(/inference/);
    // The app-state filter applies.
    expect(
      runFindings(t.session.db, { states: ['foreground'] }, undefined, ['background-access']),
    ).toEqual([]);
  });

  it('screen-off-access uses the usage records of the same device', () => {
    const fs = runFindings(t.session.db, {}, undefined, ['screen-off-access']);
    expect(fs).toHaveLength(1);
    const usageId = (
      t.session.db
        .prepare(
          "SELECT id FROM usage_records WHERE type = 'SCREEN_NON_INTERACTIVE' ORDER BY time_ms",
        )
        .get() as {
        id: number;
      }
    ).id;
    expect(fs[0]).toMatchObject({
      app: 'com.example.social',
      category: 'photos',
      severity: 'medium',
      count: 1,
      title: 'com.example.social read the photo library once while the screen was off',
      evidence: [`s:${pixel()}:${bgKey}`, `e:${usageId}`],
      first: '2025-06-18T07:41:07.412+01:00',
    });
  });

  it('new-sensitive-permission takes recent grants and notes later accesses', () => {
    const fs = runFindings(t.session.db, {}, undefined, ['new-sensitive-permission']);
    expect(fs.map((f) => [f.app, f.category, f.severity, f.details.accessesAfter])).toEqual([
      ['com.example.social', 'photos', 'medium', 2],
    ]);
    expect(fs[0]!.title).toBe(
      'com.example.social was granted access to the photo library on 2025-06-10',
    );
    expect(fs[0]!.caveat).toMatch(/grant is not a use/);
    // Only 5 days back from the latest record (2025-06-18): the 2025-06-10 grant is older.
    expect(
      runFindings(t.session.db, {}, { 'new-sensitive-permission.days': 5 }, [
        'new-sensitive-permission',
      ]),
    ).toEqual([]);
  });
});

describe('iPhone backups', () => {
  it('reports granted and limited sensitive permissions, not denied ones', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir);
    await importBackupDevice(t.session, dir, { label: 'Phone A' });
    const fs = runFindings(t.session.db, {}, undefined, ['new-sensitive-permission']);
    expect(fs.map((f) => [f.appName, f.category, f.severity, f.count])).toEqual([
      ['Notes Plus', 'photos', 'low', 1],
      ['WeChat', 'microphone', 'low', 1],
      ['WeChat', 'photos', 'low', 1],
    ]);
    expect(fs[2]!.title).toBe('WeChat was granted access to the photo library on 2024-05-11');
    expect(fs[2]!.first).toBe('2024-05-11T00:15:00.000+02:00');
    expect(fs[0]!.title).toBe(
      'Notes Plus was granted limited access to the photo library on 2024-05-10',
    );
    // A date range replaces the look-back window.
    const ranged = runFindings(t.session.db, { from: '2024-05-11', to: '2024-05-12' }, undefined, [
      'new-sensitive-permission',
    ]);
    expect(ranged.map((f) => f.id)).toEqual([
      `f:new-sensitive-permission:${t.deviceId}:com.tencent.xin:photos`,
    ]);
    expect(ranged[0]!.evidence[0]).toMatch(/^p:\d+$/);
  });
});

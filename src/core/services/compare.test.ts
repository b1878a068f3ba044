import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import type { DayWindow } from '../../contract/filter';
import type { Db } from '../db/open';
import { rebuildRollup } from '../db/rollup';
import { repairedStatsCells } from '../db/session-stats-apply';
import { inferAndroidStates } from '../db/state-inference';
import { importAndroid } from './android-import';
import { writeAndroidCapture } from '../testing/android-capture';
import { accessLine, accessPair, seededRandom } from '../testing/apr-fixture';
import { summariesAndRebuilt } from '../testing/session-summaries';
import { tempCase, type TempCase } from '../testing/temp-case';
import { compare, compareWith, dayOf, observedDays, pairApps, type CompareSpec } from './compare';
import { importFile } from './import-run';

let t: TempCase;
let repairsBefore = 0;
beforeEach(() => {
  t = tempCase();
  repairsBefore = repairedStatsCells();
});
afterEach(() => t.cleanup());

const WHOLE_HOUR_NIGHTS: DayWindow[] = [
  { from: '00:00', to: '06:00' },
  { from: '22:00', to: '06:00' },
  { from: '06:00', to: '22:00' },
  { from: '23:00', to: '01:00' },
  { from: '22:00', to: '24:00' },
  { from: '00:00', to: '00:00' },
];

/**
 * The summaries answer exactly what reading every session answers, and each column's observed
 * days are those of the device's day set that lie in its period.
 */
function expectSameAsScan(db: Db, specs: CompareSpec[], nights = WHOLE_HOUR_NIGHTS): void {
  for (const night of nights)
    expect(compareWith(db, specs, night, 'auto'), `night ${night.from}-${night.to}`).toEqual(
      compareWith(db, specs, night, 'scan'),
    );
  const [row] = compare(db, specs);
  specs.forEach((spec, i) => {
    if (!row) return;
    const days = [...observedDays(db, spec.deviceId)].filter(
      (d) =>
        (spec.fromDay === null || d >= spec.fromDay) && (spec.toDay === null || d < spec.toDay),
    );
    expect(row.columns[i]!.observedDays).toBe(days.length);
  });
}

/** The stored summaries equal ones rebuilt from the sessions, with no cell repaired. */
function expectSummariesRight(db: Db): void {
  const { kept, rebuilt } = summariesAndRebuilt(db);
  expect(kept).toEqual(rebuilt);
  expect(repairedStatsCells()).toBe(repairsBefore);
}

const whole = (deviceId: number, label = `d${deviceId}`): CompareSpec => ({
  label,
  deviceId,
  fromDay: null,
  toDay: null,
});

/**
 * A case filled by direct inserts with everything the comparison distinguishes: open sessions
 * (also odd ones, open with a duration or closed without), negative, zero, repeated and huge
 * durations, reported and inferred states, categories that read as "other", display names that
 * differ between devices, paired identifiers, local days before 1970, and sources' data ranges.
 */
function generatedCase(db: Db, seed: number): number[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const identifiers = ['com.a', 'com.b', 'org.b', 'net.c', 'com.d', 'io.e', 'com.f'];
  const categories = [...CATEGORIES, 'bluetooth', 'other'];
  const devices: number[] = [];
  const addDevice = db.prepare(
    "INSERT INTO devices (label, platform, created_at) VALUES (?, 'ios', 0)",
  );
  const addApp = db.prepare(
    'INSERT INTO apps (device_id, identifier, display_name) VALUES (?, ?, ?)',
  );
  const addSource = db.prepare(
    `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size,
       sha256, imported_at, data_from, data_to)
     VALUES (?, 'ios-app-privacy-report', '1', 'generated', 'generated', 0, ?, 0, ?, ?)`,
  );
  const addSession = db.prepare(
    `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category,
       anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms, open, state, state_source,
       inferred_state)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let d = 0; d < 3; d += 1) {
      const deviceId = Number(addDevice.run(`G${seed}-${d}`).lastInsertRowid);
      devices.push(deviceId);
      // Device 0 straddles 1970-01-01; the others lie in 2024.
      const firstDay = d === 0 ? -60 : 19_700 + d * 17;
      const span = 120 + Math.floor(rnd() * 200);
      addSource.run(
        deviceId,
        `g-${seed}-${d}-1`,
        firstDay * 86_400_000,
        (firstDay + Math.floor(span / 2)) * 86_400_000,
      );
      // A third source apart from the others.
      addSource.run(
        deviceId,
        `g-${seed}-${d}-3`,
        (firstDay + span + 20) * 86_400_000,
        (firstDay + span + 25) * 86_400_000 + 3_600_000,
      );
      addSource.run(
        deviceId,
        `g-${seed}-${d}-2`,
        (firstDay + Math.floor(span / 3)) * 86_400_000,
        (firstDay + span) * 86_400_000,
      );
      const apps = identifiers
        .filter(() => rnd() < 0.85)
        .map((id) =>
          Number(addApp.run(deviceId, id, rnd() < 0.5 ? null : `${id} on ${d}`).lastInsertRowid),
        );
      const n = 300 + Math.floor(rnd() * 900);
      for (let i = 0; i < n; i += 1) {
        const day = firstDay + Math.floor(rnd() * span);
        const category = pick(categories);
        const r = rnd();
        const duration =
          r < 0.05
            ? null
            : r < 0.1
              ? 0
              : r < 0.13
                ? -Math.floor(rnd() * 5000)
                : r < 0.16
                  ? 2 ** 40 + Math.floor(rnd() * 1000)
                  : r < 0.3
                    ? 1000 * Math.floor(rnd() * 5)
                    : Math.floor(rnd() * rnd() * 600_000);
        const open = duration === null ? (rnd() < 0.8 ? 1 : 0) : rnd() < 0.05 ? 1 : 0;
        const s = rnd();
        const state = pick(['foreground', 'background', 'unknown'] as const);
        addSession.run(
          deviceId,
          `k-${i}`,
          pick(apps),
          category,
          category,
          day * 86_400_000,
          Math.floor(rnd() * 1440),
          day,
          duration,
          open,
          state,
          s < 0.4 ? 'reported' : s < 0.5 ? 'inferred' : null,
          rnd() < 0.3 ? pick(['foreground', 'background'] as const) : null,
        );
      }
    }
    rebuildRollup(db);
  })();
  pairApps(db, 'com.b', 'org.b');
  pairApps(db, 'com.d', 'io.e');
  pairApps(db, 'io.e', 'com.f');
  return devices;
}

describe('compare from the session summaries', () => {
  it('answers exactly as reading every session, on generated cases', () => {
    for (const seed of [1, 2, 3]) {
      const devices = generatedCase(t.session.db, seed);
      const rnd = seededRandom(seed * 7);
      expectSameAsScan(
        t.session.db,
        devices.map((d) => whole(d)),
      );
      for (const deviceId of devices) {
        // Periods of every shape: aligned or not to weeks and four-week spans, one day, empty,
        // beyond the data, and one side open.
        const first = deviceId === devices[0] ? -70 : 19_690;
        for (let i = 0; i < 6; i += 1) {
          const a = first + Math.floor(rnd() * 300);
          const b = a + Math.floor(rnd() * 120);
          expectSameAsScan(t.session.db, [
            { label: 'p1', deviceId, fromDay: a, toDay: b },
            { label: 'p2', deviceId, fromDay: b, toDay: b + 1 + Math.floor(rnd() * 60) },
            { label: 'p3', deviceId, fromDay: null, toDay: a },
            { label: 'p4', deviceId, fromDay: b, toDay: null },
          ]);
        }
      }
      t.session.db.exec('DELETE FROM app_pairings');
    }
  });

  it('reads every session for a night window that does not start or end on the hour', () => {
    const devices = generatedCase(t.session.db, 9);
    const specs = devices.map((d) => whole(d));
    for (const night of [
      { from: '22:30', to: '06:00' },
      { from: '00:00', to: '05:59' },
    ])
      expect(compare(t.session.db, specs, night)).toEqual(
        compareWith(t.session.db, specs, night, 'scan'),
      );
  });

  it('takes the median over several days and weeks, the mean of the middle two for an even count', async () => {
    const day = Date.UTC(2024, 4, 1);
    const lines: string[] = [];
    // 1, 2, 3 and 10 s at 01:00 on days 0, 9, 30 and 40 (different weeks and four-week spans),
    // and one left open at noon.
    [1, 2, 3, 10].forEach((s, i) =>
      lines.push(
        ...accessPair({
          app: 'com.x',
          category: 'camera',
          id: `x${i}`,
          ms: day + [0, 9, 30, 40][i]! * 86_400_000 + 3_600_000,
          durationMs: s * 1000,
        }),
      ),
    );
    lines.push(
      accessLine({
        app: 'com.x',
        category: 'camera',
        id: 'open',
        kind: 'intervalBegin',
        ms: day + 12 * 3_600_000,
      }),
    );
    const b = t.session.createDevice({ label: 'B' }).id;
    await importFile({ db: t.session.db, path: t.write('a.ndjson', lines), deviceId: t.deviceId });
    const [row] = compare(t.session.db, [whole(t.deviceId, 'A'), whole(b, 'B')]);
    expect(row!.columns[0]).toMatchObject({
      sessions: 5,
      nightSessions: 4,
      medianSeconds: 2.5,
      longestSeconds: 10,
      backgroundShare: null,
    });
    expect(row!.columns[1]).toMatchObject({
      sessions: 0,
      medianSeconds: null,
      longestSeconds: null,
    });
    const [late] = compare(t.session.db, [
      { label: 'late', deviceId: t.deviceId, fromDay: dayOf('2024-05-10'), toDay: null },
      whole(b, 'B'),
    ]);
    expect(late!.columns[0]).toMatchObject({ sessions: 3, medianSeconds: 3, longestSeconds: 10 });
  });
});

describe('the session summaries stay right', () => {
  /** An export of `n` intervals of a few apps from `startMs`, with every `openEvery`-th left open. */
  function exportLines(prefix: string, startMs: number, n: number, openEvery = 0): string[] {
    const rnd = seededRandom(n + startMs / 1e9);
    const lines: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const o = {
        app: ['com.a', 'com.b', 'com.c'][i % 3]!,
        category: ['photos', 'camera', 'location'][i % 3 === 0 ? 0 : Math.floor(rnd() * 3)]!,
        id: `${prefix}-${i}`,
        ms: startMs + i * 7_200_000 + Math.floor(rnd() * 60_000),
        durationMs: Math.floor(rnd() * 120_000),
      };
      const [begin, end] = accessPair(o);
      lines.push(begin);
      if (openEvery === 0 || i % openEvery !== 0) lines.push(end);
    }
    return lines;
  }

  const T0 = Date.UTC(2024, 2, 20);

  it('through overlapping imports that complete open sessions, a removal and a move', async () => {
    const db = t.session.db;
    const other = t.session.createDevice({ label: 'Phone B' }).id;
    const first = exportLines('a', T0, 400, 5);
    // The second export repeats the first's last half, closes its open sessions and goes on.
    const second = [...exportLines('a', T0, 400).slice(400), ...exportLines('b', T0 + 8e8, 300)];
    const third = exportLines('c', T0 + 4e8, 200);
    await importFile({ db, path: t.write('1.ndjson', first), deviceId: t.deviceId });
    expectSummariesRight(db);
    const s2 = await importFile({ db, path: t.write('2.ndjson', second), deviceId: t.deviceId });
    const s3 = await importFile({ db, path: t.write('3.ndjson', third), deviceId: other });
    expectSummariesRight(db);
    const both = [whole(t.deviceId), whole(other)];
    expectSameAsScan(db, both);
    const before = compare(db, both);

    t.session.removeSource(s2.sourceId!);
    expectSummariesRight(db);
    expectSameAsScan(db, both);
    expect(compare(db, both)).not.toEqual(before);

    t.session.moveSource(s3.sourceId!, t.deviceId);
    expectSummariesRight(db);
    expectSameAsScan(db, both);
    expect(compare(db, both)[0]!.columns[1]!.sessions).toBe(0);
  });

  it('through imports spanning thousands of day cells, the second completing the first', async () => {
    const db = t.session.db;
    // 40 apps over 100 days.
    const lines = (from: number, to: number, open: boolean): string[] => {
      const out: string[] = [];
      for (let i = from; i < to; i += 1) {
        const [begin, end] = accessPair({
          app: `com.app${i % 40}`,
          category: ['photos', 'camera', 'location'][i % 3]!,
          id: `m-${i}`,
          ms: T0 + Math.floor(i / 40) * 86_400_000 + (i % 97) * 60_000,
          durationMs: (i * 7919) % 90_000,
        });
        out.push(begin);
        if (!open || i % 2 === 0) out.push(end);
      }
      return out;
    };
    await importFile({
      db,
      path: t.write('1.ndjson', lines(0, 3000, true)),
      deviceId: t.deviceId,
    });
    // Closes the open half and adds more.
    await importFile({
      db,
      path: t.write('2.ndjson', lines(0, 4000, false)),
      deviceId: t.deviceId,
    });
    expectSummariesRight(db);
    const other = t.session.createDevice({ label: 'B' }).id;
    expectSameAsScan(db, [whole(t.deviceId), whole(other)], [{ from: '00:00', to: '06:00' }]);
  });

  it('through Android imports and their state inference', async () => {
    const db = t.session.db;
    // Captures whose first access has no reported state: its state is the inferred one.
    const capture = (name: string, relativeShiftMs = 0): string => {
      const dir = writeAndroidCapture(join(t.dir, name), { relativeShiftMs });
      const appops = join(dir, 'appops.txt');
      writeFileSync(appops, readFileSync(appops, 'utf8').replace('Access: [bg-s]', 'Access: [-s]'));
      return dir;
    };
    const r = await importAndroid(t.session, capture('cap1'), { label: 'Pixel' });
    const pixel = r.device.id;
    const specs = [whole(pixel), whole(t.deviceId)];
    expectSummariesRight(db);
    expectSameAsScan(db, specs);
    const shares = () =>
      compare(db, specs).map((row) => [row.app, row.category, row.columns[0]!.backgroundShare]);
    const inferred = shares();
    expect(inferred.some(([, , share]) => share !== null)).toBe(true);

    // A later capture of the same phone: its accesses are stored once more, states inferred again.
    const r2 = await importAndroid(t.session, capture('cap2', 3_600_000), { label: 'Pixel' });
    expectSummariesRight(db);
    expectSameAsScan(db, specs);

    // Without usage records nothing is inferred any more: only reported states remain.
    db.transaction(() => {
      db.prepare('DELETE FROM usage_records WHERE device_id = ?').run(pixel);
      inferAndroidStates(db, pixel);
    })();
    expectSummariesRight(db);
    expectSameAsScan(db, specs);
    expect(shares()).not.toEqual(inferred);

    // Removing the first capture rewrites the accesses from the second one's edges; they keep
    // their states.
    for (const o of r.outcomes) if (o.sourceId !== null) t.session.removeSource(o.sourceId);
    expect(
      (
        db
          .prepare("SELECT COUNT(*) AS n FROM access_sessions WHERE state_source = 'reported'")
          .get() as { n: number }
      ).n,
    ).toBeGreaterThan(0);
    expectSummariesRight(db);
    expectSameAsScan(db, specs);

    // And removing the second deletes them, with the proxy lines that pointed at them.
    for (const o of r2.outcomes)
      if (o.status === 'imported' && o.sourceId !== null) t.session.removeSource(o.sourceId);
    expectSummariesRight(db);
    expect(db.prepare('SELECT COUNT(*) AS n FROM session_stats').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM proxy_lines').get()).toEqual({ n: 0 });
  });

  it('after a rebuild, and recomputes a stored cell that is out of step with a change', async () => {
    const db = t.session.db;
    // Every interval open: closing them later touches every cell.
    await importFile({
      db,
      path: t.write('1.ndjson', exportLines('a', T0, 60, 1)),
      deviceId: t.deviceId,
    });
    db.transaction(() => rebuildRollup(db))();
    expectSummariesRight(db);
    // The stats lost: the changes of the closing import do not fit, so the cells are recomputed.
    db.exec('DELETE FROM session_stats');
    const closing = exportLines('a', T0, 60).filter((l) => l.includes('intervalEnd'));
    await importFile({ db, path: t.write('2.ndjson', closing), deviceId: t.deviceId });
    expect(repairedStatsCells()).toBeGreaterThan(repairsBefore);
    const { kept, rebuilt } = summariesAndRebuilt(db);
    expect(kept).toEqual(rebuilt);
  });
});

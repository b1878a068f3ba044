import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binList } from '../../contract/timeline-bins';
import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import { rebuildRollup } from '../db/rollup';
import { dropHalfHours, fillHalfHours } from '../testing/half-hours';
import { byDeviceSessions, windowBinRows, windowBinRowsByRow } from './timeline-stats';
import { tempCase, type TempCase } from '../testing/temp-case';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const SESSIONS = 12_000;

let t: TempCase;
let device: number;
beforeAll(() => {
  t = tempCase();
  const db = t.session.db;
  device = t.deviceId;
  const app = Number(
    db.prepare("INSERT INTO apps (device_id, identifier) VALUES (?, 'com.x')").run(device)
      .lastInsertRowid,
  );
  const insert = db.prepare(
    `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
       end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms, open, state)
     VALUES (?, ?, ?, 'photos', 'photos', ?, 60, ?, 60, ?, 60, ?, ?, ?, 0, 'unknown')`,
  );
  db.transaction(() => {
    for (let i = 0; i < SESSIONS; i += 1) {
      const ms = START + i * 2_600_000;
      const dur = (i % 90) * 1000;
      insert.run(
        device,
        `k${i}`,
        app,
        ms,
        ms + dur,
        ms,
        localMinuteOfDay(ms, 60),
        localDayNumber(ms, 60),
        dur,
      );
    }
    rebuildRollup(db);
  })();
});
afterAll(() => t.cleanup());

// Rollup bins start at the device's local midnights (+01:00 here); the sessions' own scan bins
// at UTC multiples of the bin size.
const localDayBins = (bins: { startMs: number }[]): boolean =>
  bins.every((b) => (b.startMs + 3_600_000) % DAY === 0);

describe('timeline answered without reading every session', () => {
  it('a minimum duration the rollup does not count comes from the session stats, exactly', () => {
    let over = 0;
    for (let i = 0; i < SESSIONS; i += 1) if ((i % 90) * 1000 >= 45_000) over += 1;
    const r = t.session.queries.timeline({ filter: { minSeconds: 45 }, width: 1200 });
    expect(r.mode).toBe('bins');
    expect(r.binMs! % DAY).toBe(0);
    expect(localDayBins(binList(r.bins))).toBe(true);
    expect(r.total).toBe(over);
    expect(binList(r.bins).reduce((n, b) => n + b.count, 0)).toBe(over);
  });

  it('an hours window not on whole hours comes from the rollup and the minutes left, exactly', () => {
    let inWindow = 0;
    for (let i = 0; i < SESSIONS; i += 1) {
      const m = localMinuteOfDay(START + i * 2_600_000, 60);
      if (m >= 12 * 60 + 30 || m < 6 * 60) inWindow += 1;
    }
    const r = t.session.queries.timeline({
      filter: { hours: { from: '12:30', to: '06:00' } },
      width: 1200,
    });
    expect(r.mode).toBe('bins');
    expect(localDayBins(binList(r.bins))).toBe(true);
    expect(r.total).toBe(inWindow);
    expect(binList(r.bins).reduce((n, b) => n + b.count, 0)).toBe(inWindow);
  });

  it("an hours window reads the minutes row by row when the rollup lacks a session's cell", () => {
    const db = t.session.db;
    const f = { hours: { from: '12:30', to: '06:00' } };
    const lane = { sql: [], params: [] };
    const first = Math.floor(localDayNumber(START, 60) / 7);
    const last = first + 60;
    const level = 7;
    // A summary out of step: one week cell gone. The packed read cannot place that cell's
    // sessions and reads the minutes one row each instead, as the row-by-row path does.
    const gone = db
      .prepare('SELECT bucket FROM session_rollup WHERE level = ? ORDER BY bucket LIMIT 1 OFFSET 3')
      .pluck()
      .get(level) as number;
    db.prepare('DELETE FROM session_rollup WHERE level = ? AND bucket = ?').run(level, gone);
    try {
      const rows = windowBinRows(db, f, level, first, last, lane);
      expect(rows).toEqual(windowBinRowsByRow(db, f, level, first, last, lane));
      // What is left of that week: its sessions of 12:30-12:59, from the minutes.
      let left = 0;
      for (let i = 0; i < SESSIONS; i += 1) {
        const ms = START + i * 2_600_000;
        const m = localMinuteOfDay(ms, 60);
        if (Math.floor(localDayNumber(ms, 60) / level) === gone && m >= 750 && m < 780) left += 1;
      }
      expect(left).toBeGreaterThan(0);
      expect(rows.find((r) => r.bucket === gone)?.sessions).toBe(left);
      // No cell at all: the minutes' sessions are still counted.
      db.prepare('DELETE FROM session_rollup WHERE level = ?').run(level);
      const bare = windowBinRows(db, f, level, first, last, lane);
      expect(bare.length).toBeGreaterThan(0);
      expect(bare).toEqual(windowBinRowsByRow(db, f, level, first, last, lane));
    } finally {
      db.transaction(() => rebuildRollup(db))();
    }
  });

  it('an hours window counts a session whose end precedes its begin, exactly', () => {
    const db = t.session.db;
    const f = { hours: { from: '12:30', to: '06:00' } };
    const lane = { sql: [], params: [] };
    const level = 7;
    const first = Math.floor(localDayNumber(START, 60) / level);
    const last = first + 60;
    // 12:45 local on the twentieth day, its end a minute before its begin: a negative duration.
    const ms = START + 19 * DAY + 11 * 3_600_000 + 45 * 60_000;
    const app = db
      .prepare("SELECT id FROM apps WHERE identifier = 'com.x'")
      .pluck()
      .get() as number;
    db.prepare(
      `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
         end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms, open, state)
       VALUES (?, 'backwards', ?, 'photos', 'photos', ?, 60, ?, 60, ?, 60, ?, ?, -60000, 0, 'unknown')`,
    ).run(device, app, ms, ms - 60_000, ms, localMinuteOfDay(ms, 60), localDayNumber(ms, 60));
    db.transaction(() => rebuildRollup(db))();
    try {
      const rows = windowBinRows(db, f, level, first, last, lane);
      expect(rows).toEqual(windowBinRowsByRow(db, f, level, first, last, lane));
    } finally {
      db.exec("DELETE FROM access_sessions WHERE interval_key = 'backwards'");
      db.transaction(() => rebuildRollup(db))();
    }
  });

  it('a window on half hours comes from the rollup alone once it keeps half hours', () => {
    const db = t.session.db;
    const q = t.session.queries;
    const filter = { hours: { from: '12:30', to: '06:00' } };
    let inWindow = 0;
    for (let i = 0; i < SESSIONS; i += 1) {
      const m = localMinuteOfDay(START + i * 2_600_000, 60);
      if (m >= 12 * 60 + 30 || m < 6 * 60) inWindow += 1;
    }
    // From the minutes left over (or from the half hours, once the schema has them).
    const before = q.timeline({ filter, width: 1200 });
    const added = fillHalfHours(db);
    try {
      const r = q.timeline({ filter, width: 1200 });
      expect(r).toEqual(before);
      expect(r.total).toBe(inWindow);
      // Read from the half-hour columns: with them emptied the answer changes.
      db.exec('UPDATE session_rollup SET q12 = 0, qb12 = 0');
      expect(q.timeline({ filter, width: 1200 }).total).not.toBe(inWindow);
    } finally {
      if (added) dropHalfHours(db);
      else db.transaction(() => rebuildRollup(db))();
    }
    expect(q.timeline({ filter, width: 1200 })).toEqual(before);
  });

  it('app states come from the sessions by state, exactly', () => {
    const db = t.session.db;
    // Every third session reported in the background, every fifth of the rest inferred so.
    const background = (i: number): boolean => i % 3 === 0 || i % 5 === 0;
    db.transaction(() => {
      db.exec(`UPDATE access_sessions SET state = 'background', state_source = 'reported'
               WHERE CAST(substr(interval_key, 2) AS INTEGER) % 3 = 0`);
      db.exec(`UPDATE access_sessions SET inferred_state = 'background'
               WHERE CAST(substr(interval_key, 2) AS INTEGER) % 5 = 0`);
      rebuildRollup(db);
    })();
    try {
      let n = 0;
      let ms = 0;
      for (let i = 0; i < SESSIONS; i += 1)
        if (background(i)) {
          n += 1;
          ms += (i % 90) * 1000;
        }
      const q = t.session.queries;
      const r = q.timeline({ filter: { states: ['background'] }, width: 1200 });
      expect(r.mode).toBe('bins');
      expect(localDayBins(binList(r.bins))).toBe(true);
      expect(r.total).toBe(n);
      expect(binList(r.bins).reduce((s, b) => s + b.busyMs, 0)).toBe(ms);
      const rest = q.timeline({ filter: { states: ['unknown', 'foreground'] }, width: 1200 });
      expect(localDayBins(binList(rest.bins))).toBe(true);
      expect(rest.total).toBe(SESSIONS - n);
    } finally {
      db.transaction(() => {
        db.exec(
          "UPDATE access_sessions SET state = 'unknown', state_source = NULL, inferred_state = NULL",
        );
        rebuildRollup(db);
      })();
    }
  });

  it('a few apps are binned from the app index alone, without reading the sessions', () => {
    const plan = (
      t.session.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT s.device_id, s.app_id, s.category, s.anchor_ms / 3600000, COUNT(*),
                  SUM(s.duration_ms)
           FROM access_sessions s WHERE s.app_id IN (1, 2) AND s.anchor_ms > ? AND s.anchor_ms < ?
           GROUP BY s.device_id, s.app_id, s.category, s.anchor_ms / 3600000`,
        )
        .all(START, START + 28 * DAY) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ');
    expect(plan).toContain('COVERING INDEX access_sessions_app');
  });

  it('a few devices are binned from the index by device and instant, exactly', () => {
    const q = t.session.queries;
    // Fine bins over the whole year: exact bins from the sessions, not the rollup's days.
    const all = q.timeline({ filter: {}, width: 12_000 });
    const one = q.timeline({ filter: { devices: [device] }, width: 12_000 });
    expect(one.mode).toBe('bins');
    expect(one.binMs!).toBeLessThan(DAY);
    expect(binList(one.bins).reduce((n, b) => n + b.count, 0)).toBe(SESSIONS);
    expect(one.bins).toEqual(all.bins);
    expect(one.lanes).toEqual(all.lanes);
    expect(q.timeline({ filter: { devices: [device + 1] }, width: 12_000 }).total).toBe(0);
    const plan = (
      t.session.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT s.app_id, s.category, s.duration_ms FROM access_sessions s
           ${byDeviceSessions({ where: 'WHERE s.anchor_ms > ? AND s.anchor_ms < ?', params: [] }, [device]).where}`,
        )
        .all(START, START + 7 * DAY, device) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ');
    expect(plan).toContain(
      'COVERING INDEX access_sessions_device_anchor (device_id=? AND anchor_ms',
    );
  });

  it('a device-state filter over devices without lock or screen records keeps all or none', () => {
    const q = t.session.queries;
    const all = q.timeline({ filter: {}, width: 1200 });
    expect(localDayBins(binList(all.bins))).toBe(true);
    expect(q.timeline({ filter: { deviceStates: ['unknown'] }, width: 1200 })).toEqual(all);
    expect(q.timeline({ filter: { deviceStates: ['in-use', 'unknown'] }, width: 1200 })).toEqual(
      all,
    );
    const none = q.timeline({ filter: { deviceStates: ['locked', 'screen-off'] }, width: 1200 });
    expect([none.total, none.lanes, binList(none.bins), none.sessions]).toEqual([0, [], [], []]);
  });

  it('a device with lock records is still read session by session', () => {
    const db = t.session.db;
    const source = Number(
      db
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
           VALUES (?, 'powerlog', '1', 'x', 'x', 0, 'x', 0)`,
        )
        .run(device).lastInsertRowid,
    );
    // Locked through the first ten days: the sessions then count as locked, the rest as unknown.
    db.prepare(
      `INSERT INTO device_state_coverage (device_id, source_id, kind, basis, from_ms, to_ms) VALUES (?, ?, 'lock', 'powerlog', ?, ?)`,
    ).run(device, source, START, START + 10 * DAY);
    db.prepare(
      `INSERT INTO device_states (device_id, source_id, kind, value, from_ms, from_offset, to_ms, to_offset, basis, locator)
       VALUES (?, ?, 'lock', 'locked', ?, 60, ?, 60, 'powerlog', 'row 1')`,
    ).run(device, source, START, START + 10 * DAY);
    try {
      let locked = 0;
      for (let i = 0; i < SESSIONS; i += 1) if (i * 2_600_000 < 10 * DAY) locked += 1;
      const q = t.session.queries;
      expect(q.timeline({ filter: { deviceStates: ['locked'] }, width: 1200 }).total).toBe(locked);
      expect(q.timeline({ filter: { deviceStates: ['unknown'] }, width: 1200 }).total).toBe(
        SESSIONS - locked,
      );
    } finally {
      db.exec('DELETE FROM device_states; DELETE FROM device_state_coverage');
      db.prepare('DELETE FROM sources WHERE id = ?').run(source);
    }
  });
});

describe('timeline bins of a few apps from the rollup', () => {
  it('come in the order of the rollup key (day, device, app, category), as without the filter', () => {
    const c = tempCase();
    try {
      const db = c.session.db;
      const apps = ['com.a', 'com.b', 'com.c'].map((id) =>
        Number(
          db.prepare('INSERT INTO apps (device_id, identifier) VALUES (?, ?)').run(c.deviceId, id)
            .lastInsertRowid,
        ),
      );
      const insert = db.prepare(
        `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
           end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms, open, state)
         VALUES (?, ?, ?, ?, 'raw', ?, 60, ?, 60, ?, 60, ?, ?, 1000, 0, 'unknown')`,
      );
      db.transaction(() => {
        for (let i = 0; i < 9_000; i += 1) {
          const ms = START + i * 3_000_000;
          insert.run(
            c.deviceId,
            `k${i}`,
            apps[i % 3],
            i % 2 === 0 ? 'photos' : 'camera',
            ms,
            ms + 1000,
            ms,
            localMinuteOfDay(ms, 60),
            localDayNumber(ms, 60),
          );
        }
        rebuildRollup(db);
      })();
      const filter = { apps: ['com.a', 'com.b'] };
      const r = c.session.queries.timeline({ filter, width: 100 });
      expect(r.mode).toBe('bins');
      expect(r.binMs! % DAY).toBe(0);
      const bins = binList(r.bins);
      expect(bins.reduce((n, b) => n + b.count, 0)).toBe(6_000);
      // The same bins, in the same order, as the unfiltered answer's bins of those apps.
      const all = binList(c.session.queries.timeline({ filter: {}, width: 100 }).bins);
      const kept = new Set(r.lanes.map((l) => l.key));
      expect(bins).toEqual(all.filter((b) => kept.has(b.lane)));
    } finally {
      c.cleanup();
    }
  });
});

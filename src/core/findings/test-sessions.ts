import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import type { Db } from '../db/open';
import { rebuildRollup } from '../db/rollup';

/** 2024-05-01T00:00Z: the first day the test sessions lie on. */
export const TEST_START = Date.UTC(2024, 4, 1);
const DAY = 86_400_000;

/** One session a test writes: day index, device-local time, length (null: open) and state. */
export interface TestSession {
  app: string;
  category: string;
  day: number;
  /** Device-local minutes after midnight. */
  minute: number;
  seconds: number | null;
  state?: 'foreground' | 'background';
}

/**
 * Writes sessions straight into the tables of a device (UTC offset 0), with one App Privacy
 * Report source covering `days` days and the rollup rebuilt: enough for every session rule.
 */
export function writeSessions(
  db: Db,
  deviceId: number,
  sessions: readonly TestSession[],
  days = 14,
): void {
  db.transaction(() => {
    const source = Number(
      db
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at, data_from, data_to)
           VALUES (?, 'ios-app-privacy-report', '1', 'x.ndjson', 'x.ndjson', 0, ?, 0, ?, ?)`,
        )
        .run(
          deviceId,
          `test-${deviceId}-${sessions.length}`,
          TEST_START,
          TEST_START + days * DAY - 1,
        ).lastInsertRowid,
    );
    const appIds = new Map<string, number>();
    const appId = (identifier: string): number => {
      let id = appIds.get(identifier);
      if (id === undefined) {
        db.prepare('INSERT OR IGNORE INTO apps (device_id, identifier) VALUES (?, ?)').run(
          deviceId,
          identifier,
        );
        id = db
          .prepare('SELECT id FROM apps WHERE device_id = ? AND identifier = ?')
          .pluck()
          .get(deviceId, identifier) as number;
        appIds.set(identifier, id);
      }
      return id;
    };
    const insert = db.prepare(
      `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
         b_source_id, b_line, b_raw_line, end_ms, end_offset, e_source_id, e_line, e_raw_line, anchor_ms,
         anchor_offset, anchor_minute, local_day, duration_ms, open, state, state_source)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, '{}', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    let line = 1;
    sessions.forEach((s, i) => {
      const start = TEST_START + s.day * DAY + s.minute * 60_000;
      const open = s.seconds === null;
      const end = open ? null : start + s.seconds! * 1000;
      insert.run(
        deviceId,
        `t${source}-${i}`,
        appId(s.app),
        s.category,
        s.category,
        start,
        source,
        line++,
        end,
        open ? null : 0,
        open ? null : source,
        open ? null : line++,
        open ? null : '{}',
        start,
        localMinuteOfDay(start, 0),
        localDayNumber(start, 0),
        open ? null : s.seconds! * 1000,
        open ? 1 : 0,
        s.state ?? 'unknown',
        s.state ? 'reported' : null,
      );
    });
    rebuildRollup(db);
  })();
}

/** `n` sessions of an app and category, one a day from `firstDay`, at a device-local minute. */
export function daily(
  app: string,
  category: string,
  n: number,
  minute: number,
  seconds: number | null,
  firstDay = 0,
): TestSession[] {
  return Array.from({ length: n }, (_, i) => ({
    app,
    category,
    day: firstDay + i,
    minute,
    seconds,
  }));
}

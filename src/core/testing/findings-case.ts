import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import type { Db } from '../db/open';
import { rebuildRollup } from '../db/rollup';
import { seededRandom } from './apr-fixture';

const APPS = ['com.a.one', 'com.b.two', 'com.c.three', 'com.d.four'];
const NAMES = [null, 'One', null, 'Shared'];
const CATEGORIES = ['photos', 'camera', 'microphone', 'location', 'contacts', 'other'];
const OFFSETS = [-300, 0, 60, 120, 480, 840];
const SCREEN = [
  'SCREEN_NON_INTERACTIVE',
  'SCREEN_INTERACTIVE',
  'DEVICE_STARTUP',
  'ACTIVITY_RESUMED',
];
/** 2024-05-01T00:00Z: the generated records lie in the following two weeks. */
export const FINDINGS_CASE_START = Date.UTC(2024, 4, 1);
const SPAN = 14 * 86_400_000;

/** Empties the tables `fillFindingsCase` fills, so a property test can refill one case per run. */
export function emptyFindingsCase(db: Db): void {
  db.exec(`DELETE FROM access_sessions; DELETE FROM usage_records; DELETE FROM reject_records;
    DELETE FROM permission_records; DELETE FROM network_observations; DELETE FROM session_rollup;
    DELETE FROM session_stats; DELETE FROM session_day_hours; DELETE FROM apps; DELETE FROM sources;
    DELETE FROM devices`);
}

/**
 * Fills a case with random records for every findings rule, written straight into the tables
 * (sessions with their derived columns, usage, reject, permission and network records; the rollup
 * rebuilt): few apps and instants, so groups, ties and regular series are common.
 */
export function fillFindingsCase(db: Db, seed: number): { devices: number[] } {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const devices: number[] = [];
  db.transaction(() => {
    const deviceCount = 1 + Math.floor(rnd() * 3);
    let line = 1;
    for (let d = 0; d < deviceCount; d += 1) {
      const deviceId = Number(
        db
          .prepare("INSERT INTO devices (label, platform, created_at) VALUES (?, 'android', 0)")
          .run(pick(['Phone', 'phone b', 'Émile', 'Zed', 'Alpha']) + ` ${d}`).lastInsertRowid,
      );
      devices.push(deviceId);
      const sources: number[] = [];
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k += 1)
        sources.push(
          Number(
            db
              .prepare(
                `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at, data_from, data_to)
                 VALUES (?, 'ios-app-privacy-report', '1', 'x', 'x', 0, ?, 0, ?, ?)`,
              )
              .run(
                deviceId,
                `${seed}-${deviceId}-${k}`,
                FINDINGS_CASE_START,
                FINDINGS_CASE_START + Math.floor(rnd() * SPAN),
              ).lastInsertRowid,
          ),
        );
      const apps = APPS.slice(0, 1 + Math.floor(rnd() * APPS.length)).map((id, i) =>
        Number(
          db
            .prepare('INSERT INTO apps (device_id, identifier, display_name) VALUES (?, ?, ?)')
            .run(deviceId, id, NAMES[i]).lastInsertRowid,
        ),
      );
      const insert = db.prepare(
        `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
           b_source_id, b_line, b_raw_line, end_ms, end_offset, e_source_id, e_line, e_raw_line, anchor_ms,
           anchor_offset, anchor_minute, local_day, duration_ms, open, state, state_source, inferred_state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const sessions = Math.floor(rnd() * 80);
      let regular = FINDINGS_CASE_START + Math.floor(rnd() * SPAN);
      const step = 60_000 * (1 + Math.floor(rnd() * 120));
      for (let i = 0; i < sessions; i += 1) {
        // A third of the sessions follow a near-regular series; some share an instant.
        let anchor: number;
        const r = rnd();
        if (r < 0.33) {
          regular += step + Math.floor((rnd() - 0.5) * step * 0.2);
          anchor = regular;
        } else if (r < 0.4) anchor = FINDINGS_CASE_START + 3_600_000 * Math.floor(rnd() * 4);
        else anchor = FINDINGS_CASE_START + Math.floor(rnd() * SPAN);
        const offset = pick(OFFSETS);
        const duration = pick([0, 1_000, 30_000, 61_000, 200_000, Math.floor(rnd() * 900_000)]);
        const open = rnd() < 0.15;
        const missingBegin = open && rnd() < 0.5;
        const stateRoll = rnd();
        const state = stateRoll < 0.25 ? 'background' : stateRoll < 0.45 ? 'foreground' : 'unknown';
        const reported = state !== 'unknown' && rnd() < 0.6;
        const inferred = rnd() < 0.3 ? pick(['foreground', 'background']) : null;
        const source = pick(sources);
        insert.run(
          deviceId,
          `k${pick(['', 'a', 'B'])}${i}`,
          pick(apps),
          pick(CATEGORIES),
          'raw',
          missingBegin ? null : anchor,
          missingBegin ? null : offset,
          source,
          line++,
          open && !missingBegin ? null : anchor + duration,
          open && !missingBegin ? null : pick([offset, offset, 60]),
          open && !missingBegin ? null : source,
          open && !missingBegin ? null : line++,
          open && !missingBegin ? null : '{}',
          anchor,
          offset,
          localMinuteOfDay(anchor, offset),
          localDayNumber(anchor, offset),
          open ? null : duration,
          open ? 1 : 0,
          reported ? state : 'unknown',
          reported ? 'reported' : null,
          inferred,
        );
      }
      if (rnd() < 0.7) {
        const usage = db.prepare(
          `INSERT INTO usage_records (device_id, source_id, record_key, type, time_ms, time_offset, line, raw_line)
           VALUES (?, ?, ?, ?, ?, 0, ?, '')`,
        );
        for (let i = 0; i < Math.floor(rnd() * 30); i += 1)
          usage.run(
            deviceId,
            pick(sources),
            `u${i}`,
            pick(SCREEN),
            FINDINGS_CASE_START + Math.floor(rnd() * SPAN),
            line++,
          );
      }
      for (let i = 0; i < Math.floor(rnd() * 4); i += 1)
        db.prepare(
          `INSERT INTO reject_records (device_id, app_id, source_id, record_key, op, category, time_ms, time_offset, state, line, raw_line)
           VALUES (?, ?, ?, ?, 'op', ?, ?, 0, ?, ?, '')`,
        ).run(
          deviceId,
          pick(apps),
          pick(sources),
          `r${i}`,
          pick(CATEGORIES),
          FINDINGS_CASE_START + Math.floor(rnd() * SPAN),
          pick(['background', 'foreground']),
          line++,
        );
      for (let i = 0; i < Math.floor(rnd() * 5); i += 1)
        db.prepare(
          `INSERT INTO permission_records (device_id, app_id, source_id, origin, raw, category, status, time_ms, time_offset, locator, raw_fields)
           VALUES (?, ?, ?, 'tcc', 'kTCC', ?, ?, ?, ?, ?, '{}')`,
        ).run(
          deviceId,
          pick(apps),
          pick(sources),
          pick(CATEGORIES),
          pick(['granted', 'limited', 'denied']),
          rnd() < 0.1 ? null : FINDINGS_CASE_START + Math.floor(rnd() * SPAN),
          pick(OFFSETS),
          `p${i}`,
        );
      for (let i = 0; i < Math.floor(rnd() * 8); i += 1) {
        const first = FINDINGS_CASE_START + Math.floor(rnd() * SPAN);
        const domain = pick(['a.example', 'b.example', 'c.example']);
        db.prepare(
          `INSERT INTO network_observations (device_id, app_id, source_id, line, domain, domain_lower, domain_owner,
             domain_type, hits, first_ms, first_offset, last_ms, last_offset, raw_line)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, '')`,
        ).run(
          deviceId,
          pick(apps),
          pick(sources),
          line++,
          domain,
          domain,
          pick([null, 'Owner', ' ']),
          pick([1, 1, 2]),
          Math.floor(rnd() * 9),
          first,
          first + Math.floor(rnd() * 86_400_000),
        );
      }
    }
    rebuildRollup(db);
  })();
  return { devices };
}

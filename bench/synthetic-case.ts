// A generated case written straight into the tables: devices × apps × categories over a year,
// with the sessions' derived columns filled as an import would, then the rollups rebuilt.
import { rmSync } from 'node:fs';
import { localDayNumber, localMinuteOfDay } from '../src/contract/time';
import type { Db } from '../src/core/db/open';
import { rebuildRollup } from '../src/core/db/rollup';
import { CaseSession } from '../src/core/services/case-service';
import { accessPair, intervalId, seededRandom } from '../src/core/testing/apr-fixture';

export const SYNTHETIC_APPS = 30;
export const SYNTHETIC_CATEGORIES = [
  'photos',
  'location',
  'contacts',
  'camera',
  'microphone',
  'mediaLibrary',
  'screenRecording',
];
export const SYNTHETIC_START = Date.UTC(2024, 0, 1);
export const SYNTHETIC_SPAN = 365 * 86_400_000;

export interface SyntheticOptions {
  devices: number;
  perDevice: number;
  seed: number;
  deviceLabel: (d: number) => string;
  /** Gives a third of the sessions a reported app state and a tenth of the rest an inferred one. */
  states: boolean;
  /** Records each source's data range, so the devices have observed days. */
  dataRanges: boolean;
}

export function buildSyntheticCase(path: string, o: SyntheticOptions): void {
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const c = CaseSession.create(path);
  const db = c.db;
  const rnd = seededRandom(o.seed);
  const appIds: number[][] = [];
  db.transaction(() => {
    const addDevice = db.prepare(
      "INSERT INTO devices (label, platform, created_at) VALUES (?, 'ios', 0)",
    );
    const addSource = db.prepare(
      `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256,
         imported_at, data_from, data_to)
       VALUES (?, 'bench', '1', 'generated', 'generated.ndjson', 0, ?, 0, ?, ?)`,
    );
    const addApp = db.prepare('INSERT INTO apps (device_id, identifier) VALUES (?, ?)');
    for (let d = 1; d <= o.devices; d += 1) {
      addDevice.run(o.deviceLabel(d));
      addSource.run(
        d,
        `bench-${o.seed}-${d}`,
        o.dataRanges ? SYNTHETIC_START : null,
        o.dataRanges ? SYNTHETIC_START + SYNTHETIC_SPAN : null,
      );
      appIds.push(
        Array.from({ length: SYNTHETIC_APPS }, (_, a) =>
          Number(addApp.run(d, `com.example.app${a}`).lastInsertRowid),
        ),
      );
    }
  })();
  const insert = sessionInserter(db);
  for (let d = 1; d <= o.devices; d += 1) {
    db.transaction(() => {
      for (let i = 0; i < o.perDevice; i += 1) {
        const ms =
          SYNTHETIC_START + Math.floor((i / o.perDevice) * SYNTHETIC_SPAN + rnd() * 60_000);
        const offset = ms > Date.UTC(2024, 2, 31, 1) && ms < Date.UTC(2024, 9, 27, 1) ? 120 : 60;
        const dur = rnd() < 0.05 ? 0 : Math.floor(rnd() * rnd() * 300_000);
        const app = Math.floor(rnd() * rnd() * SYNTHETIC_APPS);
        const cat = SYNTHETIC_CATEGORIES[Math.floor(rnd() * SYNTHETIC_CATEGORIES.length)]!;
        const key = intervalId(i, d);
        const [b, e] = accessPair({
          app: `com.example.app${app}`,
          category: cat,
          id: key,
          ms,
          durationMs: dur,
          offsetMin: offset,
        });
        const open = rnd() < 0.02;
        insert({
          deviceId: d,
          key,
          appId: appIds[d - 1]![app]!,
          category: cat,
          ms,
          offset,
          durationMs: dur,
          open,
          sourceId: d,
          index: i,
          begin: b,
          end: e,
          ...drawState(rnd, o.states),
        });
      }
    })();
  }
  db.transaction(() => rebuildRollup(db))();
  c.close();
}

/** One generated access session, stored as the importer stores a paired begin and end. */
export interface GeneratedSession {
  deviceId: number;
  key: string;
  appId: number;
  category: string;
  ms: number;
  offset: number;
  durationMs: number;
  open: boolean;
  sourceId: number;
  /** The session's position in its source: its lines are 2·index+1 and 2·index+2. */
  index: number;
  /** The begin and end lines, or null where a block of `source_line_blocks` holds them. */
  begin: string | null;
  end: string | null;
  state: string;
  stateSource: string | null;
  inferred: string | null;
}

/** A prepared insert of generated sessions into `access_sessions`. */
export function sessionInserter(db: Db): (s: GeneratedSession) => void {
  const ins = db.prepare(
    `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category,
       start_ms, start_offset, b_raw_ts, b_source_id, b_line, b_raw_line, end_ms, end_offset, e_raw_ts,
       e_source_id, e_line, e_raw_line, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms,
       open, state, state_source, inferred_state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (s) => {
    const { ms, offset, open } = s;
    ins.run(
      s.deviceId,
      s.key,
      s.appId,
      s.category,
      s.category,
      ms,
      offset,
      '',
      s.sourceId,
      s.index * 2 + 1,
      s.begin,
      open ? null : ms + s.durationMs,
      open ? null : offset,
      open ? null : '',
      open ? null : s.sourceId,
      open ? null : s.index * 2 + 2,
      open ? null : s.end,
      ms,
      offset,
      localMinuteOfDay(ms, offset),
      localDayNumber(ms, offset),
      open ? null : s.durationMs,
      open ? 1 : 0,
      s.state,
      s.stateSource,
      s.inferred,
    );
  };
}

/**
 * The app state of a generated session: with `withStates`, a third reported (30 % of them
 * background) and a few inferred; otherwise unknown. Draws from `rnd` only with `withStates`.
 */
export function drawState(
  rnd: () => number,
  withStates: boolean,
): { state: string; stateSource: string | null; inferred: string | null } {
  if (!withStates) return { state: 'unknown', stateSource: null, inferred: null };
  const p = rnd();
  const bg = rnd() < 0.3 ? 'background' : 'foreground';
  if (p < 0.33) return { state: bg, stateSource: 'reported', inferred: null };
  return { state: 'unknown', stateSource: null, inferred: p < 0.4 ? bg : null };
}

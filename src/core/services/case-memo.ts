/**
 * What the read-side queries read of the case as a whole: values kept until the case changes
 * ({@link CaseMemo}), the longest session ever stored, each device's UTC offset, and the earliest
 * and latest instant of the case's records.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open';
import { latestOffset } from '../db/queries/device-offset';
import type { RecordQueries } from './record-queries';

/**
 * The two statements `caseVersion` runs, prepared once a connection: a timeline answer asks for
 * the version several times, and preparing a statement costs more than running these.
 */
const versionReads = new WeakMap<Db, { data: Statement; changes: Statement }>();

/**
 * Changes whenever the case does: SQLite's data_version moves when another connection commits
 * (the import worker, the CLI), total_changes() when this one writes.
 */
export function caseVersion(db: Db): string {
  let read = versionReads.get(db);
  if (!read) {
    read = {
      data: db.prepare('PRAGMA data_version').pluck(),
      changes: db.prepare('SELECT total_changes()').pluck(),
    };
    versionReads.set(db, read);
  }
  return `${String(read.data.get())}:${String(read.changes.get())}`;
}

/** Values kept until the case changes ({@link caseVersion}), each by name. */
export class CaseMemo {
  private key = '';
  private readonly values = new Map<string, unknown>();

  constructor(private readonly db: Db) {}

  /** Caches a value until the case changes. */
  get<T>(name: string, compute: () => T): T {
    const key = caseVersion(this.db);
    if (key !== this.key) {
      this.values.clear();
      this.key = key;
    }
    if (!this.values.has(name)) this.values.set(name, compute());
    return this.values.get(name) as T;
  }
}

/** The longest session ever stored (kept with the rollup; never less than the current longest). */
export function maxDurationMs(db: Db): number {
  const r = db.prepare("SELECT value FROM case_meta WHERE key = 'max_session_ms'").get() as
    { value: string } | undefined;
  return Math.max(0, Number(r?.value ?? 0));
}

/** Per device, the UTC offset of its latest session: where its local-day buckets sit on the time axis. */
export function deviceOffsets(db: Db, memo: CaseMemo): Map<number, number> {
  return memo.get('deviceOffsets', () => {
    const devices = db.prepare('SELECT id FROM devices').all() as { id: number }[];
    return new Map(devices.map((d) => [d.id, latestOffset(db, d.id) ?? 0]));
  });
}

/** Earliest and latest instant of the devices' sessions, network rows and dated records. */
export function caseExtent(
  db: Db,
  records: RecordQueries,
  devices?: number[],
): { fromMs: number; toMs: number } | null {
  // `+device_id`: the anchor index answers MIN/MAX; the device's key index would read every row.
  const dev =
    devices && devices.length > 0
      ? `WHERE +device_id IN (${devices.map(() => '?').join(',')})`
      : '';
  const p = devices ?? [];
  const s = db
    // Two statements: SQLite answers a lone MIN or MAX from the index, not both together.
    .prepare(
      `SELECT (SELECT MIN(anchor_ms) FROM access_sessions ${dev}) AS a, (SELECT MAX(anchor_ms) FROM access_sessions ${dev}) AS b`,
    )
    .get(...p, ...p) as { a: number | null; b: number | null };
  const lastEnd =
    s.b === null
      ? null
      : (
          db
            .prepare(
              `SELECT MAX(COALESCE(end_ms, anchor_ms)) AS e FROM access_sessions ${dev ? dev + ' AND' : 'WHERE'} anchor_ms >= ?`,
            )
            .get(...p, s.b - maxDurationMs(db)) as { e: number }
        ).e;
  // Each from its own index (migration 0013): one MIN or MAX a statement.
  const n = db
    .prepare(
      `SELECT (SELECT MIN(COALESCE(first_ms, last_ms)) FROM network_observations ${dev}) AS a,
              (SELECT MAX(COALESCE(last_ms, first_ms)) FROM network_observations ${dev}) AS b`,
    )
    .get(...p, ...p) as { a: number | null; b: number | null };
  const marks = records.extent(devices);
  const lo = [s.a, n.a, marks?.fromMs ?? null].filter((v): v is number => v !== null);
  const hi = [lastEnd, n.b, marks?.toMs ?? null].filter((v): v is number => v !== null);
  if (lo.length === 0 || hi.length === 0) return null;
  return { fromMs: Math.min(...lo), toMs: Math.max(...hi) };
}

import type { Db } from '../open';

// Test helpers: a source row and device-state rows written straight into a case.

let counter = 0;

/** Adds a bare source row to a device and returns its id. */
export function addStateSource(db: Db, deviceId: number, name = 'powerlog.PLSQL'): number {
  counter += 1;
  const r = db
    .prepare(
      `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
       VALUES (?, 'ios-powerlog', '1.0.0', ?, ?, 0, ?, 0)`,
    )
    .run(deviceId, `/evidence/${name}`, name, `test-${process.pid}-${counter}-${Math.random()}`);
  return Number(r.lastInsertRowid);
}

/** Adds one device-state interval. */
export function addState(
  db: Db,
  deviceId: number,
  sourceId: number,
  kind: 'screen' | 'lock' | 'foreground',
  value: string,
  fromMs: number,
  toMs: number | null,
  locator: string,
  basis = 'powerlog',
): void {
  db.prepare(
    `INSERT OR IGNORE INTO device_states (device_id, source_id, kind, value, from_ms, from_offset, to_ms, to_offset, basis, locator)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
  ).run(deviceId, sourceId, kind, value, fromMs, toMs, toMs === null ? null : 0, basis, locator);
}

/** Adds one coverage window. */
export function addCoverage(
  db: Db,
  deviceId: number,
  sourceId: number,
  kind: 'screen' | 'lock' | 'foreground',
  fromMs: number,
  toMs: number,
  basis = 'powerlog',
): void {
  db.prepare(
    `INSERT INTO device_state_coverage (device_id, source_id, kind, basis, from_ms, to_ms) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(deviceId, sourceId, kind, basis, fromMs, toMs);
}

import type { Db } from '../db/open';
import { rebuildRollup } from '../db/rollup';
import { decodeStatsCells } from '../db/session-stats-cells';

/**
 * The rollup, the session stats and the sessions by app state as stored, the stats decoded so a
 * difference reads plainly.
 */
export function readSummaries(db: Db): { rollup: unknown[]; stats: unknown[]; states: unknown[] } {
  const rollup = db
    .prepare('SELECT * FROM session_rollup ORDER BY level, device_id, app_id, category, bucket')
    .all();
  const states = db
    .prepare(
      'SELECT * FROM session_state_rollup ORDER BY level, device_id, app_id, category, bucket',
    )
    .all();
  const stats = (
    db
      .prepare(
        'SELECT level, device_id, bucket, cells FROM session_stats ORDER BY level, device_id, bucket',
      )
      .all() as { level: number; device_id: number; bucket: number; cells: Buffer }[]
  ).map((r) => {
    const cells: unknown[] = [];
    decodeStatsCells(r.cells, (v) =>
      cells.push({ ...v, hours: [...v.hours], durations: [...v.durations] }),
    );
    return { level: r.level, deviceId: r.device_id, bucket: r.bucket, cells, bytes: r.cells };
  });
  return { rollup, stats, states };
}

/**
 * The summaries as maintained by the writes so far and as rebuilt from the sessions (the
 * rebuild is rolled back). Equal when every write kept them right; check `repairedStatsCells`
 * too, as a repaired cell hides the write that missed a change.
 */
export function summariesAndRebuilt(db: Db): {
  kept: ReturnType<typeof readSummaries>;
  rebuilt: ReturnType<typeof readSummaries>;
} {
  const kept = readSummaries(db);
  db.exec('SAVEPOINT check_summaries');
  try {
    rebuildRollup(db);
    return { kept, rebuilt: readSummaries(db) };
  } finally {
    db.exec('ROLLBACK TO check_summaries; RELEASE check_summaries');
  }
}

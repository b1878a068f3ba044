import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import { emptyFindingsCase, FINDINGS_CASE_START, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { readSummaries, summariesAndRebuilt } from '../testing/session-summaries';
import { tempCase, type TempCase } from '../testing/temp-case';
import { RollupDeltas } from './rollup';
import type { Db } from './open';
import type { SessionState } from './session-state';
import { repairedStatsCells } from './session-stats-apply';
import { decodeStatsCells, encodeStatsCells, type StatsCell } from './session-stats-cells';
import { STATS_CHECKPOINT_EVERY } from './session-stats-codec';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

interface Row {
  id: number;
  device_id: number;
  app_id: number;
  category: string;
  local_day: number;
  anchor_minute: number;
  duration_ms: number | null;
  state: SessionState;
  state_source: string | null;
  inferred_state: 'foreground' | 'background' | null;
}

const stateOf = (r: Row): SessionState =>
  r.state_source === 'reported' ? r.state : (r.inferred_state ?? 'unknown');

/** A change to the sessions, as a write makes it, one session at a time. */
const oneChange = fc.oneof(
  fc.record({
    kind: fc.constant('state' as const),
    pick: fc.nat(),
    inferred: fc.constantFrom('foreground', 'background', null),
    reported: fc.constantFrom('foreground', 'background', null),
  }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    pick: fc.nat(),
    atMin: fc.integer({ min: 0, max: 14 * 1440 }),
    // Offsets past any real one too: their day lies further from their instant.
    offset: fc.constantFrom(0, 60, -300, 840, 1500, -2000),
    duration: fc.option(fc.integer({ min: 0, max: 600_000 })),
    state: fc.constantFrom('foreground', 'background', 'unknown'),
  }),
);

/**
 * Sessions enough to give a cell checkpoints (and to change one that has them), with ties and
 * differences too wide for two bytes.
 */
const burst = fc.record({
  kind: fc.constant('burst' as const),
  pick: fc.nat(),
  atMin: fc.integer({ min: 0, max: 14 * 1440 }),
  offset: fc.constantFrom(0, 60, -300, 840),
  durations: fc.array(
    fc.oneof(
      fc.constantFrom(0, 30_000, 45_000, 45_000, 61_000),
      fc.integer({ min: 0, max: 5_000_000 }),
    ),
    { minLength: STATS_CHECKPOINT_EVERY - 3, maxLength: 2 * STATS_CHECKPOINT_EVERY + 2 },
  ),
  state: fc.constantFrom('foreground', 'background', 'unknown'),
});

/** A change to the sessions, as a write makes it; now and then a burst of sessions. */
const change = fc.oneof({ arbitrary: oneChange, weight: 20 }, { arbitrary: burst, weight: 1 });

type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

let key = 0;

/** Makes one change to the sessions and counts it into `deltas`, as a write does. */
function applyChange(db: Db, c: Change, deltas: RollupDeltas): void {
  const rows = db.prepare('SELECT * FROM access_sessions ORDER BY id').all() as Row[];
  const r = rows.length > 0 ? rows[c.pick % rows.length]! : undefined;
  if (c.kind === 'state' && r) {
    const before = stateOf(r);
    db.prepare(
      'UPDATE access_sessions SET state = ?, state_source = ?, inferred_state = ? WHERE id = ?',
    ).run(c.reported ?? 'unknown', c.reported ? 'reported' : null, c.inferred, r.id);
    const after = c.reported ?? c.inferred ?? 'unknown';
    deltas.changeState(
      r.device_id,
      r.app_id,
      r.category,
      r.local_day,
      before,
      after,
      r.duration_ms,
    );
  } else if (c.kind === 'remove' && r) {
    db.prepare('DELETE FROM access_sessions WHERE id = ?').run(r.id);
    deltas.add(
      r.device_id,
      r.app_id,
      r.category,
      r.local_day,
      r.anchor_minute,
      r.duration_ms,
      -1,
      stateOf(r),
    );
  } else if (c.kind === 'add' && r) {
    addSession(db, r, c.atMin, c.offset, c.duration, c.state, deltas);
  } else if (c.kind === 'burst' && r) {
    for (const [i, duration] of c.durations.entries())
      addSession(db, r, c.atMin + (i % 5), c.offset, duration, c.state, deltas);
  }
}

/** Adds a session of `r`'s device, app and category and counts it into `deltas`, as a write does. */
function addSession(
  db: Db,
  r: Row,
  atMin: number,
  offset: number,
  duration: number | null,
  state: SessionState,
  deltas: RollupDeltas,
): void {
  const ms = FINDINGS_CASE_START + atMin * 60_000;
  const day = localDayNumber(ms, offset);
  const minute = localMinuteOfDay(ms, offset);
  const reported = state !== 'unknown';
  db.prepare(
    `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms,
       start_offset, end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute, local_day,
       duration_ms, open, state, state_source)
     VALUES (?, ?, ?, ?, 'raw', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.device_id,
    `new-${(key += 1)}`,
    r.app_id,
    r.category,
    ms,
    offset,
    duration === null ? null : ms + duration,
    duration === null ? null : offset,
    ms,
    offset,
    minute,
    day,
    duration,
    duration === null ? 1 : 0,
    state,
    reported ? 'reported' : null,
  );
  deltas.add(r.device_id, r.app_id, r.category, day, minute, duration, 1, state);
}

describe('the sessions by app state', () => {
  it('follow writes that add and remove sessions and change their states, as a rebuild gives them', () => {
    const db = t.session.db;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.array(change, { maxLength: 8 }), { maxLength: 4 }),
        (seed, writes) => {
          emptyFindingsCase(db);
          fillFindingsCase(db, seed);
          for (const write of writes) {
            db.transaction(() => {
              const deltas = new RollupDeltas();
              for (const c of write) applyChange(db, c, deltas);
              deltas.flush(db);
            })();
          }
          const { kept, rebuilt } = summariesAndRebuilt(db);
          expect(kept.states).toEqual(rebuilt.states);
          expect(kept).toEqual(rebuilt);
        },
      ),
      fuzzOptions(60),
    );
  });

  it('are kept by a write that flushes in parts: the session stats held encoded and applied once are the bytes applied at every flush', () => {
    const db = t.session.db;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.array(change, { maxLength: 12 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        (seed, writes, limit) => {
          emptyFindingsCase(db);
          fillFindingsCase(db, seed);
          const run = (parts: boolean): void => {
            for (const write of writes)
              db.transaction(() => {
                const deltas = new RollupDeltas();
                for (const c of write) {
                  applyChange(db, c, deltas);
                  if (parts) deltas.flushIfLarge(db, limit);
                  else deltas.flush(db);
                }
                deltas.flush(db);
              })();
          };
          db.exec('SAVEPOINT every_flush');
          run(false);
          const everyFlush = readSummaries(db);
          db.exec('ROLLBACK TO every_flush; RELEASE every_flush');
          const repairs = repairedStatsCells();
          run(true);
          expect(repairedStatsCells()).toBe(repairs);
          const { kept, rebuilt } = summariesAndRebuilt(db);
          expect(kept).toEqual(rebuilt);
          expect(kept).toEqual(everyFlush);
        },
      ),
      fuzzOptions(60),
    );
  });

  it('are kept from blobs written with another checkpoint spacing: read alike, rewritten in the current one', () => {
    const db = t.session.db;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.array(change, { maxLength: 8 }), { maxLength: 3 }),
        fc.constantFrom(0, 3, 5, STATS_CHECKPOINT_EVERY * 2),
        (seed, writes, every) => {
          emptyFindingsCase(db);
          fillFindingsCase(db, seed);
          // Every blob as a version with another spacing wrote it.
          const rows = db
            .prepare('SELECT level, device_id, bucket, cells FROM session_stats')
            .raw()
            .all() as [number, number, number, Buffer][];
          const update = db.prepare(
            'UPDATE session_stats SET cells = ? WHERE level = ? AND device_id = ? AND bucket = ?',
          );
          for (const [level, deviceId, bucket, blob] of rows) {
            const cells: StatsCell[] = [];
            decodeStatsCells(blob, (v) =>
              cells.push({ ...v, hours: [...v.hours], durations: v.durations.slice() }),
            );
            update.run(encodeStatsCells(cells, every), level, deviceId, bucket);
          }
          const repairs = repairedStatsCells();
          for (const write of writes)
            db.transaction(() => {
              const deltas = new RollupDeltas();
              for (const c of write) applyChange(db, c, deltas);
              deltas.flush(db);
            })();
          expect(repairedStatsCells()).toBe(repairs);
          const { kept, rebuilt } = summariesAndRebuilt(db);
          const cellsOf = (s: typeof kept) =>
            s.stats.map((r) => ({ ...(r as object), bytes: null }));
          expect(cellsOf(kept)).toEqual(cellsOf(rebuilt));
          expect(kept.rollup).toEqual(rebuilt.rollup);
        },
      ),
      fuzzOptions(30),
    );
  });
});

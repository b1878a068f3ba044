// The device's own state (screen, lock, app in front) at the instant of an access, from the
// device-state intervals stored per source. A state is reported only where a coverage window of
// the same source and kind covers the instant; elsewhere it is null (unknown), never guessed.
import type { DeviceStateBands } from '../../../contract/api';
import type { DeviceStateChoice } from '../../../contract/filter';
import type { Db } from '../open';

/** The device's state at one instant, as its own logs recorded it. */
export interface DeviceStateAt {
  screen: 'on' | 'off' | null;
  locked: boolean | null;
  /** The app (or system surface, e.g. `com.apple.lock-screen`) the device charged the screen to. */
  foregroundApp: string | null;
  /** The evidence the known states come from (`powerlog`, `usagestats`, …; several joined by `+`). */
  basis: string | null;
  /** The stored rows that establish each known state. */
  sources: { sourceId: number; locator: string }[];
}

type Kind = 'screen' | 'lock' | 'foreground';
const KINDS: readonly Kind[] = ['screen', 'lock', 'foreground'];

interface StateRow {
  id: number;
  sourceId: number;
  value: string;
  fromMs: number;
  toMs: number | null;
  basis: string;
  locator: string;
}

interface CoverageRow {
  sourceId: number;
  fromMs: number;
  toMs: number;
}

/** No state known. */
export function unknownDeviceState(): DeviceStateAt {
  return { screen: null, locked: null, foregroundApp: null, basis: null, sources: [] };
}

/** The device's state at `ms` (null fields where no coverage window of that kind covers it). */
export function deviceStateAt(db: Db, deviceId: number, ms: number): DeviceStateAt {
  const out = unknownDeviceState();
  if (!Number.isFinite(ms)) return out;
  const bases = new Set<string>();
  const covering = db.prepare(
    `SELECT DISTINCT source_id AS sourceId FROM device_state_coverage
     WHERE device_id = ? AND kind = ? AND from_ms <= ? AND to_ms >= ?`,
  );
  // Newest start first: the first interval in effect whose source covers the instant is the one
  // that started last, so the walk usually stops at its first row.
  const walk = db.prepare(
    `SELECT id, source_id AS sourceId, value, from_ms AS fromMs, to_ms AS toMs, basis, locator
     FROM device_states WHERE device_id = ? AND kind = ? AND from_ms <= ?
     ORDER BY from_ms DESC, id DESC`,
  );
  for (const kind of KINDS) {
    const sources = new Set(
      (covering.all(deviceId, kind, ms, ms) as { sourceId: number }[]).map((r) => r.sourceId),
    );
    if (sources.size === 0) continue;
    for (const row of walk.iterate(deviceId, kind, ms) as IterableIterator<StateRow>) {
      if ((row.toMs === null || row.toMs > ms) && sources.has(row.sourceId)) {
        apply(kind, row, out, bases);
        break;
      }
    }
  }
  if (bases.size > 0) out.basis = [...bases].join('+');
  return out;
}

/**
 * The device's state at each of many instants (in the order given): one ordered pass per kind
 * over the intervals and coverage windows that can touch the instants, not one query per instant.
 */
export function deviceStatesAt(
  db: Db,
  deviceId: number,
  instants: readonly number[],
): DeviceStateAt[] {
  const out = instants.map(() => unknownDeviceState());
  const order = instants
    .map((ms, i) => ({ ms, i }))
    .filter((x) => Number.isFinite(x.ms))
    .sort((a, b) => a.ms - b.ms);
  if (order.length === 0) return out;
  const lo = order[0]!.ms;
  const hi = order[order.length - 1]!.ms;
  const states = db.prepare(
    `SELECT id, source_id AS sourceId, value, from_ms AS fromMs, to_ms AS toMs, basis, locator
     FROM device_states WHERE device_id = ? AND kind = ? AND from_ms <= ? AND (to_ms IS NULL OR to_ms > ?)
     ORDER BY from_ms, id`,
  );
  const coverage = db.prepare(
    `SELECT source_id AS sourceId, from_ms AS fromMs, to_ms AS toMs
     FROM device_state_coverage WHERE device_id = ? AND kind = ? AND from_ms <= ? AND to_ms >= ?
     ORDER BY from_ms`,
  );
  const bases = instants.map(() => new Set<string>());
  for (const kind of KINDS) {
    const rows = states.all(deviceId, kind, hi, lo) as StateRow[];
    if (rows.length === 0) continue;
    const windows = coverage.all(deviceId, kind, hi, lo) as CoverageRow[];
    sweep(kind, rows, windows, order, out, bases);
  }
  out.forEach((s, i) => {
    if (bases[i]!.size > 0) s.basis = [...bases[i]!].join('+');
  });
  return out;
}

// Walks the instants in time order; intervals and windows enter when they start and are dropped
// once they have ended. Among the intervals in effect whose own source covers the instant, the
// one that started last wins (then the later row).
function sweep(
  kind: Kind,
  rows: readonly StateRow[],
  windows: readonly CoverageRow[],
  order: readonly { ms: number; i: number }[],
  out: DeviceStateAt[],
  bases: Set<string>[],
): void {
  let active: StateRow[] = [];
  let open: CoverageRow[] = [];
  let r = 0;
  let w = 0;
  for (const { ms, i } of order) {
    while (r < rows.length && rows[r]!.fromMs <= ms) active.push(rows[r++]!);
    while (w < windows.length && windows[w]!.fromMs <= ms) open.push(windows[w++]!);
    active = active.filter((a) => a.toMs === null || a.toMs > ms);
    open = open.filter((c) => c.toMs >= ms);
    let best: StateRow | null = null;
    for (const a of active) {
      if (!open.some((c) => c.sourceId === a.sourceId)) continue;
      if (best === null || a.fromMs > best.fromMs || (a.fromMs === best.fromMs && a.id > best.id))
        best = a;
    }
    if (best !== null) apply(kind, best, out[i]!, bases[i]!);
  }
}

// Sets one kind's field from the interval in effect (a value outside the kind's words is left
// unknown) and notes its row and basis.
function apply(kind: Kind, row: StateRow, s: DeviceStateAt, bases: Set<string>): void {
  if (kind === 'screen') {
    if (row.value !== 'on' && row.value !== 'off') return;
    s.screen = row.value;
  } else if (kind === 'lock') {
    if (row.value !== 'locked' && row.value !== 'unlocked') return;
    s.locked = row.value === 'locked';
  } else s.foregroundApp = row.value;
  s.sources.push({ sourceId: row.sourceId, locator: row.locator });
  bases.add(row.basis);
}

/** Most bands returned per device and kind; a range holding more is cut (the rest are not drawn). */
const MAX_BANDS = 20_000;

/**
 * Each device's screen-off and locked stretches in a time range, for the timeline's bands: every
 * stretch is cut to the range and to its own source's coverage windows, and touching stretches of
 * one kind are merged. The coverage windows (merged per kind) say where the state is known.
 */
export function deviceStateBands(
  db: Db,
  deviceIds: readonly number[],
  fromMs: number,
  toMs: number,
): DeviceStateBands[] {
  if (!(toMs > fromMs)) return deviceIds.map((deviceId) => ({ deviceId, coverage: [], bands: [] }));
  const windowsOf = db.prepare(
    `SELECT source_id AS sourceId, from_ms AS fromMs, to_ms AS toMs FROM device_state_coverage
     WHERE device_id = ? AND kind = ? AND from_ms < ? AND to_ms > ? ORDER BY from_ms`,
  );
  const rowsOf = db.prepare(
    `SELECT source_id AS sourceId, from_ms AS fromMs, to_ms AS toMs, basis FROM device_states
     WHERE device_id = ? AND kind = ? AND value = ? AND from_ms < ? AND (to_ms IS NULL OR to_ms > ?)
     ORDER BY from_ms LIMIT ?`,
  );
  return deviceIds.map((deviceId) => {
    const coverage: DeviceStateBands['coverage'] = [];
    const bands: DeviceStateBands['bands'] = [];
    for (const [kind, value, band] of [
      ['screen', 'off', 'screen-off'],
      ['lock', 'locked', 'locked'],
    ] as const) {
      const windows = windowsOf.all(deviceId, kind, toMs, fromMs) as CoverageRow[];
      for (const w of merge(windows.map((x) => clip(x.fromMs, x.toMs, fromMs, toMs))))
        coverage.push({ kind, ...w });
      const bySource = new Map<number, CoverageRow[]>();
      for (const w of windows) bySource.set(w.sourceId, [...(bySource.get(w.sourceId) ?? []), w]);
      const rows = rowsOf.all(deviceId, kind, value, toMs, fromMs, MAX_BANDS) as {
        sourceId: number;
        fromMs: number;
        toMs: number | null;
        basis: string;
      }[];
      const pieces: { fromMs: number; toMs: number; basis: string }[] = [];
      for (const r of rows)
        for (const w of bySource.get(r.sourceId) ?? []) {
          const a = Math.max(r.fromMs, w.fromMs, fromMs);
          const b = Math.min(r.toMs ?? Infinity, w.toMs, toMs);
          if (b > a) pieces.push({ fromMs: a, toMs: b, basis: r.basis });
        }
      pieces.sort((x, y) => x.fromMs - y.fromMs);
      for (const p of pieces) {
        const last = bands.at(-1);
        if (last && last.kind === band && p.fromMs <= last.toMs) {
          last.toMs = Math.max(last.toMs, p.toMs);
          if (!last.basis.split('+').includes(p.basis)) last.basis += `+${p.basis}`;
        } else bands.push({ kind: band, ...p });
      }
    }
    return { deviceId, coverage, bands };
  });
}

function clip(a: number, b: number, lo: number, hi: number): { fromMs: number; toMs: number } {
  return { fromMs: Math.max(a, lo), toMs: Math.min(b, hi) };
}

// Sorted, disjoint union of stretches.
function merge(list: { fromMs: number; toMs: number }[]): { fromMs: number; toMs: number }[] {
  const out: { fromMs: number; toMs: number }[] = [];
  for (const x of [...list].sort((p, q) => p.fromMs - q.fromMs)) {
    if (!(x.toMs > x.fromMs)) continue;
    const last = out.at(-1);
    if (last && x.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, x.toMs);
    else out.push({ ...x });
  }
  return out;
}

/**
 * SQL for the raw value of one kind's interval in effect at `instantExpr` on `deviceExpr`, as
 * {@link deviceStateAt} chooses it (the latest start among intervals whose own source covers the
 * instant), or NULL. The coverage test comes first, so an instant no window covers walks nothing.
 */
export function deviceStateValueSql(kind: Kind, deviceExpr: string, instantExpr: string): string {
  return `(CASE WHEN ${instantExpr} IS NOT NULL AND EXISTS (SELECT 1 FROM device_state_coverage dc
      WHERE dc.device_id = ${deviceExpr} AND dc.kind = '${kind}' AND dc.from_ms <= ${instantExpr} AND dc.to_ms >= ${instantExpr})
    THEN (SELECT ds.value FROM device_states ds
      WHERE ds.device_id = ${deviceExpr} AND ds.kind = '${kind}' AND ds.from_ms <= ${instantExpr}
        AND (ds.to_ms IS NULL OR ds.to_ms > ${instantExpr})
        AND EXISTS (SELECT 1 FROM device_state_coverage dw WHERE dw.device_id = ds.device_id AND dw.kind = ds.kind
          AND dw.source_id = ds.source_id AND dw.from_ms <= ${instantExpr} AND dw.to_ms >= ${instantExpr})
      ORDER BY ds.from_ms DESC, ds.id DESC LIMIT 1) END)`;
}

/**
 * SQL for a two-letter code of the lock and screen state at `instantExpr`: lock `L` (locked),
 * `U` (unlocked) or `-` (unknown), then screen `F` (off), `N` (on) or `-`. A stored value outside
 * a kind's words counts as unknown, as in {@link deviceStateAt}.
 */
export function deviceStateCodeSql(deviceExpr: string, instantExpr: string): string {
  return `(CASE ${deviceStateValueSql('lock', deviceExpr, instantExpr)} WHEN 'locked' THEN 'L' WHEN 'unlocked' THEN 'U' ELSE '-' END
    || CASE ${deviceStateValueSql('screen', deviceExpr, instantExpr)} WHEN 'off' THEN 'F' WHEN 'on' THEN 'N' ELSE '-' END)`;
}

/** Whether a device has any stored state interval (a pass over it is then worth opening). */
export function hasDeviceStates(db: Db, deviceId: number): boolean {
  return (
    db.prepare('SELECT 1 FROM device_states WHERE device_id = ? LIMIT 1').get(deviceId) !==
    undefined
  );
}

// One kind's side of a sweep: its intervals and windows are read in start order as the instants
// advance, and those that have ended are dropped, so memory holds only what is in effect.
class KindSweep {
  private readonly rows: IterableIterator<StateRow>;
  private readonly windows: IterableIterator<CoverageRow>;
  private nextRow: StateRow | null | undefined;
  private nextWindow: CoverageRow | null | undefined;
  private active: StateRow[] = [];
  private open: CoverageRow[] = [];

  constructor(
    db: Db,
    deviceId: number,
    readonly kind: Kind,
  ) {
    this.rows = db
      .prepare(
        `SELECT id, source_id AS sourceId, value, from_ms AS fromMs, to_ms AS toMs, basis, locator
         FROM device_states WHERE device_id = ? AND kind = ? ORDER BY from_ms, id`,
      )
      .iterate(deviceId, kind) as IterableIterator<StateRow>;
    this.windows = db
      .prepare(
        `SELECT source_id AS sourceId, from_ms AS fromMs, to_ms AS toMs
         FROM device_state_coverage WHERE device_id = ? AND kind = ? ORDER BY from_ms, id`,
      )
      .iterate(deviceId, kind) as IterableIterator<CoverageRow>;
  }

  private peekRow(): StateRow | null {
    if (this.nextRow !== undefined) return this.nextRow;
    const next: StateRow | null = this.rows.next().value ?? null;
    this.nextRow = next;
    return next;
  }

  private peekWindow(): CoverageRow | null {
    if (this.nextWindow !== undefined) return this.nextWindow;
    const next: CoverageRow | null = this.windows.next().value ?? null;
    this.nextWindow = next;
    return next;
  }

  best(ms: number): StateRow | null {
    for (let r = this.peekRow(); r !== null && r.fromMs <= ms; r = this.peekRow()) {
      this.active.push(r);
      this.nextRow = undefined;
    }
    for (let w = this.peekWindow(); w !== null && w.fromMs <= ms; w = this.peekWindow()) {
      this.open.push(w);
      this.nextWindow = undefined;
    }
    this.active = this.active.filter((a) => a.toMs === null || a.toMs > ms);
    this.open = this.open.filter((c) => c.toMs >= ms);
    let best: StateRow | null = null;
    for (const a of this.active) {
      if (!this.open.some((c) => c.sourceId === a.sourceId)) continue;
      if (best === null || a.fromMs > best.fromMs || (a.fromMs === best.fromMs && a.id > best.id))
        best = a;
    }
    return best;
  }

  close(): void {
    this.rows.return?.();
    this.windows.return?.();
  }
}

/**
 * The device's state at instants given in ascending order, answered while a caller walks its own
 * rows in time order: one streaming pass per kind, holding only the intervals and windows in
 * effect. Answers equal {@link deviceStateAt}. Call `close` when done.
 */
export class DeviceStateSweep {
  private readonly kinds: KindSweep[];
  private last = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly deviceId: number,
  ) {
    this.kinds = KINDS.map((k) => new KindSweep(db, deviceId, k));
  }

  /**
   * The state at `ms` (a non-finite instant is unknown). An instant before the previous one
   * cannot be swept to; it is answered by {@link deviceStateAt} instead.
   */
  at(ms: number): DeviceStateAt {
    const out = unknownDeviceState();
    if (!Number.isFinite(ms)) return out;
    if (ms < this.last) return deviceStateAt(this.db, this.deviceId, ms);
    this.last = ms;
    const bases = new Set<string>();
    for (const k of this.kinds) {
      const best = k.best(ms);
      if (best !== null) apply(k.kind, best, out, bases);
    }
    if (bases.size > 0) out.basis = [...bases].join('+');
    return out;
  }

  close(): void {
    for (const k of this.kinds) k.close();
  }
}

// The lock and screen codes (see deviceStateCodeSql) each filter choice covers; together the four
// cover all nine codes, as deviceStateChoices classifies them.
const CODES_OF: Record<DeviceStateChoice, readonly string[]> = {
  'in-use': ['UN'],
  'screen-off': ['-F', 'LF', 'UF'],
  locked: ['L-', 'LF', 'LN'],
  unknown: ['--', '-N', 'U-'],
};

/** A clause keeping the rows whose device state at `instantExpr` is one of the choices. */
export function deviceStateWhereSql(
  choices: readonly DeviceStateChoice[],
  deviceExpr: string,
  instantExpr: string,
): { sql: string; params: string[] } {
  const codes = [...new Set(choices.flatMap((c) => CODES_OF[c]))].sort();
  if (codes.length === 0) return { sql: '0', params: [] };
  return {
    sql: `${deviceStateCodeSql(deviceExpr, instantExpr)} IN (${codes.map(() => '?').join(', ')})`,
    params: codes,
  };
}

/**
 * The device's state at each access's start, for rows met in start order: one sweep per device
 * that has state records (others are unknown at once). `close` ends the sweeps' reads.
 */
export function deviceStateReader(db: Db): {
  at: (deviceId: number, ms: number | null) => DeviceStateAt;
  /** Whether the device has state records (without them, every answer is unknown). */
  tracks: (deviceId: number) => boolean;
  close: () => void;
} {
  const sweeps = new Map<number, DeviceStateSweep | null>();
  const sweepOf = (deviceId: number): DeviceStateSweep | null => {
    let sweep = sweeps.get(deviceId);
    if (sweep === undefined) {
      sweep = hasDeviceStates(db, deviceId) ? new DeviceStateSweep(db, deviceId) : null;
      sweeps.set(deviceId, sweep);
    }
    return sweep;
  };
  return {
    at: (deviceId, ms) => {
      if (ms === null) return unknownDeviceState();
      const sweep = sweepOf(deviceId);
      return sweep === null ? unknownDeviceState() : sweep.at(ms);
    },
    tracks: (deviceId) => sweepOf(deviceId) !== null,
    close: () => {
      for (const sw of sweeps.values()) sw?.close();
    },
  };
}

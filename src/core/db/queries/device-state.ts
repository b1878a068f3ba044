// The device's own state (screen, lock, app in front) at the instant of an access, from the
// device-state intervals stored per source. A state is reported only where a coverage window of
// the same source and kind covers the instant; elsewhere it is null (unknown), never guessed.
import type { DeviceStateBands } from '../../../contract/api';
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

/** The device-state bands the report draws under each finding's timeline excerpt, read per window. */
import { deviceStateBands } from '../../db/queries/device-state';
import type { Db } from '../../db/open';
import { type ExcerptDeviceState, type ExcerptMark, excerptWindow } from './excerpt';

/**
 * Stretches closer than this share of the window are drawn as one: the excerpt is a few hundred
 * points wide, so a gap of 1/4000 of it is far below a hairline.
 */
const MERGE_SHARE = 1 / 4000;

/**
 * For each finding with an excerpt, its device's screen-off and locked bands and their coverage
 * inside that excerpt's window only (the query is bounded by the window, never all states of the
 * case), keyed by `key(finding id)` as the report's excerpts are.
 */
export function excerptDeviceStates(
  db: Db,
  findings: readonly { id: string; deviceId: number }[],
  excerpts: Readonly<Record<string, readonly ExcerptMark[]>>,
  key: (findingId: string) => string = (id) => id,
): Record<string, ExcerptDeviceState> {
  const recorded = new Map<number, string[]>();
  const basesOfDevice = db.prepare(
    `SELECT DISTINCT basis FROM device_state_coverage
     WHERE device_id = ? AND kind IN ('screen', 'lock') ORDER BY basis`,
  );
  const basesInWindow = db.prepare(
    `SELECT DISTINCT basis FROM device_state_coverage
     WHERE device_id = ? AND kind IN ('screen', 'lock') AND from_ms < ? AND to_ms > ? ORDER BY basis`,
  );
  const out: Record<string, ExcerptDeviceState> = {};
  for (const f of findings) {
    const marks = excerpts[f.id];
    if (!marks || marks.length === 0) continue;
    const { fromMs, toMs } = excerptWindow(marks);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) continue;
    let deviceBases = recorded.get(f.deviceId);
    if (deviceBases === undefined) {
      deviceBases = (basesOfDevice.all(f.deviceId) as { basis: string }[]).map((r) => r.basis);
      recorded.set(f.deviceId, deviceBases);
    }
    if (deviceBases.length === 0) {
      out[key(f.id)] = {
        deviceId: f.deviceId,
        recorded: false,
        fromMs,
        toMs,
        coverage: [],
        bands: [],
        bases: [],
      };
      continue;
    }
    const [read] = deviceStateBands(db, [f.deviceId], fromMs, toMs);
    const here = (basesInWindow.all(f.deviceId, toMs, fromMs) as { basis: string }[]).map(
      (r) => r.basis,
    );
    const tolerance = (toMs - fromMs) * MERGE_SHARE;
    out[key(f.id)] = {
      deviceId: f.deviceId,
      recorded: true,
      fromMs,
      toMs,
      coverage: joinClose(read?.coverage ?? [], tolerance),
      bands: joinClose(read?.bands ?? [], tolerance),
      bases: here.length > 0 ? here : deviceBases,
    };
  }
  return out;
}

// Joins stretches of one kind that touch or lie closer than `tolerance` (sorted by kind, then
// start), so a window with thousands of short stretches keeps only what can be drawn apart.
function joinClose<T extends { kind: string; fromMs: number; toMs: number; basis?: string }>(
  list: readonly T[],
  tolerance: number,
): T[] {
  const sorted = [...list].sort((a, b) => a.kind.localeCompare(b.kind) || a.fromMs - b.fromMs);
  const out: T[] = [];
  for (const x of sorted) {
    const last = out.at(-1);
    if (last && last.kind === x.kind && x.fromMs - last.toMs <= tolerance) {
      last.toMs = Math.max(last.toMs, x.toMs);
      if (last.basis !== undefined && x.basis !== undefined) {
        const parts = new Set([...last.basis.split('+'), ...x.basis.split('+')]);
        last.basis = [...parts].join('+');
      }
    } else out.push({ ...x });
  }
  return out;
}

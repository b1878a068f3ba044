import type { DeviceStateBands } from '../../../contract/api';
import type { Viewport } from './time-window';

// Layout of the device-state bands under the timeline: per device, two tracks (screen off,
// locked); each is hatched as "no data" except where the device's logs cover that kind, and the
// bands are drawn only inside those windows (the query already cut them to coverage).

/** A horizontal piece of a track, in pixels of the plot. */
export interface BandBox {
  left: number;
  width: number;
  fromMs: number;
  toMs: number;
}

/** One track of a device's row. */
export interface BandTrack {
  kind: 'screen-off' | 'locked';
  label: string;
  /** Stretches without coverage, hatched like the timeline's no-data days. */
  gaps: BandBox[];
  bands: (BandBox & { basis: string })[];
}

const TRACKS = [
  { kind: 'screen-off', coverage: 'screen', label: 'Screen off' },
  { kind: 'locked', coverage: 'lock', label: 'Locked' },
] as const;

/** A stretch placed on the plot (at least one pixel wide), or null when it is outside the view. */
export function placeBox(fromMs: number, toMs: number, v: Viewport): BandBox | null {
  const span = v.toMs - v.fromMs;
  if (!(span > 0) || toMs <= v.fromMs || fromMs >= v.toMs) return null;
  const a = Math.max(fromMs, v.fromMs);
  const b = Math.min(toMs, v.toMs);
  const left = ((a - v.fromMs) / span) * v.width;
  const right = ((b - v.fromMs) / span) * v.width;
  return { left, width: Math.max(1, right - left), fromMs: a, toMs: b };
}

/** The parts of the view no window covers. */
export function uncovered(
  windows: readonly { fromMs: number; toMs: number }[],
  v: Viewport,
): { fromMs: number; toMs: number }[] {
  const out: { fromMs: number; toMs: number }[] = [];
  let cursor = v.fromMs;
  for (const w of [...windows].sort((a, b) => a.fromMs - b.fromMs)) {
    if (w.toMs <= cursor) continue;
    if (w.fromMs >= v.toMs) break;
    if (w.fromMs > cursor) out.push({ fromMs: cursor, toMs: w.fromMs });
    cursor = Math.max(cursor, w.toMs);
  }
  if (cursor < v.toMs) out.push({ fromMs: cursor, toMs: v.toMs });
  return out;
}

/** The two tracks of one device's row in a view. */
export function bandTracks(d: DeviceStateBands, v: Viewport): BandTrack[] {
  return TRACKS.map((t) => {
    const windows = d.coverage.filter((c) => c.kind === t.coverage);
    const gaps = uncovered(windows, v)
      .map((g) => placeBox(g.fromMs, g.toMs, v))
      .filter((b): b is BandBox => b !== null);
    const bands = d.bands
      .filter((b) => b.kind === t.kind)
      .flatMap((b) => {
        const box = placeBox(b.fromMs, b.toMs, v);
        return box === null ? [] : [{ ...box, basis: b.basis }];
      });
    return { kind: t.kind, label: t.label, gaps, bands };
  });
}

/** Whether a device has anything to show in the view (a covered window). */
export function hasDeviceState(d: DeviceStateBands): boolean {
  return d.coverage.length > 0;
}

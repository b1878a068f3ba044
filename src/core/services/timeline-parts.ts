import type { TimelineResult } from '../../contract/api';
import { emptyBins } from '../../contract/timeline-bins';

/** A lane's totals before its labels are added. */
export interface LaneTotals {
  deviceId: number;
  appId: number;
  sessions: number;
  totalMs: number;
}

/** A timeline with nothing in it yet: the start of every timeline answer. */
export function emptyTimeline(
  extent: TimelineResult['extent'],
  range: TimelineResult['range'],
): TimelineResult {
  return {
    extent,
    range,
    lanes: [],
    mode: 'sessions',
    binMs: null,
    sessions: [],
    bins: emptyBins(),
    network: [],
    marks: [],
    total: 0,
  };
}

/** Adds up sessions and time in use per device × app lane; `add` returns the lane's key. */
export class LaneTally {
  // By device, then app: numeric keys, as a timeline adds tens of thousands of bins.
  private readonly lanes = new Map<number, Map<number, LaneTotals & { key: string }>>();

  add(deviceId: number, appId: number, sessions: number, ms: number): string {
    let apps = this.lanes.get(deviceId);
    if (!apps) this.lanes.set(deviceId, (apps = new Map()));
    let l = apps.get(appId);
    if (!l)
      apps.set(
        appId,
        (l = { deviceId, appId, sessions: 0, totalMs: 0, key: `${deviceId}:${appId}` }),
      );
    l.sessions += sessions;
    l.totalMs += ms;
    return l.key;
  }

  totals(): LaneTotals[] {
    const out: LaneTotals[] = [];
    for (const apps of this.lanes.values())
      for (const { deviceId, appId, sessions, totalMs } of apps.values())
        out.push({ deviceId, appId, sessions, totalMs });
    return out;
  }
}

import type { TimelineResult } from '../../contract/api';

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
    bins: [],
    network: [],
    marks: [],
    total: 0,
  };
}

/** Adds up sessions and time in use per device × app lane; `add` returns the lane's key. */
export class LaneTally {
  private readonly lanes = new Map<string, LaneTotals>();

  add(deviceId: number, appId: number, sessions: number, ms: number): string {
    const key = `${deviceId}:${appId}`;
    const l = this.lanes.get(key) ?? { deviceId, appId, sessions: 0, totalMs: 0 };
    l.sessions += sessions;
    l.totalMs += ms;
    this.lanes.set(key, l);
    return key;
  }

  totals(): LaneTotals[] {
    return [...this.lanes.values()];
  }
}

import type { Device, TimelineResult } from '../../../contract/api';
import { zoneOffsetMinutes } from '../../../contract/time';

/** The UTC offset in minutes of an IANA zone at an instant, or null when unknown. */
export const offsetForZone = zoneOffsetMinutes;

export interface AxisOffset {
  offsetMin: number;
  /** Where the offset came from, shown to the examiner. */
  source: 'session' | 'device' | 'zone' | 'unknown';
}

/**
 * The offset the time axis uses in device-local mode: the first lane's first session, else the
 * offset last seen for that lane's device, else its time zone, else the first device's, else UTC.
 */
export function pickAxisOffset(
  result: Pick<TimelineResult, 'lanes' | 'sessions'> | null,
  devices: readonly Device[],
  deviceOffsets: ReadonlyMap<number, number>,
  atMs: number,
): AxisOffset {
  const firstLane = result?.lanes[0];
  if (result && firstLane) {
    const s = result.sessions.find((x) => x.lane === firstLane.key);
    if (s) return { offsetMin: s.offsetMin, source: 'session' };
  }
  const deviceIds = firstLane
    ? [firstLane.deviceId, ...devices.map((d) => d.id)]
    : devices.map((d) => d.id);
  for (const id of deviceIds) {
    const seen = deviceOffsets.get(id);
    if (seen !== undefined) return { offsetMin: seen, source: 'device' };
    const zone = devices.find((d) => d.id === id)?.timeZone;
    if (zone) {
      const off = offsetForZone(zone, atMs);
      if (off !== null) return { offsetMin: off, source: 'zone' };
    }
  }
  const anySession = result?.sessions[0];
  if (anySession) return { offsetMin: anySession.offsetMin, source: 'session' };
  return { offsetMin: 0, source: 'unknown' };
}

// Placing PowerLog times on the device's local clock. PowerLog rows are UTC instants once their
// time offset is applied (see docs/powerlog.md); the device's zone is not recorded in the file, so
// it comes from the examiner or from the sysdiagnose around it.
import { isIanaTimeZone, zoneOffsetMinutes } from '../../../contract/time';
import { captureLocalTimeFromName } from '../../formats/powerlog';
import { AppError } from '../../model/errors';

/** The message of TIMEZONE_REQUIRED for a PowerLog (the file records no zone). */
export const POWERLOG_ZONE_REQUIRED =
  'The PowerLog records its times in UTC but not the time zone of the device; choose the time zone the device was set to (e.g. Europe/Lisbon) and import it again.';

/** Where the zone applied to a PowerLog's times came from. */
export interface PowerLogZone {
  zone: string;
  source: 'examiner' | 'device';
}

/**
 * The zone to place the times in: the examiner's when given (it overrides), else the one the
 * container recorded. Throws INVALID_INPUT for a name that is not an IANA zone.
 */
export function powerLogZone(examiner: string | undefined, hinted: unknown): PowerLogZone | null {
  if (examiner !== undefined) {
    if (!isIanaTimeZone(examiner))
      throw new AppError(
        'INVALID_INPUT',
        `Unknown time zone "${examiner}"; use an IANA name such as Europe/Lisbon.`,
      );
    return { zone: examiner, source: 'examiner' };
  }
  if (typeof hinted === 'string' && isIanaTimeZone(hinted))
    return { zone: hinted, source: 'device' };
  return null;
}

/** Throws TIMEZONE_REQUIRED: only the examiner can say which zone the device was in. */
export function powerLogZoneRequired(): never {
  throw new AppError('TIMEZONE_REQUIRED', POWERLOG_ZONE_REQUIRED);
}

/**
 * The UTC offset (minutes) of a zone at an instant, looked up once per hour of UTC time: zone
 * rules never change twice within an hour, so equal offsets at both ends hold for the hour.
 */
export function offsetLookup(zone: string): (ms: number) => number {
  const hours = new Map<number, [number, number]>();
  const at = (ms: number): number => zoneOffsetMinutes(zone, ms) ?? 0;
  return (ms) => {
    const hour = Math.floor(ms / 3_600_000);
    let ends = hours.get(hour);
    if (ends === undefined) {
      ends = [at(hour * 3_600_000), at(hour * 3_600_000 + 3_599_999)];
      if (hours.size > 100_000) hours.clear();
      hours.set(hour, ends);
    }
    return ends[0] === ends[1] ? ends[0] : at(ms);
  };
}

/**
 * The capture instant written in a PowerLog's file name (`powerlog_2021-12-16_05-54_….PLSQL`,
 * device-local wall time to the minute) placed in `zone`, or null when the name has none. In a
 * repeated hour (clocks going back) the earlier instant is taken.
 */
export function captureInstantFromName(name: string, zone: string): number | null {
  const local = captureLocalTimeFromName(name);
  if (local === null) return null;
  const wallMs = Date.parse(`${local}:00Z`);
  if (!Number.isFinite(wallMs)) return null;
  const candidates = new Set<number>();
  for (const probe of [wallMs - 86_400_000, wallMs, wallMs + 86_400_000]) {
    const off = zoneOffsetMinutes(zone, probe);
    if (off !== null) candidates.add(off);
  }
  const fits = [...candidates]
    .map((off) => wallMs - off * 60_000)
    .filter((ms) => zoneOffsetMinutes(zone, ms) === (wallMs - ms) / 60_000)
    .sort((a, b) => a - b);
  if (fits.length > 0) return fits[0]!;
  // A wall time skipped by a clock change: read with the offset before the change.
  const before = zoneOffsetMinutes(zone, wallMs - 86_400_000);
  return before === null ? null : wallMs - before * 60_000;
}

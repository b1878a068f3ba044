// How an Android capture's device-local wall-clock times become instants: in the phone's zone
// (the examiner's, `persist.sys.timezone` or capture.json's), or at a fixed offset derived from
// the capture time and the app-op lines; never guessed.
import type { AppliedClock } from '../../../contract/records';
import type { Instant } from '../../model/import-records';
import { zonedInstant } from './local-time';
import type { AppOpEvent } from './types';

/** A wall-clock time made absolute: in the phone's zone, or at a fixed offset derived from the capture. */
export type Clock =
  | { kind: 'zone'; zone: string; source: string }
  | { kind: 'offset'; offsetMin: number; source: string };

/** The largest distance from the epoch a Date can hold (ECMAScript's time range), in ms. */
export const MAX_DATE_MS = 8.64e15;

/** What an import refuses with when no clock can be found. */
export const TIMEZONE_REQUIRED_MESSAGE =
  "The capture does not record the phone's time zone (no persist.sys.timezone) and its capture " +
  "time is unknown, so its device-local times cannot be placed; give the phone's time zone " +
  '(the time-zone field of the import, or --timezone IANA on the command line, e.g. ' +
  'Europe/Lisbon). Nothing was imported.';

/** How the import summary names a capture's clock: the zone or offset, and where it came from. */
export function appliedClock(clock: Clock): AppliedClock {
  if (clock.kind === 'offset') return { zone: null, offsets: [clock.offsetMin], source: 'derived' };
  const source =
    clock.source === 'examiner'
      ? 'examiner'
      : clock.source === 'persist.sys.timezone'
        ? 'device'
        : 'capture';
  return { zone: clock.zone, offsets: [], source };
}

// Offsets of wall-clock quarter hours already placed (zone rules only change on such marks).
const offsetCache = new Map<string, number>();

/** The instant of a device-local wall-clock time (ms read as if UTC) under the clock. */
export function instant(clock: Clock, wallMs: number): Instant {
  if (clock.kind === 'offset')
    return { ms: wallMs - clock.offsetMin * 60_000, offsetMin: clock.offsetMin };
  const key = `${clock.zone}\n${Math.floor(wallMs / 900_000)}`;
  const known = offsetCache.get(key);
  if (known !== undefined) return { ms: wallMs - known * 60_000, offsetMin: known };
  const z = zonedInstant(wallMs, clock.zone);
  // A skipped or repeated wall time is resolved each time, never cached.
  if (!z.ambiguous && !z.skipped) {
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, z.offsetMin);
  }
  return { ms: z.ms, offsetMin: z.offsetMin };
}

/**
 * Counts, per offset (minutes, to the quarter hour), the app-op events whose printed wall time
 * less (capture instant − time before the dump) gives it; fed one event at a time.
 */
export class OffsetVotes {
  private readonly counts = new Map<number, number>();

  constructor(private readonly captureMs: number) {}

  /** Counts one event (those without both times are ignored). */
  add(e: AppOpEvent): void {
    if (!e.time || e.relativeMs === null) return;
    const off = Math.round((e.time.wallMs - (this.captureMs - e.relativeMs)) / 60_000 / 15) * 15;
    this.counts.set(off, (this.counts.get(off) ?? 0) + 1);
  }

  /** The most frequent offset (the first counted among equals), or null when none was counted. */
  best(): number | null {
    let best: number | null = null;
    let n = 0;
    for (const [off, c] of this.counts) if (c > n) [best, n] = [off, c];
    return best;
  }
}

/** The same line of a capture whatever its time relative to the dump: `(-1d2h…)` removed. */
export function withoutRelativeTime(line: string): string {
  // The white space before the mark is cut by hand: `\s*\(-…\)` backtracks quadratically over
  // a long run of spaces that is not followed by the mark.
  const mark = /\(-[0-9dhms]+\)/.exec(line);
  if (mark === null) return line.trimEnd();
  const before = line.slice(0, mark.index).trimEnd();
  return (before + line.slice(mark.index + mark[0].length)).trimEnd();
}

/** The note that says which offset was derived, as the import has always worded it. */
export function derivedOffsetNote(offset: number): string {
  return `The capture does not name the phone's time zone; times use the offset UTC${offset >= 0 ? '+' : '−'}${Math.abs(offset / 60)} derived from the capture time (daylight-saving changes inside the capture are not known).`;
}

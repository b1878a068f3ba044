import type { DeviceStateRecord, Instant, WarningRecord } from '../../model/import-records';
import { formatInstant } from '../../../contract/time';

/** A device state read as begun and not ended yet. */
export interface OpenState {
  value: string;
  from: Instant;
  locator: string;
}

/**
 * The interval of an open state, ended at `to` (at its own start when `to` is earlier or
 * unknown, so an interval never ends before it begins).
 */
export function closedState(
  kind: DeviceStateRecord['kind'],
  o: OpenState,
  to: Instant | null,
  basis: DeviceStateRecord['basis'],
): DeviceStateRecord {
  return {
    type: 'device-state',
    kind,
    value: o.value,
    from: o.from,
    to: to === null || to.ms < o.from.ms ? o.from : to,
    basis,
    locator: o.locator,
  };
}

/** Where a reader's clock stepped back: the instants either side of the step. */
export interface BackwardStep {
  /** The instant read before the step (the last of the run it ends). */
  before: Instant;
  /** The instant of the line or event that steps back. */
  after: Instant;
  /** The latest instant read so far: states after the step count only from it. */
  latest: Instant;
}

/**
 * Follows the instants one stream of state changes is read at, in reading order. A step back
 * (an instant earlier than the one before it) ends a run: the caller ends its open states at the
 * run's last instant, and the states of later runs count only from the latest instant read
 * before them, since the times up to it were read once already. So no two intervals of one
 * stream overlap, however its clock moves.
 */
export class StateRuns {
  private prev: Instant | null = null;
  private latest: Instant | null = null;
  private floor: Instant | null = null;

  /**
   * Reads the next instant. When it is earlier than the one before, `endRun` is called with the
   * run's last instant (the caller ends its open states there, as kept before the step), and the
   * step is returned.
   */
  next(at: Instant, endRun: (last: Instant) => void): BackwardStep | null {
    const prev = this.prev;
    const latest = this.latest;
    this.prev = at;
    if (latest === null || at.ms > latest.ms) this.latest = at;
    if (prev === null || latest === null || at.ms >= prev.ms) return null;
    endRun(prev);
    this.floor = latest;
    return { before: prev, after: at, latest };
  }

  /** The instant read last, or null before any. */
  last(): Instant | null {
    return this.prev;
  }

  /**
   * The interval as kept: from the floor on when it began before it, or null when it lies wholly
   * before the floor (its times were read once already). With `endsRun` (closed by a step back),
   * a state begun at the run's last instant is left out: it had no time in the run, and the run
   * after may begin the same state at that very instant.
   */
  keep(r: DeviceStateRecord, endsRun = false): DeviceStateRecord | null {
    if (endsRun && r.to !== null && r.to.ms === r.from.ms) return null;
    const floor = this.floor;
    if (floor === null || r.from.ms >= floor.ms) return r;
    if (r.to !== null && r.to.ms <= floor.ms) return null;
    return { ...r, from: floor };
  }

  /** Forgets every instant read (the stream starts again). */
  reset(): void {
    this.prev = null;
    this.latest = null;
    this.floor = null;
  }
}

/** A step back in words: the two instants, local to the device, and how far back. */
export function backwardStepText(step: BackwardStep): string {
  const back = step.before.ms - step.after.ms;
  return `${localText(step.after)} comes after ${localText(step.before)}, ${durationText(back)} earlier`;
}

/** An instant as the device's local date and time to the second, with its UTC offset. */
export function localText(at: Instant): string {
  const full = formatInstant(at.ms, at.offsetMin);
  return `${full.slice(0, 10)} ${full.slice(11, 19)} (UTC${full.slice(23)})`;
}

// A duration in the largest units that matter: "30 min", "2 h 5 min", "12 s", "250 ms".
function durationText(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.floor(ms / 1000);
  const parts: string[] = [];
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) parts.push(`${d} d`);
  if (h > 0) parts.push(`${h} h`);
  if (m > 0) parts.push(`${m} min`);
  if (sec > 0 && d === 0) parts.push(`${sec} s`);
  return parts.join(' ');
}

/** Steps back warned about one by one in a stream; the rest are counted in one warning. */
export const MAX_STEP_WARNINGS = 20;

/**
 * A warning on times read out of order (code INVALID_TIMESTAMP, as for any interval whose times
 * cannot both hold), located at `<origin> line N` and naming it first in the message too.
 */
export function stepWarning(origin: string, line: number | null, message: string): WarningRecord {
  const locator = line === null ? origin : `${origin} line ${line}`;
  return {
    type: 'warning',
    warning: { line, locator, code: 'INVALID_TIMESTAMP', message: `${locator}: ${message}` },
  };
}

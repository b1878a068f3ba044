import { z } from 'zod';
import { categorySchema } from './categories';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');

/** A time of day window, device-local, start inclusive, end exclusive, wrapping past midnight. */
export const dayWindowSchema = z.object({ from: hhmm, to: hhmm });
export type DayWindow = z.infer<typeof dayWindowSchema>;

/**
 * A bound of the date range: an instant with an offset or `Z` (`2024-05-01T00:00:00+02:00`),
 * or a date alone (`2024-05-01`), which means that day's device-local midnight.
 */
export const rangeBoundSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'expected YYYY-MM-DD or an ISO-8601 instant with offset',
  );

/**
 * The one filter object. It drives every query and view, is saved with views and is written
 * into every export so a reader can reproduce what was shown.
 */
export const filterSchema = z.object({
  devices: z.array(z.number().int().positive()).optional(),
  /** App identifiers as the source wrote them, or display names. */
  apps: z.array(z.string().min(1)).optional(),
  categories: z.array(categorySchema).optional(),
  from: rangeBoundSchema.optional(),
  to: rangeBoundSchema.optional(),
  hours: dayWindowSchema.optional(),
  minSeconds: z.number().min(0).optional(),
  /**
   * App state at the access: the state the OS reported, else the one inferred from usage
   * records, else `unknown` (every iOS App Privacy Report session).
   */
  states: z.array(z.enum(['foreground', 'background', 'unknown'])).optional(),
  /**
   * The device's own state at the access's start (PowerLog, usagestats): `in-use` (screen on and
   * unlocked), `screen-off`, `locked`, `unknown` (none of those established: no coverage, or only
   * part of the state known). An access matches when any of its states is chosen; one that is
   * locked with the screen off is both `locked` and `screen-off`.
   */
  deviceStates: z.array(z.enum(['in-use', 'screen-off', 'locked', 'unknown'])).optional(),
  /** Only records the examiner annotated with one of these tags. */
  tags: z.array(z.string().min(1).max(100)).optional(),
  /** Only records the examiner starred. */
  starred: z.boolean().optional(),
});
export type Filter = z.infer<typeof filterSchema>;

/** The device states a filter can choose, in display order. */
export const DEVICE_STATE_CHOICES = ['in-use', 'screen-off', 'locked', 'unknown'] as const;
export type DeviceStateChoice = (typeof DEVICE_STATE_CHOICES)[number];

/**
 * The filter's device states an instant's state belongs to: `locked` when locked, `screen-off`
 * when the screen is off, `in-use` when the screen is on and the device unlocked, else `unknown`
 * (a state never established is never counted as in use).
 */
export function deviceStateChoices(s: {
  screen: 'on' | 'off' | null;
  locked: boolean | null;
}): DeviceStateChoice[] {
  const out: DeviceStateChoice[] = [];
  if (s.screen === 'on' && s.locked === false) out.push('in-use');
  if (s.screen === 'off') out.push('screen-off');
  if (s.locked === true) out.push('locked');
  if (out.length === 0) out.push('unknown');
  return out;
}

export const DEFAULT_NIGHT: DayWindow = { from: '00:00', to: '06:00' };

/** Minutes since midnight of an `HH:MM` string. */
export function minutesOfDay(hm: string): number {
  const [h, m] = hm.split(':');
  return Number(h) * 60 + Number(m);
}

/** True when the minute of day lies in the window (start inclusive, end exclusive, wrapping). */
export function inDayWindow(minute: number, w: DayWindow): boolean {
  const a = minutesOfDay(w.from);
  const b = minutesOfDay(w.to);
  if (a === b) return true;
  return a < b ? minute >= a && minute < b : minute >= a || minute < b;
}

/** Parses `HH:MM-HH:MM`. */
export function parseDayWindow(text: string): DayWindow | null {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text.trim());
  if (!m) return null;
  const parsed = dayWindowSchema.safeParse({ from: m[1], to: m[2] });
  return parsed.success ? parsed.data : null;
}

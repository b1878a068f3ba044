import { formatWallClock, offsetLabel } from './time-format';

/** The examiner's own UTC offset at an instant (this machine's zone). */
export function examinerOffset(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

/** An instant in the examiner's zone, for app bookkeeping such as "opened at" and "imported at". */
export function formatExaminerTime(ms: number): string {
  return formatWallClock(ms, examinerOffset(ms));
}

/** An instant in the examiner's zone with its offset, for logs: `2024-05-01 14:15:00 (UTC+02:00)`. */
export function formatExaminerTimeWithOffset(ms: number): string {
  return `${formatExaminerTime(ms)} (${offsetLabel(examinerOffset(ms))})`;
}

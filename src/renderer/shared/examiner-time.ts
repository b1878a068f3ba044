import { formatWallClock } from './format';

/** The examiner's own UTC offset at an instant (this machine's zone). */
export function examinerOffset(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

/** An instant in the examiner's zone, for app bookkeeping such as "opened at" and "imported at". */
export function formatExaminerTime(ms: number): string {
  return formatWallClock(ms, examinerOffset(ms));
}

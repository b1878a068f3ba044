import { describe, expect, it } from 'vitest';
import { examinerOffset, formatExaminerTimeWithOffset } from './examiner-time';

describe('examiner time', () => {
  it('is written on a 24-hour clock with the offset, whatever the machine’s locale', () => {
    for (const ms of [
      Date.UTC(2024, 4, 1, 0, 0),
      Date.UTC(2024, 4, 1, 14, 15),
      Date.UTC(2024, 11, 31, 23, 59),
    ]) {
      const text = formatExaminerTimeWithOffset(ms);
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(UTC[+-]\d{2}:\d{2}\)$/);
      const local = new Date(ms + examinerOffset(ms) * 60_000);
      expect(Number(text.slice(11, 13))).toBe(local.getUTCHours());
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { SummaryItem } from '../../contract/api';
import { deviceOffsetsFrom } from './device-offsets';

const item = (deviceId: number, lastMs: number | null, offsetMin: number): SummaryItem => ({
  deviceId,
  device: 'd',
  appId: 1,
  app: 'a',
  appName: null,
  category: 'camera',
  sessions: 1,
  openSessions: 0,
  totalMs: 1,
  longestMs: 1,
  nightSessions: 0,
  first: null,
  last: lastMs === null ? null : { ms: lastMs, offsetMin },
});

describe('deviceOffsetsFrom', () => {
  it('keeps the most recent offset per device', () => {
    const m = deviceOffsetsFrom([
      item(1, 100, 60),
      item(1, 200, 120),
      item(2, 50, -300),
      item(3, null, 0),
    ]);
    expect([...m]).toEqual([
      [1, 120],
      [2, -300],
    ]);
  });
});

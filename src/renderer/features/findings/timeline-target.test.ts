import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../contract/findings';
import { placeOfFinding, timelineTarget } from './timeline-target';

const night: Finding = {
  id: 'f:night-access:1:com.tencent.xin:photos',
  rule: 'night-access',
  severity: 'high',
  deviceId: 1,
  device: 'Phone',
  app: 'com.tencent.xin',
  appName: 'WeChat',
  category: 'photos',
  count: 3,
  first: '2024-05-01T23:10:00.000+08:00',
  last: '2024-05-03T02:10:00.000+08:00',
  title: 't',
  caveat: 'c',
  evidence: [],
  details: { window: '22:00-06:00' },
};

describe('timeline target of a finding', () => {
  it("keeps a night finding's hours window and zooms to its evidence", () => {
    const t = timelineTarget({ devices: [2], states: ['unknown'] }, placeOfFinding(night));
    expect(t.filter).toEqual({
      devices: [1],
      apps: ['com.tencent.xin'],
      categories: ['photos'],
      states: ['unknown'],
      hours: { from: '22:00', to: '06:00' },
    });
    const from = Date.UTC(2024, 4, 1, 15, 10);
    const to = Date.UTC(2024, 4, 2, 18, 10);
    const margin = Math.max(3_600_000, (to - from) / 20);
    expect(t.view).toEqual({ fromMs: from - margin, toMs: to + margin });
  });

  it("keeps the filter's own hours for a finding without a window, and has no view without instants", () => {
    const f = { ...night, rule: 'long-access' as const, first: null, last: null };
    const t = timelineTarget({ hours: { from: '01:00', to: '02:00' } }, placeOfFinding(f));
    expect(t.filter.hours).toEqual({ from: '01:00', to: '02:00' });
    expect(t.view).toBeNull();
    expect('hours' in timelineTarget({}, placeOfFinding(f)).filter).toBe(false);
  });
});

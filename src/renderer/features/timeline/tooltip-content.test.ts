import { describe, expect, it } from 'vitest';
import type { TimelineLane, TimelineSession } from '../../../contract/api';
import { binTooltip, networkTooltip, sessionDuration, sessionTooltip } from './tooltip-content';

const lane: TimelineLane = {
  key: 'L',
  deviceId: 1,
  deviceLabel: 'Phone',
  appId: 1,
  app: 'com.example.cam',
  appName: 'Cam',
  sessions: 1,
  totalMs: 1,
};
const t0 = Date.UTC(2024, 4, 1, 1, 0, 0);

describe('tooltips', () => {
  it('describes a closed session in local time', () => {
    const s: TimelineSession = {
      id: 's',
      lane: 'L',
      category: 'camera',
      startMs: t0,
      endMs: t0 + 90_000,
      anchorMs: t0,
      offsetMin: 120,
      open: false,
    };
    expect(sessionDuration(s)).toBe(90_000);
    expect(sessionTooltip(s, lane, 'local')).toEqual({
      title: 'Cam',
      lines: [
        'Camera · com.example.cam',
        'Start: 2024-05-01 03:00:00 (UTC+02:00)',
        'End: 2024-05-01 03:01:30 (UTC+02:00)',
        'Duration: 1 min 30 s',
      ],
    });
  });

  it('describes an open session in UTC', () => {
    const s: TimelineSession = {
      id: 's',
      lane: 'L',
      category: 'microphone',
      startMs: t0,
      endMs: null,
      anchorMs: t0,
      offsetMin: 120,
      open: true,
    };
    const t = sessionTooltip(s, undefined, 'utc');
    expect(t.title).toBe('L');
    expect(t.lines).toContain('End: unknown (no end record)');
    expect(t.lines).toContain('Duration: open session');
    expect(t.lines).toContain('Start: 2024-05-01 01:00:00 UTC');
  });

  it('describes bins and network spans', () => {
    const b = binTooltip(
      { lane: 'L', category: 'photos', startMs: t0, count: 3, busyMs: 4000 },
      3_600_000,
      lane,
      0,
      'local',
    );
    expect(b.lines[2]).toBe('3 sessions, in use 4.0 s');
    const n = networkTooltip(
      [
        { lane: 'L', firstMs: t0, lastMs: t0 + 1000, hits: 10, domains: 2 },
        { lane: 'L', firstMs: t0 - 1000, lastMs: t0, hits: 5, domains: 1 },
      ],
      lane,
      0,
      'utc',
    );
    expect(n.lines[0]).toBe('3 domains, 15 hits (per export snapshot)');
  });
});

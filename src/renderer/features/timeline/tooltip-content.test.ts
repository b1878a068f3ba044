import { describe, expect, it } from 'vitest';
import type { TimelineLane, TimelineMark, TimelineSession } from '../../../contract/api';
import {
  binTooltip,
  markTooltip,
  MARK_TOOLTIP_MAX,
  networkTooltip,
  sessionDuration,
  sessionTooltip,
  tooltipNeedsDetails,
  type MarkInfo,
} from './tooltip-content';

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
      state: 'unknown',
      stateSource: null,
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
      state: 'unknown',
      stateSource: null,
    };
    const t = sessionTooltip(s, undefined, 'utc');
    expect(t.title).toBe('L');
    expect(t.lines).toContain('End: unknown (no end record)');
    expect(t.lines).toContain('Duration: open session');
    expect(t.lines).toContain('Start: 2024-05-01 01:00:00 UTC');
    expect(t.lines.some((l) => l.startsWith('App state'))).toBe(false);
  });

  it('says whether a background state was reported or inferred', () => {
    const s: TimelineSession = {
      id: 's',
      lane: 'L',
      category: 'photos',
      startMs: t0,
      endMs: t0,
      anchorMs: t0,
      offsetMin: 60,
      open: false,
      state: 'background',
      stateSource: 'reported',
    };
    expect(
      sessionTooltip(s, lane, 'utc', { rawState: 'bg-s', durationKnown: true }).lines.at(-1),
    ).toBe('App state: Background (reported by Android: bg-s)');
    expect(sessionTooltip(s, lane, 'utc').lines.at(-1)).toBe(
      'App state: Background (reported by Android)',
    );
    expect(sessionTooltip({ ...s, stateSource: 'inferred' }, lane, 'utc').lines.at(-1)).toBe(
      'App state: Background (inferred from usage records)',
    );
  });

  it('says when Android printed no duration, once the details are read', () => {
    const s: TimelineSession = {
      id: 's',
      lane: 'L',
      category: 'photos',
      startMs: t0,
      endMs: t0,
      anchorMs: t0,
      offsetMin: 60,
      open: false,
      state: 'unknown',
      stateSource: null,
    };
    expect(sessionTooltip(s, lane, 'utc').lines[3]).toBe('Duration: 0 ms');
    expect(sessionTooltip(s, lane, 'utc', { rawState: null, durationKnown: false }).lines[3]).toBe(
      'Duration: not printed by Android (shown as an instant)',
    );
    expect(tooltipNeedsDetails(s)).toBe(true);
    expect(tooltipNeedsDetails({ ...s, endMs: t0 + 1 })).toBe(false);
    expect(tooltipNeedsDetails({ ...s, endMs: t0 + 1, state: 'background' })).toBe(true);
    expect(tooltipNeedsDetails({ ...s, startMs: null, endMs: null })).toBe(false);
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

  describe('permission marks', () => {
    const mark = (id: string, over: Partial<TimelineMark> = {}): TimelineMark => ({
      id,
      lane: 'L',
      kind: 'permission',
      category: 'camera',
      status: 'denied',
      atMs: t0,
      offsetMin: 120,
      ...over,
    });
    const info = new Map<string, MarkInfo>([
      ['p:1', { label: 'Camera', origin: 'tcc' }],
      ['p:2', { label: 'Location (locationd)', origin: 'location-clients' }],
    ]);

    it('names the service, status and device-local time of one mark', () => {
      expect(markTooltip([mark('p:1')], lane, info, 'local')).toEqual({
        title: 'Cam · Camera',
        lines: [
          'Permission: Denied',
          'Last changed: 2024-05-01 03:00:00 (UTC+02:00)',
          'Click for the record and its source.',
        ],
      });
      const loc = markTooltip(
        [mark('p:2', { category: 'location', status: 'granted' })],
        lane,
        info,
        'utc',
      );
      expect(loc.lines.slice(0, 2)).toEqual([
        'Permission: Granted',
        'Location last used: 2024-05-01 01:00:00 UTC',
      ]);
    });

    it('falls back to the category without record info, and lists overlapping marks', () => {
      expect(
        markTooltip([mark('p:9', { category: 'photos' })], undefined, info, 'local').title,
      ).toBe('L · Photos');
      const many = Array.from({ length: MARK_TOOLTIP_MAX + 2 }, (_, i) => mark(`p:${i + 10}`));
      const t = markTooltip(many, lane, info, 'local');
      expect(t.title).toBe(`Cam · ${MARK_TOOLTIP_MAX + 2} permission records`);
      expect(t.lines[0]).toBe('Camera: Denied · 2024-05-01 03:00:00 (UTC+02:00)');
      expect(t.lines).toContain('… and 2 more');
    });
  });
});

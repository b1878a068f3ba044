import { describe, expect, it } from 'vitest';
import {
  buildGrid,
  cellAt,
  cellValue,
  dayCoverage,
  heatmapTitle,
  labelEvery,
  weekday,
} from './heatmap-grid';

describe('buildGrid', () => {
  it('fills a dense day × hour grid', () => {
    const g = buildGrid({
      fromDay: 100,
      toDay: 102,
      cells: [
        { day: 100, hour: 0, sessions: 2, busyMs: 1000 },
        { day: 102, hour: 23, sessions: 5, busyMs: 10 },
        { day: 200, hour: 1, sessions: 9, busyMs: 9 },
      ],
    });
    expect(g).not.toBeNull();
    if (!g) return;
    expect(g.days).toBe(3);
    expect(cellValue(g, 'sessions', 0, 0)).toBe(2);
    expect(cellValue(g, 'sessions', 2, 23)).toBe(5);
    expect(cellValue(g, 'busyMs', 0, 0)).toBe(1000);
    expect(g.max).toEqual({ sessions: 5, busyMs: 1000 });
  });

  it('returns null without data', () => {
    expect(buildGrid({ fromDay: null, toDay: null, cells: [] })).toBeNull();
  });

  it('marks the days outside the observed windows as no data, never as quiet days', () => {
    // Two exports, days 100–101 and 105–106, with activity on 100 and 106 only.
    const g = buildGrid({
      fromDay: 100,
      toDay: 106,
      cells: [
        { day: 100, hour: 2, sessions: 1, busyMs: 1 },
        { day: 106, hour: 14, sessions: 1, busyMs: 1 },
      ],
      observed: [
        {
          deviceId: 1,
          label: 'iPhone',
          offsetMin: 480,
          ranges: [
            [100, 101],
            [105, 106],
          ],
        },
      ],
    });
    expect(g?.coverage).toEqual([
      'observed',
      'observed',
      'none',
      'none',
      'none',
      'observed',
      'observed',
    ]);
    expect(g?.unobserved).toEqual([]);
  });
});

describe('dayCoverage', () => {
  const dev = (label: string, ranges: [number, number][]) => ({
    deviceId: label.length,
    label,
    offsetMin: 0,
    ranges,
  });

  it('tells days every device observed from days only some did, naming the others', () => {
    const c = dayCoverage(
      [dev('iPhone', [[10, 12]]), dev('Pixel', [[12, 13]]), dev('Backup', [])],
      10,
      5,
    );
    expect(c.coverage).toEqual(['partial', 'partial', 'observed', 'partial', 'none']);
    expect(c.missing).toEqual([['Pixel'], ['Pixel'], [], ['iPhone'], ['iPhone', 'Pixel']]);
    // A device with no access log at all is named once, not on every day.
    expect(c.unobserved).toEqual(['Backup']);
  });

  it('counts every day observed when the answer carries no observed days', () => {
    expect(dayCoverage(undefined, 0, 2).coverage).toEqual(['observed', 'observed']);
    expect(dayCoverage([dev('Backup', [])], 0, 2).coverage).toEqual(['none', 'none']);
  });
});

describe('geometry and labels', () => {
  it('finds the cell under a point', () => {
    const geo = { left: 100, top: 20, cellW: 10, rowH: 16, days: 3 };
    expect(cellAt(105, 21, geo)).toEqual({ row: 0, hour: 0 });
    expect(cellAt(100 + 235, 20 + 40, geo)).toEqual({ row: 2, hour: 23 });
    expect(cellAt(99, 21, geo)).toBeNull();
    expect(cellAt(105, 20 + 48, geo)).toBeNull();
  });

  it('names weekdays and spaces labels', () => {
    expect(weekday(0)).toBe('Thu');
    expect(weekday(-1)).toBe('Wed');
    expect(labelEvery(16)).toBe(1);
    expect(labelEvery(4)).toBe(4);
  });

  it('words the title from the filter', () => {
    const name = (id: string) => (id === 'com.burbn.instagram' ? 'Instagram' : id);
    expect(heatmapTitle({ apps: ['com.burbn.instagram'], categories: ['camera'] }, name)).toBe(
      'When does Instagram access Camera?',
    );
    expect(heatmapTitle({}, name)).toBe('When do apps access anything?');
    expect(heatmapTitle({ apps: ['a', 'b'], categories: ['camera', 'microphone'] }, name)).toBe(
      'When do the selected apps access Camera or Microphone?',
    );
    expect(heatmapTitle({ categories: ['camera', 'microphone', 'photos'] }, name)).toBe(
      'When do apps access Camera, Microphone, or Photos?',
    );
    expect(heatmapTitle({ categories: ['camera', 'microphone', 'photos', 'location'] }, name)).toBe(
      'When do apps access 4 categories?',
    );
  });
});

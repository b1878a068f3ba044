import { describe, expect, it } from 'vitest';
import type { ObservedDays } from '../../../contract/api';
import {
  countStretches,
  dayRanges,
  noDataByDevice,
  noDataForAll,
  noDataStretches,
} from './no-data';

const H = 3_600_000;
const DAY = 24 * H;
/** Local day number of a May 2024 date. */
const may = (d: number): number => Date.UTC(2024, 4, d) / DAY;
/** The instant local day `day` starts at an offset. */
const startOf = (day: number, offsetMin: number): number => day * DAY - offsetMin * 60_000;

const device = (deviceId: number, offsetMin: number, ranges: [number, number][]): ObservedDays => ({
  deviceId,
  label: `D${deviceId}`,
  offsetMin,
  ranges,
});

describe('no-data stretches of the timeline', () => {
  it('hatch the gap between two exports, at the device’s local midnights', () => {
    // Exports of May 1–3 and May 10–12 at +08:00; the view runs from May 1 to May 13 local.
    const ranges: [number, number][] = [
      [may(1), may(3)],
      [may(10), may(12)],
    ];
    const view = { fromMs: startOf(may(1), 480), toMs: startOf(may(13), 480) };
    expect(noDataStretches(ranges, 480, view)).toEqual([
      { fromMs: startOf(may(4), 480), toMs: startOf(may(10), 480) },
    ]);
    expect(startOf(may(4), 480)).toBe(Date.UTC(2024, 4, 3, 16));
  });

  it('cover the part of a view zoomed into one night that lies outside the observed days', () => {
    // The night of May 3 to May 4 (+08:00), 20:00 to 06:00: May 4 is not observed.
    const view = { fromMs: startOf(may(3), 480) + 20 * H, toMs: startOf(may(4), 480) + 6 * H };
    expect(noDataStretches([[may(1), may(3)]], 480, view)).toEqual([
      { fromMs: startOf(may(4), 480), toMs: view.toMs },
    ]);
    // Inside observed days: nothing hatched.
    expect(noDataStretches([[may(1), may(5)]], 480, view)).toEqual([]);
  });

  it('are the whole view for a device without any access log, and nothing for an empty view', () => {
    const view = { fromMs: 0, toMs: DAY };
    expect(noDataStretches([], 0, view)).toEqual([view]);
    expect(noDataStretches([[0, 0]], 0, { fromMs: 5, toMs: 5 })).toEqual([]);
  });

  it('honour a period: observed days outside it count as no data', () => {
    const view = { fromMs: startOf(may(1), 0), toMs: startOf(may(6), 0) };
    expect(
      noDataStretches([[may(1), may(5)]], 0, view, { fromDay: may(2), toDay: may(4) }),
    ).toEqual([
      { fromMs: startOf(may(1), 0), toMs: startOf(may(2), 0) },
      { fromMs: startOf(may(4), 0), toMs: view.toMs },
    ]);
  });

  it('are per device, each at its own offset, and for the overview only where no device observed', () => {
    const east = device(1, 480, [[may(1), may(3)]]);
    const west = device(2, -240, [[may(3), may(5)]]);
    const view = { fromMs: Date.UTC(2024, 4, 1), toMs: Date.UTC(2024, 4, 7) };
    const byDevice = noDataByDevice([east, west], view);
    expect(byDevice.get(1)).toEqual([{ fromMs: startOf(may(4), 480), toMs: view.toMs }]);
    expect(byDevice.get(2)).toEqual([
      { fromMs: view.fromMs, toMs: startOf(may(3), -240) },
      { fromMs: startOf(may(6), -240), toMs: view.toMs },
    ]);
    expect(countStretches(byDevice)).toBe(3);
    // May 1–3 at +08:00 and May 3–5 at −04:00 overlap: only the end is uncovered by both.
    expect(noDataForAll([east, west], view)).toEqual([
      { fromMs: startOf(may(6), -240), toMs: view.toMs },
    ]);
    expect(noDataForAll(undefined, view)).toEqual([]);
    expect(noDataForAll([device(3, 0, [])], view)).toEqual([view]);
    expect(noDataByDevice(undefined, view).size).toBe(0);
  });

  it('read day lists as ranges', () => {
    expect(dayRanges([1, 2, 3, 7, 9, 10])).toEqual([
      [1, 3],
      [7, 7],
      [9, 10],
    ]);
    expect(dayRanges([])).toEqual([]);
    expect(dayRanges([4, 4, 5])).toEqual([[4, 5]]);
  });
});

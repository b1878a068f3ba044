import { describe, expect, it } from 'vitest';
import type { TimelineBin } from './api';
import { BinColumns, binColumns, binCount, binList, emptyBins } from './timeline-bins';

describe('timeline bins as columns', () => {
  const list: TimelineBin[] = [
    { lane: '1:4', category: 'photos', startMs: 0, count: 3, busyMs: 10 },
    { lane: '2:9', category: 'camera', startMs: 100, count: 1, busyMs: 0 },
    { lane: '1:4', category: 'camera', startMs: 100, count: 7, busyMs: 70 },
    { lane: '2:9', category: 'photos', startMs: -50, count: 2, busyMs: 5 },
  ];

  it('list each lane and category once, in the order first met', () => {
    const c = binColumns(list);
    expect(c.lanes).toEqual(['1:4', '2:9']);
    expect(c.categories).toEqual(['photos', 'camera']);
    expect(c.lane).toEqual([0, 1, 0, 1]);
    expect(c.category).toEqual([0, 1, 1, 0]);
    expect(binCount(c)).toBe(4);
  });

  it('give back the same bins in the same order', () => {
    expect(binList(binColumns(list))).toEqual(list);
    expect(binList(emptyBins())).toEqual([]);
  });

  it('sized beforehand, hold exactly the bins pushed, as JSON too', () => {
    for (const capacity of [0, 2, 4, 9]) {
      const b = new BinColumns(capacity);
      for (const x of list)
        b.push(b.lane(x.lane), b.category(x.category), x.startMs, x.count, x.busyMs);
      expect(binCount(b.columns)).toBe(list.length);
      expect(JSON.stringify(b.columns)).toBe(JSON.stringify(binColumns(list)));
      expect(binList(b.columns)).toEqual(list);
    }
    const none = new BinColumns(5);
    expect(JSON.stringify(none.columns)).toBe(JSON.stringify(emptyBins()));
  });
});

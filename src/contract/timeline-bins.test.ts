import fc from 'fast-check';
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

  it('reserved at any point, hold exactly the bins pushed, in order', () => {
    const bin = fc.record({
      lane: fc.constantFrom('1:4', '2:9', '3:1'),
      category: fc.constantFrom('photos', 'camera', 'microphone') as fc.Arbitrary<
        TimelineBin['category']
      >,
      startMs: fc.double({ noNaN: true }),
      count: fc.integer(),
      busyMs: fc.double({ noNaN: true }),
    });
    const step = fc.oneof(
      bin.map((b) => ({ b })),
      fc
        // Past the most it makes room for (1 << 22), a reserve does nothing.
        .oneof(fc.integer({ min: -5, max: 64 }), fc.constant((1 << 22) + 1))
        .map((reserve) => ({ reserve })),
    );
    fc.assert(
      fc.property(fc.nat({ max: 12 }), fc.array(step, { maxLength: 40 }), (capacity, steps) => {
        const b = new BinColumns(capacity);
        const pushed: TimelineBin[] = [];
        for (const s of steps)
          if ('reserve' in s) b.reserve(s.reserve);
          else {
            b.push(b.lane(s.b.lane), b.category(s.b.category), s.b.startMs, s.b.count, s.b.busyMs);
            pushed.push(s.b);
          }
        expect(binCount(b.columns)).toBe(pushed.length);
        expect(binList(b.columns)).toEqual(pushed);
        expect(JSON.stringify(b.columns)).toBe(JSON.stringify(binColumns(pushed)));
      }),
      { numRuns: 300 },
    );
  });
});

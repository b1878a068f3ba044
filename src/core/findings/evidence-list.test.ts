import { describe, expect, it } from 'vitest';
import { EvidenceList, KeptSessions } from './session-pass';

describe('the evidence a rule keeps', () => {
  it('keeps where each kept session was read, exactly, in the order of its keys', () => {
    // Sessions arrive in start order; two of one start are kept in key order.
    const list = new EvidenceList(3);
    list.add(10, 'b', [1, 3, null, null]);
    list.add(10, 'a', [null, 5, 1, 9]);
    list.add(30, 'c', [7, 2 ** 31 - 1, 2 ** 21 - 1, 0]);
    list.add(40, 'd', [1, 1, 1, 1]);
    expect(list.sorted()).toEqual(['a', 'b', 'c']);
    expect([...list.sortedPlaces()!]).toEqual([
      ...[-1, -1, 1, 9],
      ...[1, 3, -1, -1],
      ...[7, 2 ** 31 - 1, 2 ** 21 - 1, 0],
    ]);
    expect(list.total).toBe(4);
  });

  it('gives no places when one cannot be kept exactly, and the keys as ever', () => {
    for (const edges of [
      [1, 2 ** 31, 1, 1],
      [1, 2 ** 32, 1, 1],
      [2 ** 21, 1, 1, 1],
      [1, 1, 1, 1.5],
      [-1, 1, 1, 1],
    ]) {
      const list = new EvidenceList(5);
      list.add(1, 'a', [1, 1, 1, 1]);
      list.add(2, 'b', edges);
      expect(list.sorted()).toEqual(['a', 'b']);
      expect(list.sortedPlaces()).toBeUndefined();
    }
  });

  it('gives no place for a session added without its edges', () => {
    const list = new EvidenceList(5);
    list.add(1, 'a');
    expect([...list.sortedPlaces()!]).toEqual([-1, -1, -1, -1]);
  });

  it('keeps a session several lists keep once, and gives each list its keys back as they were', () => {
    const kept = new KeptSessions();
    const night = new EvidenceList(6, kept);
    const all = new EvidenceList(6, kept);
    const keys = ['', 'é', '\u{1F600}x', '\uffff', 'a"b\\c\n', 'k'.repeat(3_000_000)];
    keys.forEach((k, i) => {
      all.add(i, k, [1, i, 2, i]);
      if (i % 2 === 0) night.add(i, k, [1, i, 2, i]);
    });
    expect(kept.count).toBe(keys.length);
    expect(all.sorted()).toEqual(keys);
    expect(night.sorted()).toEqual([keys[0], keys[2], keys[4]]);
    expect([...night.sortedPlaces()!]).toEqual([1, 0, 2, 0, 1, 2, 2, 2, 1, 4, 2, 4]);
  });

  it('forgets a pass once cleared and keeps the next one right in the memory it reuses', () => {
    const kept = new KeptSessions();
    const first = new EvidenceList(3, kept);
    for (let i = 0; i < 1000; i += 1) first.add(i, `first-${i}`.repeat(100), [1, i, 1, i]);
    kept.clear();
    const next = new EvidenceList(3, kept);
    next.add(1, 'b', [2, 2, null, null]);
    next.add(1, 'a'.repeat(2_000_000));
    next.add(2, 'c', [3, 3, 3, 3]);
    expect(kept.count).toBe(3);
    expect(next.sorted()).toEqual(['a'.repeat(2_000_000), 'b', 'c']);
    expect([...next.sortedPlaces()!]).toEqual([-1, -1, -1, -1, 2, 2, -1, -1, 3, 3, 3, 3]);
  });

  it('orders sessions of one start by the UTF-8 bytes of their keys, as SQLite does', () => {
    // In UTF-16 units U+FFFF sorts after U+1F600; in UTF-8 bytes (and code points) before.
    const list = new EvidenceList(2);
    for (const k of ['\u{1F600}', 'z', '\uffff', 'b']) list.add(7, k);
    expect(list.sorted()).toEqual(['b', 'z']);
    const wide = new EvidenceList(3);
    for (const k of ['\u{1F600}', '\uffff', 'z']) wide.add(7, k);
    expect(wide.sorted()).toEqual(['z', '\uffff', '\u{1F600}']);
  });

  it('keeps the first keys of a long run of one start without slowing down', () => {
    const list = new EvidenceList(5);
    const started = performance.now();
    for (let i = 200_000; i > 0; i -= 1) list.add(1, `k${String(i).padStart(6, '0')}`);
    expect(list.sorted()).toEqual(['k000001', 'k000002', 'k000003', 'k000004', 'k000005']);
    expect(list.total).toBe(200_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

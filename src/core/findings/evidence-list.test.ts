import { describe, expect, it } from 'vitest';
import { EvidenceList } from './session-pass';

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
});

import { describe, expect, it } from 'vitest';
import { tempCase } from '../testing/temp-case';
import {
  clusterNote,
  deviceIntervalClusters,
  findCluster,
  type IntervalHistogram,
} from './interval-clusters';
import { daily, writeSessions } from './test-sessions';

const hist = (apps: Record<number, Record<number, number>>): IntervalHistogram =>
  new Map(
    Object.entries(apps).map(([id, bins]) => [
      Number(id),
      new Map(Object.entries(bins).map(([s, n]) => [Number(s), n])),
    ]),
  );

describe('interval clusters', () => {
  it('find a length most intervals of three apps have, within 2 s', () => {
    const c = findCluster(hist({ 1: { 45: 10, 300: 2 }, 2: { 44: 3, 46: 2 }, 3: { 47: 4, 9: 1 } }));
    expect(c).toEqual({ seconds: 45, appIds: [1, 2, 3], share: 19 / 22 });
  });

  it('need three apps, each with more than half of at least three intervals near it', () => {
    expect(findCluster(hist({ 1: { 45: 10 }, 2: { 45: 10 } }))).toBeNull();
    // App 3 has half, not more than half, of its intervals near 45 s.
    expect(findCluster(hist({ 1: { 45: 10 }, 2: { 45: 10 }, 3: { 45: 2, 200: 2 } }))).toBeNull();
    // App 3 has too few intervals to count.
    expect(findCluster(hist({ 1: { 45: 10 }, 2: { 45: 10 }, 3: { 45: 2 } }))).toBeNull();
    expect(findCluster(new Map())).toBeNull();
  });

  it('say what the length does not mean, never "read for"', () => {
    const note = clusterNote('photos', 45, 4);
    expect(note).toContain('about 45 s');
    expect(note).toContain('not how long the app used the photo library');
    expect(note).not.toMatch(/read for/i);
  });
});

describe('device interval clusters', () => {
  it('are computed again when the device gets another source', () => {
    const t = tempCase();
    try {
      const three = ['com.a', 'com.b', 'com.c'];
      writeSessions(
        t.session.db,
        t.deviceId,
        three.flatMap((app) => daily(app, 'photos', 3, 600, 45)),
      );
      expect(deviceIntervalClusters(t.session.db, t.deviceId).map((c) => c.seconds)).toEqual([45]);
      // A second export where most of the intervals of every app last 10 s.
      writeSessions(
        t.session.db,
        t.deviceId,
        three.flatMap((app) => daily(app, 'photos', 4, 700, 10)),
      );
      expect(deviceIntervalClusters(t.session.db, t.deviceId).map((c) => c.seconds)).toEqual([10]);
    } finally {
      t.cleanup();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { AppItem } from '../../../contract/api';
import { appDisplayName, mergeApps, visibleApps } from './app-options';

const item = (
  id: number,
  deviceId: number,
  identifier: string,
  displayName: string | null,
  sessions: number,
): AppItem => ({
  id,
  deviceId,
  identifier,
  displayName,
  sessions,
});

describe('app options', () => {
  const options = mergeApps([
    item(1, 1, 'com.a.camera', 'Camera Plus', 5),
    item(2, 2, 'com.a.camera', null, 7),
    item(3, 1, 'com.b.maps', 'Maps', 20),
    item(4, 1, 'com.c.notes', null, 1),
  ]);

  it('merges across devices and sorts by activity', () => {
    expect(options.map((o) => o.identifier)).toEqual(['com.b.maps', 'com.a.camera', 'com.c.notes']);
    expect(options[1]).toEqual({
      identifier: 'com.a.camera',
      name: 'Camera Plus',
      sessions: 12,
      devices: 2,
    });
  });

  it('searches names and identifiers, keeping selections first', () => {
    expect(visibleApps(options, 'plus', [], 10).map((o) => o.identifier)).toEqual(['com.a.camera']);
    expect(visibleApps(options, 'MAPS', ['com.c.notes'], 10).map((o) => o.identifier)).toEqual([
      'com.c.notes',
      'com.b.maps',
    ]);
    expect(visibleApps(options, '', ['gone.app'], 1).map((o) => o.identifier)).toEqual([
      'gone.app',
      'com.b.maps',
    ]);
  });

  it('finds display names', () => {
    expect(appDisplayName(options, 'com.b.maps')).toBe('Maps');
    expect(appDisplayName(options, 'unknown')).toBe('unknown');
  });
});

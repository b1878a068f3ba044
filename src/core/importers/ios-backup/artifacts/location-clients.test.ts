import { describe, expect, it } from 'vitest';
import {
  APPLE_EPOCH_SECONDS,
  parsePlist,
  writeBinaryPlist,
  writeXmlPlist,
} from '../../../formats/plist';
import type { PlistValue } from '../../../formats/plist';
import { createDict } from '../../../formats/plist/types';
import {
  LOCATION_TIME_KEYS,
  appleTimeMs,
  locationClientsManifest,
  readLocationClients,
} from './location-clients';

// Synthetic entries shaped like reference ios-backup.md §10; bundle ids are placeholders.
const T = 700_000_000; // seconds since 2001-01-01
const msOf = (s: number) => (s + APPLE_EPOCH_SECONDS) * 1000;

function roundTrip(value: PlistValue, binary = true): PlistValue {
  return parsePlist(
    binary ? writeBinaryPlist(value) : new TextEncoder().encode(writeXmlPlist(value)),
  );
}

describe('readLocationClients', () => {
  it('reads every time key, as numbers and as dates', () => {
    const entry: Record<string, PlistValue> = {
      BundleId: 'com.example.maps',
      BundlePath: '/var/containers/Bundle/Application/X/Maps.app',
      Executable: '/var/containers/Bundle/Application/X/Maps.app/Maps',
      Registered: '',
      Authorization: 4,
    };
    LOCATION_TIME_KEYS.forEach((k, i) => {
      entry[k] = i % 2 === 0 ? T + i : new Date(msOf(T + i));
    });
    for (const binary of [true, false]) {
      const { records, problems } = readLocationClients(
        roundTrip({ 'com.example.maps': entry }, binary),
      );
      expect(problems).toEqual([]);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        client: 'com.example.maps',
        bundleId: 'com.example.maps',
        bundlePath: '/var/containers/Bundle/Application/X/Maps.app',
        executable: '/var/containers/Bundle/Application/X/Maps.app/Maps',
        registered: '',
        authorization: 4,
        authorizationLabel: null,
        locator: 'clients.plist key com.example.maps',
      });
      expect(records[0]?.lastUse).toEqual(
        LOCATION_TIME_KEYS.map((kind, i) => ({ kind, ms: msOf(T + i) })),
      );
    }
  });

  it('keeps sparse entries and reports unreadable values', () => {
    const { records, problems } = readLocationClients({
      'com.example.sparse': {},
      'com.example.odd': {
        Authorization: 'yes',
        LocationTimeStopped: 'yesterday',
        VisitTimeStopped: 1.5,
      },
      'com.example.list': [1, 2],
    });
    expect(records.map((r) => r.client)).toEqual(['com.example.sparse', 'com.example.odd']);
    expect(records[0]).toMatchObject({
      bundleId: null,
      authorization: null,
      registered: null,
      lastUse: [],
    });
    expect(records[1]?.lastUse).toEqual([{ kind: 'VisitTimeStopped', ms: msOf(1.5) }]);
    expect(problems).toEqual([
      'clients.plist key com.example.odd: Authorization is a string, not a number',
      'clients.plist key com.example.odd: LocationTimeStopped is a string, not a time',
      'clients.plist key com.example.list: is an array, not a dict; skipped',
    ]);
  });

  it('treats prototype-like keys as plain clients', () => {
    const root = createDict();
    root['__proto__'] = { Authorization: 2 };
    const { records } = readLocationClients(roundTrip(root));
    expect(records.map((r) => [r.client, r.authorization])).toEqual([['__proto__', 2]]);
  });

  it('reports a root that is not a dict', () => {
    expect(readLocationClients([1])).toEqual({
      records: [],
      problems: ['clients.plist is an array, not a dict of clients'],
    });
  });

  it('converts times', () => {
    expect(appleTimeMs(0)).toBe(APPLE_EPOCH_SECONDS * 1000);
    expect(appleTimeMs(10n)).toBe((APPLE_EPOCH_SECONDS + 10) * 1000);
    expect(appleTimeMs(new Date(5))).toBe(5);
    expect(appleTimeMs(new Date(Number.NaN))).toBeNull();
    expect(appleTimeMs('1')).toBeNull();
    expect(appleTimeMs(undefined)).toBeNull();
  });

  it('declares that it is not a history', () => {
    expect(locationClientsManifest.doesNotProve.join(' ')).toMatch(/history/i);
  });
});

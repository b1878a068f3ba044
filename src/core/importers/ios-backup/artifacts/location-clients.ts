import type { ImporterManifest } from '../../importer';
import {
  APPLE_EPOCH_SECONDS,
  asBool,
  asDate,
  asDict,
  asNumber,
  asString,
  type PlistValue,
} from '../../../formats/plist';
import { describePlistType } from '../../../formats/plist/types';

/** The time keys of a locationd client entry, in the order records list them (reference §10). */
export const LOCATION_TIME_KEYS = [
  'LocationTimeStopped',
  'BackgroundLocationTimeStopped',
  'SignificantTimeStopped',
  'NonPersistentSignificantTimeStopped',
  'VisitTimeStopped',
  'FenceTimeStopped',
  'BeaconRegionTimeStopped',
  'ReceivingLocationInformationTimeStopped',
  'ConsumptionPeriodBegin',
] as const;

export type LocationTimeKind = (typeof LOCATION_TIME_KEYS)[number];

/** One client of locationd (`clients.plist`): its authorisation and when each service last stopped. */
export interface LocationClientRecord {
  /** The plist key: a bundle id, or a prefixed path for system clients. */
  client: string;
  bundleId: string | null;
  bundlePath: string | null;
  executable: string | null;
  registered: string | boolean | number | null;
  /** The raw `Authorization` number. */
  authorization: number | null;
  /**
   * Always null: no public, verifiable mapping of locationd's `Authorization` numbers was found
   * (they are not documented as CLAuthorizationStatus), so the raw number is shown instead.
   */
  authorizationLabel: string | null;
  /** Each time key present, as epoch ms, in `LOCATION_TIME_KEYS` order. */
  lastUse: Array<{ kind: LocationTimeKind; ms: number }>;
  locator: string;
}

export const locationClientsManifest: ImporterManifest = {
  id: 'ios-backup-location-clients',
  name: 'iOS location clients (locationd clients.plist)',
  version: '1.0.0',
  platform: 'ios',
  reads: 'RootDomain Library/Caches/locationd/clients.plist: one dict per locationd client.',
  proves: [
    'The app (or system client) was known to locationd at backup time, with the recorded authorisation value.',
    'The last time, per location service (standard, background, significant change, visits, ' +
      'geofences, beacons, …), that the service stopped delivering to the client (device clock).',
  ],
  doesNotProve: [
    'A history: each time is the last one only; earlier uses are overwritten.',
    'Where the device was: no coordinates are kept here.',
    'How long or how often location was used, or whether the app was in the foreground.',
    'What the authorisation number means in Settings terms: the mapping is undocumented and shown raw.',
  ],
};

/**
 * Reads a parsed `clients.plist` into one record per client key.
 * Non-dict entries and unreadable times become problems; the rest of the entry is kept.
 */
export function readLocationClients(plist: PlistValue): {
  records: LocationClientRecord[];
  problems: string[];
} {
  const root = asDict(plist);
  if (!root) {
    return {
      records: [],
      problems: [`clients.plist is ${describePlistType(plist)}, not a dict of clients`],
    };
  }
  const records: LocationClientRecord[] = [];
  const problems: string[] = [];
  for (const [client, value] of Object.entries(root)) {
    const locator = `clients.plist key ${client}`;
    const entry = asDict(value);
    if (!entry) {
      problems.push(`${locator}: is ${describePlistType(value)}, not a dict; skipped`);
      continue;
    }
    const authorization = asNumber(entry['Authorization']);
    if (entry['Authorization'] !== undefined && authorization === null) {
      problems.push(
        `${locator}: Authorization is ${describePlistType(entry['Authorization'])}, not a number`,
      );
    }
    const lastUse: LocationClientRecord['lastUse'] = [];
    for (const kind of LOCATION_TIME_KEYS) {
      const raw = entry[kind];
      if (raw === undefined) continue;
      const ms = appleTimeMs(raw);
      if (ms === null) {
        problems.push(`${locator}: ${kind} is ${describePlistType(raw)}, not a time`);
        continue;
      }
      lastUse.push({ kind, ms });
    }
    records.push({
      client,
      bundleId: asString(entry['BundleId']),
      bundlePath: asString(entry['BundlePath']),
      executable: asString(entry['Executable']),
      registered:
        asString(entry['Registered']) ??
        asBool(entry['Registered']) ??
        asNumber(entry['Registered']),
      authorization,
      authorizationLabel: null,
      lastUse,
      locator,
    });
  }
  return { records, problems };
}

/** A plist time as epoch ms: a Date, or a number of seconds since 2001-01-01 (reference §10). */
export function appleTimeMs(value: PlistValue | undefined): number | null {
  const date = asDate(value);
  if (date) return date.getTime();
  const seconds = asNumber(value);
  if (seconds === null || !Number.isFinite(seconds)) return null;
  return Math.round((seconds + APPLE_EPOCH_SECONDS) * 1000);
}

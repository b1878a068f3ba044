import type { ImporterManifest } from '../../importer';
import {
  asArray,
  asDate,
  asDict,
  asString,
  isPlistDict,
  type PlistDict,
  type PlistValue,
} from '../../../formats/plist';
import { isPlausibleEpochMs } from './core-data-time';

/** What an install/remove event says was done to a profile. */
export type ProfileOperation = 'install' | 'remove' | 'other';

/** One entry of `MCProfileEvents.plist`. */
export interface ProfileEvent {
  /** The profile identifier the event is keyed by (the profile's PayloadIdentifier). */
  identifier: string;
  operation: ProfileOperation;
  /** The operation string as stored (e.g. `install`, `remove`), or null when absent. */
  operationRaw: string | null;
  /** The process that performed the operation (e.g. `profiled`, `MDM`), as stored. */
  process: string | null;
  timestampMs: number | null;
  /** `ProfileEvents[i]` plus the key, for tracing back into the plist. */
  locator: string;
}

/** Events read from `MCProfileEvents.plist`, and what could not be read. */
export interface ProfileEventsResult {
  events: ProfileEvent[];
  problems: string[];
}

/** The facts of one installed configuration profile (`Library/ConfigurationProfiles/profile-*`). */
export interface ConfigurationProfile {
  identifier: string | null;
  displayName: string | null;
  organization: string | null;
  /** The top-level PayloadType (normally `Configuration`). */
  type: string | null;
  uuid: string | null;
  /** The PayloadType of each PayloadContent entry, in order (duplicates kept). */
  payloadTypes: string[];
  flags: { mdm: boolean; vpn: boolean; rootCertificate: boolean };
  /** InstallDate (written by iOS into the stored copy), epoch ms. */
  installedMs: number | null;
}

/** A profile read from a `profile-*` plist (null when the plist is not a profile), and problems. */
export interface ProfileResult {
  profile: ConfigurationProfile | null;
  problems: string[];
}

export const profilesManifest: ImporterManifest = {
  id: 'ios-backup-configuration-profiles',
  name: 'iOS configuration profiles and profile events',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles · Library/ConfigurationProfiles/' +
    'profile-* (installed profile payloads) and MCProfileEvents.plist (install/remove events), from an iOS backup.',
  proves: [
    'A configuration profile with the stated identifier, name and organisation was installed on the device at backup time (profile-*), or was installed or removed at the stated time (MCProfileEvents).',
    'What the profile configures: its payload types, e.g. device management (com.apple.mdm), VPN (com.apple.vpn.managed*) or a trusted root certificate (com.apple.security.root).',
  ],
  doesNotProve: [
    'Who installed it or with what consent: the process named in an event is the on-device component, not a person.',
    'Whether the profile is malicious: MDM, VPN and root certificates are routine for employers and schools.',
    'That a configured VPN or MDM server was ever contacted, or what it did.',
    'That the organisation named in the profile is who it claims to be: the field is free text.',
  ],
};

/**
 * Reads `MCProfileEvents.plist`. The only documented shape (mvt `backup/profile_events.py`) is a
 * dict whose `ProfileEvents` array holds single-key dicts `{<profile id>: {timestamp, operation,
 * process}}`; other shapes and malformed entries are reported as problems.
 */
export function readProfileEvents(plist: PlistValue): ProfileEventsResult {
  const problems: string[] = [];
  const events: ProfileEvent[] = [];
  const root = asDict(plist);
  const list = asArray(root?.['ProfileEvents']);
  if (root === null || list === null) {
    problems.push(
      `MCProfileEvents.plist has an unknown shape (${describeShape(plist)}); a dict with a ProfileEvents array was expected.`,
    );
    return { events, problems };
  }
  list.forEach((entry, i) => {
    const dict = asDict(entry);
    const keys = dict === null ? [] : Object.keys(dict);
    if (dict === null || keys.length === 0) {
      problems.push(
        `ProfileEvents[${i}] is ${describeShape(entry)}, not a dict keyed by profile id; skipped.`,
      );
      return;
    }
    for (const identifier of keys) {
      const locator = `ProfileEvents[${i}].${identifier}`;
      const body = asDict(dict[identifier]);
      if (body === null) {
        problems.push(`${locator} is ${describeShape(dict[identifier])}, not a dict; skipped.`);
        continue;
      }
      const fields = lowerKeys(body);
      const operationRaw = asString(fields['operation']);
      const rawTime = fields['timestamp'];
      let timestampMs: number | null = null;
      const date = asDate(rawTime);
      if (date !== null && isPlausibleEpochMs(date.getTime())) timestampMs = date.getTime();
      else if (rawTime !== undefined) {
        problems.push(
          `${locator}: timestamp (${describeShape(rawTime)}) is not a plausible date; read as null.`,
        );
      }
      if (operationRaw === null) problems.push(`${locator}: no operation string.`);
      events.push({
        identifier,
        operation: toOperation(operationRaw),
        operationRaw,
        process: asString(fields['process']),
        timestampMs,
        locator,
      });
    }
  });
  return { events, problems };
}

/**
 * Reads one installed profile (`profile-*` plist): identity, payload types and what they imply.
 * A plist that is not a dict, or a dict with none of the Payload* keys, yields no profile.
 */
export function readProfile(plist: PlistValue): ProfileResult {
  const problems: string[] = [];
  const root = asDict(plist);
  if (root === null) {
    problems.push(`The profile plist is ${describeShape(plist)}, not a dict.`);
    return { profile: null, problems };
  }
  const identifier = asString(root['PayloadIdentifier']);
  const uuid = asString(root['PayloadUUID']);
  const content = root['PayloadContent'];
  if (identifier === null && uuid === null && content === undefined) {
    problems.push(
      'The plist has no PayloadIdentifier, PayloadUUID or PayloadContent: it is not a configuration profile.',
    );
    return { profile: null, problems };
  }
  if (identifier === null) problems.push('The profile has no PayloadIdentifier.');

  const payloadTypes: string[] = [];
  const entries = asArray(content);
  if (entries !== null) {
    entries.forEach((entry, i) => {
      const type = asString(asDict(entry)?.['PayloadType']);
      if (type === null) problems.push(`PayloadContent[${i}] has no PayloadType.`);
      else payloadTypes.push(type);
    });
  } else if (content !== undefined) {
    problems.push(
      `PayloadContent is ${describeShape(content)}, not an array; its payload types are unknown.`,
    );
  }

  let installedMs: number | null = null;
  const rawInstall = root['InstallDate'];
  const installDate = asDate(rawInstall);
  if (installDate !== null && isPlausibleEpochMs(installDate.getTime()))
    installedMs = installDate.getTime();
  else if (rawInstall !== undefined) {
    problems.push(
      `InstallDate (${describeShape(rawInstall)}) is not a plausible date; read as null.`,
    );
  }

  return {
    profile: {
      identifier,
      displayName: asString(root['PayloadDisplayName']),
      organization: asString(root['PayloadOrganization']),
      type: asString(root['PayloadType']),
      uuid,
      payloadTypes,
      flags: {
        mdm: payloadTypes.includes('com.apple.mdm'),
        // Apple's VPN payloads: com.apple.vpn.managed, plus .applayer (per-app) and .appmapping.
        vpn: payloadTypes.some(
          (t) => t === 'com.apple.vpn.managed' || t.startsWith('com.apple.vpn.managed.'),
        ),
        rootCertificate: payloadTypes.includes('com.apple.security.root'),
      },
      installedMs,
    },
    problems,
  };
}

function toOperation(raw: string | null): ProfileOperation {
  const v = raw?.toLowerCase();
  if (v === 'install') return 'install';
  if (v === 'remove') return 'remove';
  return 'other';
}

// mvt lower-cases the event keys before reading them; stored files use lower case already.
function lowerKeys(dict: PlistDict): Record<string, PlistValue> {
  const out = Object.create(null) as Record<string, PlistValue>;
  for (const [k, v] of Object.entries(dict)) out[k.toLowerCase()] = v;
  return out;
}

function describeShape(v: PlistValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Date)
    return `the date ${Number.isNaN(v.getTime()) ? 'Invalid' : v.toISOString()}`;
  if (v instanceof Uint8Array) return `${v.length} bytes of data`;
  if (isPlistDict(v))
    return `a dict with keys ${Object.keys(v).slice(0, 5).join(', ') || '(none)'}`;
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

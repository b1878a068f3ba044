import { describe, expect, it } from 'vitest';
import {
  parsePlist,
  writeBinaryPlist,
  writeXmlPlist,
  type PlistValue,
} from '../../../formats/plist';
import { profilesManifest, readProfile, readProfileEvents } from './profiles';

/** Round-trips through the real writers and parser, as a backup file would be read. */
const viaBinary = (v: PlistValue): PlistValue => parsePlist(writeBinaryPlist(v));
const viaXml = (v: PlistValue): PlistValue =>
  parsePlist(new TextEncoder().encode(writeXmlPlist(v)));

const INSTALLED = new Date(Date.UTC(2023, 4, 2, 9, 30, 0));
const REMOVED = new Date(Date.UTC(2023, 4, 9, 18, 0, 5));

describe('readProfileEvents', () => {
  it('reads the ProfileEvents array of {profile id: {timestamp, operation, process}}', () => {
    const plist = viaBinary({
      ProfileEvents: [
        {
          'com.example.mdm.enroll': {
            timestamp: INSTALLED,
            operation: 'install',
            process: 'profiled',
          },
        },
        { 'com.example.vpn': { timestamp: REMOVED, operation: 'remove', process: 'Preferences' } },
        { 'com.example.other': { Timestamp: INSTALLED, Operation: 'update', Process: 'MDM' } },
      ],
    });
    const { events, problems } = readProfileEvents(plist);
    expect(problems).toEqual([]);
    expect(events).toEqual([
      {
        identifier: 'com.example.mdm.enroll',
        operation: 'install',
        operationRaw: 'install',
        process: 'profiled',
        timestampMs: INSTALLED.getTime(),
        locator: 'ProfileEvents[0].com.example.mdm.enroll',
      },
      {
        identifier: 'com.example.vpn',
        operation: 'remove',
        operationRaw: 'remove',
        process: 'Preferences',
        timestampMs: REMOVED.getTime(),
        locator: 'ProfileEvents[1].com.example.vpn',
      },
      {
        identifier: 'com.example.other',
        operation: 'other',
        operationRaw: 'update',
        process: 'MDM',
        timestampMs: INSTALLED.getTime(),
        locator: 'ProfileEvents[2].com.example.other',
      },
    ]);
  });

  it('reads XML plists the same way', () => {
    const plist = viaXml({
      ProfileEvents: [{ p: { timestamp: INSTALLED, operation: 'install', process: 'x' } }],
    });
    expect(readProfileEvents(plist).events).toMatchObject([
      { identifier: 'p', timestampMs: INSTALLED.getTime() },
    ]);
  });

  it('reports unknown shapes and malformed entries instead of guessing', () => {
    for (const shape of [[], { Events: [] }, 'text', { ProfileEvents: {} }] as PlistValue[]) {
      const r = readProfileEvents(viaBinary(shape));
      expect(r.events).toEqual([]);
      expect(r.problems).toEqual([expect.stringContaining('unknown shape')]);
    }
    const r = readProfileEvents(
      viaBinary({
        ProfileEvents: [
          'not a dict',
          {},
          { a: 5 },
          { b: { operation: 'install', timestamp: 'yesterday' } },
          { c: { timestamp: new Date(Date.UTC(1990, 0, 1)), process: 'p' } },
        ],
      }),
    );
    expect(r.events).toMatchObject([
      { identifier: 'b', operation: 'install', timestampMs: null, process: null },
      { identifier: 'c', operation: 'other', operationRaw: null, timestampMs: null },
    ]);
    expect(r.problems).toEqual([
      expect.stringMatching(/^ProfileEvents\[0\] is string/),
      expect.stringMatching(/^ProfileEvents\[1\] is a dict with keys \(none\)/),
      expect.stringMatching(/^ProfileEvents\[2\]\.a is number 5, not a dict/),
      expect.stringMatching(/^ProfileEvents\[3\]\.b: timestamp .*not a plausible date/),
      expect.stringMatching(/^ProfileEvents\[4\]\.c: timestamp .*1990.*not a plausible date/),
      'ProfileEvents[4].c: no operation string.',
    ]);
  });

  it('treats keys such as __proto__ as plain data', () => {
    const plist = parsePlist(
      new TextEncoder().encode(
        '<plist version="1.0"><dict><key>ProfileEvents</key><array><dict><key>__proto__</key><dict>' +
          '<key>operation</key><string>install</string></dict></dict></array></dict></plist>',
      ),
    );
    expect(readProfileEvents(plist).events).toMatchObject([
      { identifier: '__proto__', operation: 'install' },
    ]);
  });
});

describe('readProfile', () => {
  const base = {
    PayloadIdentifier: 'com.example.corp.profile',
    PayloadDisplayName: 'Corp Device Management',
    PayloadOrganization: 'Example Corp',
    PayloadType: 'Configuration',
    PayloadUUID: '6E2B7E2A-0D2B-4C55-9C21-5B0E0C6F1B11',
    PayloadVersion: 1,
  };

  it('reads identity, payload types, flags and InstallDate', () => {
    const plist = viaBinary({
      ...base,
      InstallDate: INSTALLED,
      PayloadContent: [
        {
          PayloadType: 'com.apple.mdm',
          PayloadIdentifier: 'a',
          ServerURL: 'https://mdm.example.com/mdm',
        },
        { PayloadType: 'com.apple.vpn.managed', PayloadIdentifier: 'b' },
        {
          PayloadType: 'com.apple.security.root',
          PayloadIdentifier: 'c',
          PayloadContent: new Uint8Array([0x30]),
        },
        { PayloadType: 'com.apple.wifi.managed', PayloadIdentifier: 'd' },
      ],
    });
    expect(readProfile(plist)).toEqual({
      profile: {
        identifier: 'com.example.corp.profile',
        displayName: 'Corp Device Management',
        organization: 'Example Corp',
        type: 'Configuration',
        uuid: '6E2B7E2A-0D2B-4C55-9C21-5B0E0C6F1B11',
        payloadTypes: [
          'com.apple.mdm',
          'com.apple.vpn.managed',
          'com.apple.security.root',
          'com.apple.wifi.managed',
        ],
        flags: { mdm: true, vpn: true, rootCertificate: true },
        installedMs: INSTALLED.getTime(),
      },
      problems: [],
    });
  });

  it('flags per-app VPN, and leaves flags off for ordinary payloads', () => {
    const vpn = readProfile(
      viaXml({ ...base, PayloadContent: [{ PayloadType: 'com.apple.vpn.managed.applayer' }] }),
    );
    expect(vpn.profile?.flags).toEqual({ mdm: false, vpn: true, rootCertificate: false });
    const plain = readProfile(
      viaXml({
        ...base,
        PayloadContent: [
          { PayloadType: 'com.apple.security.pem' },
          { PayloadType: 'com.apple.vpnx' },
        ],
      }),
    );
    expect(plain.profile?.flags).toEqual({ mdm: false, vpn: false, rootCertificate: false });
    expect(plain.profile?.installedMs).toBeNull();
    expect(plain.problems).toEqual([]);
  });

  it('reports payload entries without a type and a non-array PayloadContent', () => {
    const r = readProfile(
      viaBinary({ ...base, PayloadContent: [{ PayloadIdentifier: 'x' }, 'junk'] }),
    );
    expect(r.profile?.payloadTypes).toEqual([]);
    expect(r.problems).toEqual([
      'PayloadContent[0] has no PayloadType.',
      'PayloadContent[1] has no PayloadType.',
    ]);
    const d = readProfile(
      viaBinary({ ...base, PayloadContent: { EnrollmentIdentityPersistentID: new Uint8Array(2) } }),
    );
    expect(d.profile).toMatchObject({ identifier: base.PayloadIdentifier, payloadTypes: [] });
    expect(d.problems).toEqual([expect.stringContaining('PayloadContent is a dict')]);
  });

  it('reads a bad InstallDate as null with a problem', () => {
    const r = readProfile(viaBinary({ ...base, PayloadContent: [], InstallDate: 'today' }));
    expect(r.profile?.installedMs).toBeNull();
    expect(r.problems).toEqual([expect.stringContaining('InstallDate')]);
  });

  it('yields no profile for a plist that is not one', () => {
    expect(readProfile(viaBinary(['a']))).toEqual({
      profile: null,
      problems: [expect.stringContaining('not a dict')],
    });
    expect(readProfile(viaBinary({ count: 42, foo: 'bar' }))).toEqual({
      profile: null,
      problems: [expect.stringContaining('not a configuration profile')],
    });
    const noId = readProfile(viaBinary({ PayloadUUID: 'U', PayloadContent: [] }));
    expect(noId.profile).toMatchObject({ identifier: null, uuid: 'U' });
    expect(noId.problems).toEqual(['The profile has no PayloadIdentifier.']);
  });

  it('declares what it proves and does not', () => {
    expect(profilesManifest.proves.join(' ')).toMatch(/installed/);
    expect(profilesManifest.doesNotProve.join(' ')).toMatch(/Who installed it/);
    expect(profilesManifest.doesNotProve.join(' ')).toMatch(/malicious/);
  });
});

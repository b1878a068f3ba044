import { describe, expect, it } from 'vitest';
import type { ProfileItem } from '../../../contract/api';
import {
  operationLabel,
  orderProfiles,
  profileBadges,
  profileNames,
  profilesByDevice,
} from './profile-table';

const p = (over: Partial<ProfileItem>): ProfileItem => ({
  id: 'm:1',
  deviceId: 1,
  device: 'Phone',
  identifier: 'com.acme.mdm.enrollment',
  displayName: 'Acme Device Management',
  organization: 'Acme Corp',
  operation: 'installed',
  process: null,
  payloadTypes: [],
  mdm: false,
  vpn: false,
  rootCertificate: false,
  timeMs: null,
  offsetMin: null,
  sourceId: 1,
  locator: 'x',
  ...over,
});

describe('profile table', () => {
  it('puts installed profiles first, then events newest first, undated last', () => {
    const rows = [
      p({ id: 'm:1', operation: 'install', timeMs: 10 }),
      p({ id: 'm:2', operation: 'remove', timeMs: 30 }),
      p({ id: 'm:3', operation: 'installed', timeMs: 5 }),
      p({ id: 'm:4', operation: 'other', timeMs: null }),
    ];
    expect(orderProfiles(rows).map((r) => r.id)).toEqual(['m:3', 'm:2', 'm:1', 'm:4']);
  });

  it('badges MDM, VPN and root certificates', () => {
    expect(profileBadges(p({ mdm: true, rootCertificate: true })).map((b) => b.label)).toEqual([
      'MDM',
      'Root CA',
    ]);
    expect(profileBadges(p({ vpn: true })).map((b) => b.key)).toEqual(['vpn']);
    expect(profileBadges(p({}))).toEqual([]);
  });

  it('names events after the installed profile of the same identifier and device', () => {
    const names = profileNames([
      p({ id: 'm:1' }),
      p({ id: 'm:2', operation: 'install', displayName: null }),
      p({ id: 'm:3', operation: 'remove', displayName: null, deviceId: 2 }),
      p({ id: 'm:4', operation: 'remove', displayName: null, identifier: 'other' }),
    ]);
    expect([...names.values()]).toEqual([
      'Acme Device Management',
      'Acme Device Management',
      null,
      null,
    ]);
  });

  it('names operations and groups by device', () => {
    expect(operationLabel('remove')).toBe('Remove event');
    const g = profilesByDevice([
      p({ id: 'a', deviceId: 2 }),
      p({ id: 'b' }),
      p({ id: 'c', deviceId: 2 }),
    ]);
    expect(g.get(2)?.map((x) => x.id)).toEqual(['a', 'c']);
    expect(g.get(1)?.map((x) => x.id)).toEqual(['b']);
  });
});

import { describe, expect, it } from 'vitest';
import { hasIdentifiers, identityRows, osVersionLabel, platformLabel } from './device-identity';

const device = {
  identifiers: {
    udid: '00008110-000A1B2C3D4E5F60',
    serial: 'F2LXK0ABCD12',
    imei: null,
    phoneNumber: '+41 79 123 45 67',
  },
};

describe('device identity', () => {
  it('masks all but the last four letters and digits by default', () => {
    const rows = identityRows(device, false);
    expect(rows.map((r) => r.key)).toEqual(['udid', 'serial', 'imei', 'phoneNumber']);
    expect(rows[0]?.value).toBe('••••••••-••••••••••••5F60');
    expect(rows[1]?.value).toBe('••••••••CD12');
    expect(rows[2]?.value).toBeNull();
    expect(rows[3]?.value).toBe('+•• •• ••• 45 67');
    for (const r of rows) if (r.value) expect(r.value).not.toContain('0A1B2C');
  });

  it('shows the raw values when unmasked', () => {
    expect(identityRows(device, true).map((r) => r.value)).toEqual([
      '00008110-000A1B2C3D4E5F60',
      'F2LXK0ABCD12',
      null,
      '+41 79 123 45 67',
    ]);
  });

  it('tells whether a device has identifiers and names platforms', () => {
    expect(hasIdentifiers(device)).toBe(true);
    expect(
      hasIdentifiers({ identifiers: { udid: null, serial: null, imei: null, phoneNumber: null } }),
    ).toBe(false);
    expect(platformLabel('ios')).toBe('iOS');
    expect(platformLabel('android')).toBe('Android');
    expect(osVersionLabel('android')).toBe('Android version');
    expect(osVersionLabel('unknown')).toBe('OS version');
  });

  it('shows an Android phone without a UDID row and names its serial property', () => {
    const phone = {
      platform: 'android' as const,
      identifiers: { udid: null, serial: 'ABC123XYZ', imei: null, phoneNumber: null },
    };
    const rows = identityRows(phone, false);
    expect(rows.map((r) => r.key)).toEqual(['serial', 'imei', 'phoneNumber']);
    expect(rows[0]).toEqual({
      key: 'serial',
      label: 'Serial number (ro.serialno)',
      value: '•••••3XYZ',
    });
    expect(identityRows(phone, true)[0]?.value).toBe('ABC123XYZ');
  });
});

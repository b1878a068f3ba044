import type { Device } from '../../../contract/api';
import { maskIdentifier } from '../../../contract/mask';

export interface IdentityRow {
  key: 'udid' | 'serial' | 'imei' | 'phoneNumber';
  label: string;
  /** What to show: masked unless the examiner unmasked; null when the backup did not record it. */
  value: string | null;
}

const IDENTIFIERS: { key: IdentityRow['key']; label: string }[] = [
  { key: 'udid', label: 'UDID' },
  { key: 'serial', label: 'Serial number' },
  { key: 'imei', label: 'IMEI' },
  { key: 'phoneNumber', label: 'Phone number' },
];

/**
 * The device's identifiers as shown: masked (last four characters visible) unless unmasked.
 * An Android phone has no UDID: its row is left out, and the serial is `ro.serialno`.
 */
export function identityRows(
  device: Pick<Device, 'identifiers'> & Partial<Pick<Device, 'platform'>>,
  unmasked: boolean,
): IdentityRow[] {
  const android = device.platform === 'android';
  return IDENTIFIERS.filter(({ key }) => !(android && key === 'udid')).map(({ key, label }) => {
    const raw = device.identifiers[key];
    return {
      key,
      label: android && key === 'serial' ? 'Serial number (ro.serialno)' : label,
      value: unmasked ? raw : maskIdentifier(raw),
    };
  });
}

/** `iOS version` / `Android version` / `OS version`: the label of the device's OS release. */
export function osVersionLabel(platform: Device['platform']): string {
  return platform === 'unknown' ? 'OS version' : `${platformLabel(platform)} version`;
}

/** True when a device carries any identifier (a backup was imported for it). */
export function hasIdentifiers(device: Pick<Device, 'identifiers'>): boolean {
  return Object.values(device.identifiers).some((v) => v !== null);
}

/** `iOS` / `Android` / `unknown` for the platform. */
export function platformLabel(platform: Device['platform']): string {
  switch (platform) {
    case 'ios':
      return 'iOS';
    case 'android':
      return 'Android';
    case 'unknown':
      return 'unknown';
    default: {
      const never: never = platform;
      return never;
    }
  }
}

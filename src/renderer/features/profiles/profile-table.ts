import type { ProfileItem } from '../../../contract/api';
import { sortBy } from '../../shared/sort';

/** What a profile row records. */
export function operationLabel(op: ProfileItem['operation']): string {
  switch (op) {
    case 'installed':
      return 'Installed at backup time';
    case 'install':
      return 'Install event';
    case 'remove':
      return 'Remove event';
    case 'other':
      return 'Other event';
    default: {
      const never: never = op;
      return never;
    }
  }
}

export interface ProfileBadge {
  key: 'mdm' | 'vpn' | 'rootCertificate';
  label: string;
  title: string;
}

/** The badges of a profile: what its payloads let the installer do. */
export function profileBadges(
  p: Pick<ProfileItem, 'mdm' | 'vpn' | 'rootCertificate'>,
): ProfileBadge[] {
  const out: ProfileBadge[] = [];
  if (p.mdm)
    out.push({
      key: 'mdm',
      label: 'MDM',
      title: 'Mobile device management: a server can query and configure the phone remotely.',
    });
  if (p.vpn)
    out.push({
      key: 'vpn',
      label: 'VPN',
      title: 'A VPN configuration: traffic can be routed through a server the profile names.',
    });
  if (p.rootCertificate)
    out.push({
      key: 'rootCertificate',
      label: 'Root CA',
      title: 'A root certificate: if trusted, encrypted connections can be intercepted.',
    });
  return out;
}

/** Profiles installed at backup time first, then install and remove events, newest first. */
export function orderProfiles(items: readonly ProfileItem[]): ProfileItem[] {
  const byTime = sortBy(items, (p) => p.timeMs, 'desc');
  return sortBy(byTime, (p) => (p.operation === 'installed' ? 0 : 1), 'asc');
}

/**
 * The name to show for a profile row: its own display name, else the display name of the same
 * identifier on the same device (install and remove events carry only the identifier).
 */
export function profileNames(items: readonly ProfileItem[]): Map<string, string | null> {
  const known = new Map<string, string>();
  for (const p of items)
    if (p.displayName) known.set(`${p.deviceId}|${p.identifier}`, p.displayName);
  return new Map(
    items.map((p) => [p.id, p.displayName ?? known.get(`${p.deviceId}|${p.identifier}`) ?? null]),
  );
}

/** Groups profile rows by device id, keeping their order. */
export function profilesByDevice(items: readonly ProfileItem[]): Map<number, ProfileItem[]> {
  const m = new Map<number, ProfileItem[]>();
  for (const p of items) {
    const list = m.get(p.deviceId);
    if (list) list.push(p);
    else m.set(p.deviceId, [p]);
  }
  return m;
}

import type { NetworkGroupItem, NetworkItem } from '../../../contract/api';
import { formatCount, plural } from '../../shared/format';

/** A group's key in the view: its device and app identifier. */
export function networkGroupKey(g: Pick<NetworkGroupItem, 'deviceId' | 'app'>): string {
  return JSON.stringify([g.deviceId, g.app]);
}

/**
 * The groups opened when the view is first drawn: in order, as long as their rows together fit in
 * one page, and at least the first, so a small case shows every row and a large one its first
 * group's first page.
 */
export function openAtFirst(groups: readonly NetworkGroupItem[], page: number): Set<string> {
  const open = new Set<string>();
  let rows = 0;
  for (const g of groups) {
    rows += g.rows;
    if (open.size > 0 && rows > page) break;
    open.add(networkGroupKey(g));
  }
  return open;
}

/** How many of a group's rows are drawn: "Showing 50 of 1,560 rows", or "All 7 rows". */
export function showingLabel(shown: number, total: number): string {
  if (shown >= total) return total === 1 ? 'The only row' : `All ${plural(total, 'row')}`;
  return `Showing ${formatCount(shown)} of ${plural(total, 'row')}`;
}

/** A group's counts in words: rows, distinct domains, and those Apple flagged when any. */
export function groupCounts(g: Pick<NetworkGroupItem, 'rows' | 'domains' | 'profiling'>): string {
  const parts = [plural(g.rows, 'row'), plural(g.domains, 'domain')];
  if (g.profiling > 0) parts.push(`${formatCount(g.profiling)} flagged by Apple`);
  return parts.join(' · ');
}

/** How many devices the groups are of. */
export function devicesOf(groups: readonly Pick<NetworkGroupItem, 'deviceId'>[]): number {
  return new Set(groups.map((g) => g.deviceId)).size;
}

/**
 * What the groups hold in one line: "2 apps · 123 rows.", or with several devices "30 apps on 8
 * devices (120 groups of an app on a device) · 187,200 rows."
 */
export function networkSummary(
  groups: readonly Pick<NetworkGroupItem, 'deviceId' | 'app'>[],
  rows: number,
): string {
  const apps = plural(new Set(groups.map((g) => g.app)).size, 'app');
  const devices = devicesOf(groups);
  if (devices <= 1) return `${apps} · ${plural(rows, 'row')}.`;
  return `${apps} on ${formatCount(devices)} devices (${plural(groups.length, 'group')} of an app on a device) · ${plural(rows, 'row')}.`;
}

/** Who started the connection, in words. */
export function initiatedLabel(type: string | null): string {
  if (type === null || type === '') return '—';
  const t = type.toLowerCase();
  if (t.includes('nonapp') || t === 'user') return 'user (website/content)';
  if (t.includes('app')) return 'app';
  return type;
}

/** Apple's flag for the domain's classification. */
export function profilingLabel(item: Pick<NetworkItem, 'profiling' | 'domainType'>): string {
  if (item.domainType === null) return '—';
  return item.profiling ? 'yes' : 'no';
}

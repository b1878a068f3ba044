import type { NetworkItem } from '../../../contract/api';

export interface NetworkGroup {
  key: string;
  deviceId: number;
  device: string;
  app: string;
  appName: string | null;
  items: NetworkItem[];
  domains: number;
  profiling: number;
}

/** Groups network rows per device and app; apps with the most domains first, rows by hits. */
export function groupNetwork(items: readonly NetworkItem[]): NetworkGroup[] {
  const groups = new Map<string, NetworkGroup>();
  for (const item of items) {
    const key = `${item.deviceId}|${item.app}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        deviceId: item.deviceId,
        device: item.device,
        app: item.app,
        appName: item.appName,
        items: [],
        domains: 0,
        profiling: 0,
      };
      groups.set(key, g);
    }
    g.items.push(item);
  }
  for (const g of groups.values()) {
    g.items.sort(
      (a, b) =>
        (b.hits ?? -1) - (a.hits ?? -1) ||
        a.domain.localeCompare(b.domain) ||
        a.sourceId - b.sourceId,
    );
    g.domains = new Set(g.items.map((i) => i.domain)).size;
    g.profiling = new Set(g.items.filter((i) => i.profiling).map((i) => i.domain)).size;
  }
  return [...groups.values()].sort(
    (a, b) =>
      b.domains - a.domains ||
      (a.appName ?? a.app).localeCompare(b.appName ?? b.app) ||
      a.deviceId - b.deviceId,
  );
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

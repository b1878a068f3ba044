import type { AppItem } from '../../../contract/api';

export interface AppOption {
  identifier: string;
  name: string | null;
  sessions: number;
  devices: number;
}

/** Merges per-device app rows into one option per identifier, busiest first. */
export function mergeApps(items: readonly AppItem[]): AppOption[] {
  const byId = new Map<string, AppOption>();
  for (const item of items) {
    const prev = byId.get(item.identifier);
    if (prev) {
      prev.sessions += item.sessions;
      prev.devices += 1;
      prev.name ??= item.displayName;
    } else {
      byId.set(item.identifier, {
        identifier: item.identifier,
        name: item.displayName,
        sessions: item.sessions,
        devices: 1,
      });
    }
  }
  return [...byId.values()].sort(
    (a, b) => b.sessions - a.sessions || a.identifier.localeCompare(b.identifier),
  );
}

/** Options matching a search (identifier or name, case-insensitive); selected ones always first. */
export function visibleApps(
  options: readonly AppOption[],
  search: string,
  selected: readonly string[],
  limit: number,
): AppOption[] {
  const q = search.trim().toLowerCase();
  const chosen = new Set(selected);
  const matches = (o: AppOption): boolean =>
    q.length === 0 ||
    o.identifier.toLowerCase().includes(q) ||
    (o.name?.toLowerCase().includes(q) ?? false);
  const first = options.filter((o) => chosen.has(o.identifier));
  const known = new Set(first.map((o) => o.identifier));
  // Selected identifiers that no longer match a row (other device filter) stay visible so they can be cleared.
  const orphans: AppOption[] = selected
    .filter((id) => !known.has(id))
    .map((identifier) => ({ identifier, name: null, sessions: 0, devices: 0 }));
  const rest = options.filter((o) => !chosen.has(o.identifier) && matches(o)).slice(0, limit);
  return [...first, ...orphans, ...rest];
}

/** The display name of an identifier when known. */
export function appDisplayName(options: readonly AppOption[], identifier: string): string {
  return options.find((o) => o.identifier === identifier)?.name ?? identifier;
}

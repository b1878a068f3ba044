import type { AppItem, Device } from '../../../contract/api';
import type { AppPairing } from '../../../contract/records';

export interface PairingSuggestion {
  name: string;
  a: string;
  b: string;
}

/**
 * Counterparts worth offering: an iOS and an Android app with the same display name but
 * different identifiers, not paired yet. Only offered; the examiner decides.
 */
export function suggestPairings(
  apps: readonly AppItem[],
  devices: readonly Device[],
  pairings: readonly AppPairing[],
): PairingSuggestion[] {
  const platform = new Map(devices.map((d) => [d.id, d.platform]));
  const paired = new Set(pairings.flatMap((p) => [`${p.a}|${p.b}`, `${p.b}|${p.a}`]));
  const byName = new Map<string, { name: string; ios: Set<string>; android: Set<string> }>();
  for (const app of apps) {
    const name = app.displayName?.trim();
    const p = platform.get(app.deviceId);
    if (!name || (p !== 'ios' && p !== 'android')) continue;
    const key = name.toLocaleLowerCase();
    const entry = byName.get(key) ?? { name, ios: new Set(), android: new Set() };
    entry[p].add(app.identifier);
    byName.set(key, entry);
  }
  const out: PairingSuggestion[] = [];
  for (const e of byName.values()) {
    for (const i of e.ios)
      for (const a of e.android) {
        if (i === a || paired.has(`${i}|${a}`)) continue;
        out.push({ name: e.name, a: i, b: a });
      }
  }
  return out.sort((x, y) => x.name.localeCompare(y.name)).slice(0, 12);
}

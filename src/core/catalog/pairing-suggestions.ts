import type { Db } from '../db/open';
import { lookupApp } from './catalog';

/** An iOS app and an Android app of the case that look like the same app, not paired yet. */
export interface PairingSuggestion {
  /** The name to show for the pair. */
  name: string;
  /** The iOS identifier. */
  a: string;
  /** The Android identifier. */
  b: string;
  /** `catalog`: the built-in catalog lists both as one app; `same-name`: their names are equal. */
  reason: 'catalog' | 'same-name';
}

interface Row {
  identifier: string;
  displayName: string | null;
  catalogId: string | null;
  platform: string;
}

/**
 * Counterparts worth offering for pairing: iOS and Android identifiers the catalog lists as one
 * app (`com.tencent.xin` and `com.tencent.mm`, both WeChat), then those with the same shown name.
 * Pairs already stored, and an identifier paired with itself, are left out. Only offered: the
 * examiner decides.
 */
export function suggestAppPairings(db: Db, limit = 50): PairingSuggestion[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT a.identifier, a.display_name AS displayName, a.catalog_id AS catalogId, d.platform
       FROM apps a JOIN devices d ON d.id = a.device_id WHERE d.platform IN ('ios', 'android')`,
    )
    .all() as Row[];
  const paired = new Set(
    (db.prepare('SELECT a, b FROM app_pairings').all() as { a: string; b: string }[]).flatMap(
      (p) => [`${p.a}|${p.b}`, `${p.b}|${p.a}`],
    ),
  );
  const out: PairingSuggestion[] = [];
  const seen = new Set<string>();
  const offer = (s: PairingSuggestion): void => {
    const k = `${s.a}|${s.b}`;
    if (s.a === s.b || paired.has(k) || seen.has(k)) return;
    seen.add(k);
    out.push(s);
  };
  const byKey = new Map<string, { name: string; ios: Set<string>; android: Set<string> }>();
  const byName = new Map<string, { name: string; ios: Set<string>; android: Set<string> }>();
  for (const r of rows) {
    const p = r.platform as 'ios' | 'android';
    // Only an exact catalog match pairs: an extension is not the app's counterpart.
    const m = r.catalogId ? lookupApp(r.identifier, p) : null;
    if (m && m.kind === 'exact') {
      const e = byKey.get(m.entry.app.key) ?? {
        name: m.entry.app.name,
        ios: new Set<string>(),
        android: new Set<string>(),
      };
      e[p].add(r.identifier);
      byKey.set(m.entry.app.key, e);
    }
    const name = r.displayName?.trim();
    if (name) {
      const key = name.toLocaleLowerCase();
      const e = byName.get(key) ?? { name, ios: new Set<string>(), android: new Set<string>() };
      e[p].add(r.identifier);
      byName.set(key, e);
    }
  }
  const emit = (
    groups: Map<string, { name: string; ios: Set<string>; android: Set<string> }>,
    reason: PairingSuggestion['reason'],
  ): void => {
    const list = [...groups.values()].sort((x, y) => x.name.localeCompare(y.name));
    for (const g of list)
      for (const i of [...g.ios].sort())
        for (const a of [...g.android].sort()) offer({ name: g.name, a: i, b: a, reason });
  };
  emit(byKey, 'catalog');
  emit(byName, 'same-name');
  return out.slice(0, limit);
}

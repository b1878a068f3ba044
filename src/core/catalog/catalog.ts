import { CATALOG_APPS, CATALOG_IDS } from './catalog-data';
import type { CatalogApp, CatalogEntry, CatalogMatch, CatalogPlatform } from './types';

/** Identifiers longer than this are never looked up (no real bundle id or package comes close). */
const MAX_ID_LENGTH = 512;

/** An Apple Team ID: ten uppercase letters or digits, written before the bundle id with a dot. */
const TEAM_ID = /^([A-Z0-9]{10})\.(.+)$/;

interface Index {
  byId: Map<string, CatalogEntry>;
  entries: CatalogEntry[];
}

let index: Index | null = null;

function build(): Index {
  const apps = new Map<string, CatalogApp>(CATALOG_APPS.map((a) => [a.key, a]));
  const byId = new Map<string, CatalogEntry>();
  const entries: CatalogEntry[] = [];
  for (const [id, platforms, key, confidence, sources] of CATALOG_IDS) {
    const app = apps.get(key);
    // The data-integrity test keeps these from happening; a broken row is skipped, never guessed.
    if (!app || byId.has(id.toLowerCase())) continue;
    const entry: CatalogEntry = { id, platforms, app, confidence, sources };
    byId.set(id.toLowerCase(), entry);
    entries.push(entry);
  }
  return { byId, entries };
}

function catalog(): Index {
  index ??= build();
  return index;
}

/** Every identifier of the catalog, in data order. */
export function catalogEntries(): readonly CatalogEntry[] {
  return catalog().entries;
}

/**
 * Resolves an identifier as a source wrote it to its catalog entry, or null. Matching ignores
 * case; an Apple Team-ID prefix (`ABCDE12345.com.example.app`) is removed when the whole
 * identifier is not itself in the catalog; an iOS app extension (`com.tencent.xin.share`)
 * resolves to its parent app when the catalog has the parent, marked `extension`. Android
 * packages have no extensions, so `platform: 'android'` matches exactly only.
 */
export function lookupApp(
  identifier: string,
  platform?: CatalogPlatform | null,
): CatalogMatch | null {
  if (typeof identifier !== 'string') return null;
  const raw = identifier.trim();
  if (raw === '' || raw.length > MAX_ID_LENGTH) return null;
  const { byId } = catalog();
  const exact = byId.get(raw.toLowerCase());
  if (exact) return { entry: exact, kind: 'exact', teamId: null, extension: null };
  const team = TEAM_ID.exec(raw);
  const bare = team ? team[2]! : raw;
  const teamId = team ? team[1]! : null;
  if (team) {
    const hit = byId.get(bare.toLowerCase());
    if (hit) return { entry: hit, kind: 'exact', teamId, extension: null };
  }
  if (platform === 'android') return null;
  const labels = bare.split('.');
  // The longest parent with at least two labels that the catalog has as an iOS identifier.
  for (let n = labels.length - 1; n >= 2; n -= 1) {
    const parent = byId.get(labels.slice(0, n).join('.').toLowerCase());
    if (parent && parent.platforms.includes('ios')) {
      const extension = labels.slice(n).join('.');
      if (extension === '') return null;
      return { entry: parent, kind: 'extension', teamId, extension };
    }
  }
  return null;
}

/** The name to show for a catalog match: the app's name, marked when it is an extension. */
export function catalogDisplayName(match: CatalogMatch): string {
  return match.kind === 'extension' ? `${match.entry.app.name} (extension)` : match.entry.app.name;
}

/** Every name a search may use for an app: English, native, aliases, lower-cased. */
export function catalogSearchNames(app: CatalogApp): string[] {
  const names = [app.name, app.nativeName, ...(app.aliases ?? [])].filter(
    (n): n is string => typeof n === 'string' && n.trim() !== '',
  );
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/**
 * Catalog identifiers of the same app on the other platform: `com.tencent.xin` ->
 * `com.tencent.mm`. Only apps with identifiers on both platforms are listed.
 */
export function crossPlatformCounterparts(): {
  app: CatalogApp;
  ios: string[];
  android: string[];
}[] {
  const byApp = new Map<string, { app: CatalogApp; ios: string[]; android: string[] }>();
  for (const e of catalog().entries) {
    const row = byApp.get(e.app.key) ?? { app: e.app, ios: [], android: [] };
    if (e.platforms.includes('ios')) row.ios.push(e.id);
    if (e.platforms.includes('android')) row.android.push(e.id);
    byApp.set(e.app.key, row);
  }
  return [...byApp.values()].filter((r) => r.ios.length > 0 && r.android.length > 0);
}

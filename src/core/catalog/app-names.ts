import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open';
import { catalogDisplayName, catalogSearchNames, lookupApp } from './catalog';
import type { CatalogPlatform } from './types';

/** Which candidate an app's shown name is. */
export type AppNameSource = 'backup' | 'user' | 'catalog';

/** An app's shown name and what a search matches, resolved from its candidates. */
export interface ResolvedAppName {
  displayName: string | null;
  source: AppNameSource | null;
  catalogId: string | null;
  /** Lower-cased names a search matches, `|`-joined with a `|` at each end; null when none. */
  searchNames: string | null;
}

/** A trimmed name, or null when there is none. */
export const clean = (s: string | null | undefined): string | null => {
  const t = typeof s === 'string' ? s.trim() : '';
  return t === '' ? null : t;
};

/**
 * Resolves an app's name: the device's own backup name first, then the examiner's, then the
 * built-in catalog's; null when none (views then show the identifier). The search names hold
 * every candidate and the catalog's native name and aliases, so "微信" finds WeChat.
 */
export function resolveAppName(
  identifier: string,
  platform: string | null,
  backupName: string | null,
  userName: string | null,
): ResolvedAppName {
  const p: CatalogPlatform | null = platform === 'ios' || platform === 'android' ? platform : null;
  const match = lookupApp(identifier, p);
  const catalogName = match ? catalogDisplayName(match) : null;
  const backup = clean(backupName);
  const user = clean(userName);
  const displayName = backup ?? user ?? catalogName;
  const source: AppNameSource | null = backup ? 'backup' : user ? 'user' : match ? 'catalog' : null;
  const names = new Set<string>();
  for (const n of [backup, user, catalogName]) if (n) names.add(n.toLowerCase());
  if (match) for (const n of catalogSearchNames(match.entry.app)) names.add(n);
  // `|` separates names, so one inside a name is dropped from its search form only.
  const parts = [...names].map((n) => n.replace(/\|/g, ' '));
  return {
    displayName,
    source,
    catalogId: match ? match.entry.id : null,
    searchNames: parts.length > 0 ? `|${parts.join('|')}|` : null,
  };
}

interface AppRow {
  id: number;
  identifier: string;
  platform: string | null;
  backup_name: string | null;
  user_name: string | null;
}

// The platform by a subquery, not a join: better-sqlite3 compiled a new row builder for every
// read of one app through the join (thousands of times in an import naming new apps).
const SELECT_ROWS = `SELECT a.id, a.identifier,
  (SELECT d.platform FROM devices d WHERE d.id = a.device_id) AS platform, a.backup_name, a.user_name
  FROM apps a`;

/**
 * The statements of a connection, prepared once: an import naming tens of thousands of new apps
 * one at a time would otherwise prepare (and hold natively until collected) two statements each.
 */
const statements = new WeakMap<Db, { update: Statement; one: Statement }>();

function statementsOf(db: Db): { update: Statement; one: Statement } {
  let s = statements.get(db);
  if (!s) {
    s = {
      update: db.prepare(
        'UPDATE apps SET display_name = ?, name_source = ?, catalog_id = ?, search_names = ? WHERE id = ?',
      ),
      one: db.prepare(`${SELECT_ROWS} WHERE a.id = ?`),
    };
    statements.set(db, s);
  }
  return s;
}

function writer(db: Db): (row: AppRow) => void {
  const { update } = statementsOf(db);
  return (row) => {
    const r = resolveAppName(row.identifier, row.platform, row.backup_name, row.user_name);
    update.run(r.displayName, r.source, r.catalogId, r.searchNames, row.id);
  };
}

/**
 * Resolves the shown name of every app of the case (or of the given app rows) again from its
 * stored candidates and the current catalog. Run inside the caller's transaction.
 */
export function refreshAppNames(db: Db, appIds?: readonly number[]): void {
  const write = writer(db);
  if (appIds === undefined) {
    // Read first: better-sqlite3 refuses writes while a statement of the connection iterates.
    for (const row of db.prepare(SELECT_ROWS).all() as AppRow[]) write(row);
    return;
  }
  const { one } = statementsOf(db);
  for (const id of appIds) {
    const row = one.get(id) as AppRow | undefined;
    if (row) write(row);
  }
}

/**
 * Stores what a device's backup says of an app (its name and version), creating the app row
 * if needed, and resolves its shown name: a backup's name wins over every other.
 */
export function recordBackupApp(
  db: Db,
  deviceId: number,
  identifier: string,
  name: string | null,
  version: string | null,
): void {
  db.prepare('INSERT OR IGNORE INTO apps (device_id, identifier) VALUES (?, ?)').run(
    deviceId,
    identifier,
  );
  db.prepare(
    `UPDATE apps SET backup_name = COALESCE(?, backup_name), version = COALESCE(?, version), inventory = 1
     WHERE device_id = ? AND identifier = ?`,
  ).run(clean(name), version, deviceId, identifier);
  const row = db
    .prepare('SELECT id FROM apps WHERE device_id = ? AND identifier = ?')
    .get(deviceId, identifier) as { id: number };
  refreshAppNames(db, [row.id]);
}

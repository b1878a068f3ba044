import { appNameMatchSql } from '../../catalog/app-search';

/** A value bound to a statement. */
export type SqlParam = string | number | null;

/**
 * The ids of the apps a filter's `apps` names: by identifier, shown name or any name a search
 * matches (catalog, native, aliases), ignoring case. Every query filtering on apps uses it.
 */
export function appIdsSql(apps: readonly string[]): { sql: string; params: SqlParam[] } {
  const marks = apps.map(() => '?').join(', ');
  const names = appNameMatchSql(apps.length);
  const lower = apps.map((a) => a.toLowerCase());
  return {
    sql: `SELECT id FROM apps WHERE lower(identifier) IN (${marks}) OR lower(display_name) IN (${marks}) OR ${names.sql}`,
    params: [...lower, ...lower, ...names.params(apps)],
  };
}

import type { Migration } from './types';

/**
 * Where each app's shown name comes from. `display_name` keeps the name every view shows,
 * now resolved as backup > examiner > catalog; the columns beside it keep each candidate:
 * `backup_name` (the device's own backup), `user_name` (named by the examiner, audited),
 * `catalog_id` (the built-in catalog entry the identifier matched), `name_source` (which one
 * `display_name` is), and `search_names` (every name a search matches, lower-cased, `|`-joined).
 * Names stored before this migration came only from backups, so they become backup names; every
 * app's shown name is then resolved by the current code once every migration has run.
 */
export const m0011AppNames: Migration = {
  version: 11,
  name: 'app-names',
  description: 'adding app names',
  up: `
ALTER TABLE apps ADD COLUMN backup_name TEXT;
ALTER TABLE apps ADD COLUMN user_name TEXT;
ALTER TABLE apps ADD COLUMN catalog_id TEXT;
ALTER TABLE apps ADD COLUMN name_source TEXT CHECK (name_source IN ('backup', 'user', 'catalog'));
ALTER TABLE apps ADD COLUMN search_names TEXT;
UPDATE apps SET backup_name = display_name WHERE display_name IS NOT NULL AND trim(display_name) <> '';
`,
  rebuilds: ['app-names'],
};

import type { Migration } from './types';

/**
 * An index of the open sessions (one edge missing) by app and category: the summary counts them
 * from it instead of reading every session. Open sessions are few, so the index is small.
 */
export const m0012OpenSessions: Migration = {
  version: 12,
  name: 'open-sessions',
  description: 'indexing open sessions',
  up: `CREATE INDEX access_sessions_open ON access_sessions(app_id, category) WHERE open = 1;`,
};

import type { Migration } from './types';

/**
 * Drops the index of migration 0020 (the sessions by device and interval key, with where each edge
 * was read). Stored findings keep their evidence's places since rules version 4, so only findings
 * computed afresh and a session's details still look sessions up by key, which the UNIQUE key's
 * own index answers with the row: at 306,000 evidence ids of a month of the 2.8M-session case,
 * 0.82 s of CPU against 0.67 s through this index (best of six each). The index held 8-10 % of a
 * case's bytes (93 of 911 bytes a session for an Android capture, 56 of 669 for an App Privacy
 * Report) and was built again by every large import.
 */
export const m0030DropSessionPlaces: Migration = {
  version: 30,
  name: 'drop-session-places',
  description: 'removing an index the evidence lookups no longer need',
  up: `DROP INDEX IF EXISTS access_sessions_places;`,
};

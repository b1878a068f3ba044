import type { Migration } from './types';

/**
 * Apps the examiner paired across devices (an iOS app and its Android counterpart, e.g.
 * `com.tencent.xin` and `com.tencent.mm`): comparisons treat each pair as one app.
 */
export const m0007AppPairings: Migration = {
  version: 7,
  name: 'app-pairings',
  description: 'adding app pairings',
  up: `
CREATE TABLE app_pairings (
  a TEXT NOT NULL,
  b TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (a, b),
  CHECK (a < b)
) STRICT;
`,
};

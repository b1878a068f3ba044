import type { Migration } from './types';

/**
 * The examiner's annotations: a star, tags and a note on a record or a finding, by its stable id.
 * Session targets keep their device and interval key, record targets their row id, so the filter
 * can select annotated rows through an index rather than by rebuilding ids. Tags are kept twice:
 * as a JSON array on the annotation (what is shown) and one row per tag (what is filtered on).
 */
export const m0006Annotations: Migration = {
  version: 6,
  name: 'annotations',
  description: 'adding annotations',
  up: `
CREATE TABLE annotations (
  target TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'permission', 'network-usage', 'profile', 'reject', 'usage', 'network', 'finding')),
  star INTEGER NOT NULL DEFAULT 0 CHECK (star IN (0, 1)),
  tags TEXT NOT NULL DEFAULT '[]',
  note TEXT,
  updated_at INTEGER NOT NULL,
  device_id INTEGER,
  interval_key TEXT,
  row_id INTEGER
) STRICT;
CREATE INDEX annotations_session ON annotations(device_id, interval_key) WHERE kind = 'access';
CREATE INDEX annotations_row ON annotations(kind, row_id);
CREATE INDEX annotations_star ON annotations(kind, star);

CREATE TABLE annotation_tags (
  tag TEXT NOT NULL,
  target TEXT NOT NULL REFERENCES annotations(target) ON DELETE CASCADE,
  PRIMARY KEY (tag, target)
) STRICT, WITHOUT ROWID;
CREATE INDEX annotation_tags_target ON annotation_tags(target);
`,
};

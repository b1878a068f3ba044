import type { Migration } from './types';

/**
 * The access lines of each source, kept once, compressed, in blocks of consecutive lines: a
 * session's edge whose raw-line column is NULL reads its line from the block of its source that
 * holds that line number. A block's body is raw DEFLATE (RFC 1951) of UTF-8 text with one entry
 * per line, `<line number>\t<line as read>\n`; blocks of a source cover ranges of line numbers
 * that do not overlap. Rows written before this version keep their raw lines in the columns.
 */
export const m0019SourceLines: Migration = {
  version: 19,
  name: 'source-lines',
  description: 'adding compressed source lines',
  up: `
CREATE TABLE source_line_blocks (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  first_line INTEGER NOT NULL,
  last_line INTEGER NOT NULL CHECK (last_line >= first_line),
  lines INTEGER NOT NULL,
  body BLOB NOT NULL,
  UNIQUE (source_id, first_line)
) STRICT;`,
};

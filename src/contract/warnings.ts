/**
 * Warning codes an import can record: a closed list. Each warning carries a locator
 * (line number for line-oriented sources) and a specific message.
 */
export const WARNING_CODES = [
  'BOM_STRIPPED',
  'CRLF_LINE_ENDINGS',
  'NUL_BYTES',
  'MALFORMED_LINE',
  'TRUNCATED_LINE',
  'LINE_TOO_LONG',
  'UNKNOWN_RECORD_TYPE',
  'INVALID_FIELD',
  'INVALID_TIMESTAMP',
  'EDGE_CONFLICT',
  'BETA_FORMAT',
  'BETA_UNPAIRABLE',
  /** A note on a backup as a whole: unfinished snapshot, unreadable part, unknown time zone. */
  'BACKUP_NOTE',
  /** A note on an Android capture: a section not found, a line not understood, a time zone derived. */
  'CAPTURE_NOTE',
] as const;

export type WarningCode = (typeof WARNING_CODES)[number];

export interface ImportWarning {
  /** 1-based line number, or null when the warning concerns the whole file. */
  line: number | null;
  /** Where in the source: `line 12`, `file`, ... */
  locator: string;
  code: WarningCode;
  message: string;
}

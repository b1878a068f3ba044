import type { SourceInfo } from '../../../contract/api';

/** Which count columns a device's source table needs. */
export interface SourceColumns {
  /** Access, network, sessions, duplicates, already stored: App Privacy Report counts. */
  report: boolean;
  /** Records read from backup artifacts. */
  records: boolean;
}

/**
 * Leaves out the columns that cannot hold anything for this device's sources: a device with only
 * backup artifacts has no report counts, and one with only reports has no backup records. An
 * Android capture holds both access records and other records, so it keeps both. A device with
 * no sources keeps the report columns, as before backups were read.
 */
export function sourceColumns(sources: readonly Pick<SourceInfo, 'counts'>[]): SourceColumns {
  const records = sources.some((s) => s.counts.records > 0);
  const report = !records || sources.some((s) => s.counts.records === 0 || s.counts.access > 0);
  return { report, records };
}

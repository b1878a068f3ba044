import { describe, expect, it } from 'vitest';
import { DEFAULT_ZIP_LIMITS } from '../formats/zip';
import { MAX_ENTRY_BYTES } from '../formats/zip/writer';
import { BUNDLE_ZIP_LIMITS } from './verify-bundle';

describe('the limits a bundle is verified under', () => {
  it('accept every file as large as the export writes (a study-scale events.csv is several GB)', () => {
    expect(MAX_ENTRY_BYTES).toBeGreaterThan(DEFAULT_ZIP_LIMITS.maxEntryBytes);
    expect(BUNDLE_ZIP_LIMITS.maxEntryBytes).toBeGreaterThanOrEqual(MAX_ENTRY_BYTES);
    // Two such files, and the report beside them.
    expect(BUNDLE_ZIP_LIMITS.maxTotalBytes).toBeGreaterThanOrEqual(3 * MAX_ENTRY_BYTES);
  });

  it('keep the bound on how far a file may declare beyond its compressed bytes', () => {
    expect(BUNDLE_ZIP_LIMITS.maxCompressionRatio).toBeUndefined();
    expect(BUNDLE_ZIP_LIMITS.ratioFloorBytes).toBeUndefined();
    expect(BUNDLE_ZIP_LIMITS.maxEntries).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { sourceColumns } from './source-columns';

const src = (records: number, access = 0) => ({
  counts: { lines: 1, access, network: 0, sessions: 0, openSessions: 0, records },
});

describe('source columns', () => {
  it('shows report columns only for report sources and records only for backup artifacts', () => {
    expect(sourceColumns([src(0, 5)])).toEqual({ report: true, records: false });
    expect(sourceColumns([src(4), src(2)])).toEqual({ report: false, records: true });
    expect(sourceColumns([src(4), src(0, 3)])).toEqual({ report: true, records: true });
    expect(sourceColumns([])).toEqual({ report: true, records: false });
    // An Android capture: access records and usage or permission records in one source.
    expect(sourceColumns([src(7, 2)])).toEqual({ report: true, records: true });
  });
});

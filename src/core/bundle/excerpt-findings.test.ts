import { describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import { detailedFindings, REPORT_FINDINGS_DETAILED } from '../report/pdf/findings';
import { excerptFindings } from './extras';

const finding = (id: string, severity: Finding['severity']): Finding => ({
  id,
  rule: 'night-access',
  severity,
  deviceId: 1,
  device: 'Phone',
  app: 'com.example',
  appName: null,
  category: 'photos',
  count: 1,
  first: null,
  last: null,
  title: id,
  caveat: '',
  evidence: [],
  details: {},
});

describe('the findings whose accesses the report draws', () => {
  // More high findings than the report details, and a key finding's own below them all.
  const many = Array.from({ length: REPORT_FINDINGS_DETAILED + 20 }, (_, i) =>
    finding(`f:a:${String(i).padStart(4, '0')}`, 'high'),
  );
  const lead = finding('f:z:lead', 'low');
  const other = finding('f:z:other', 'low');
  const all = [...many, lead, other];

  it("are those it details, then the key findings' own that rank below them", () => {
    expect(detailedFindings(all)).not.toContain(lead);
    const chosen = excerptFindings(all, [{ findingId: 'f:x', findingIds: ['f:z:lead'] }]);
    expect(chosen.slice(0, REPORT_FINDINGS_DETAILED)).toEqual(detailedFindings(all));
    expect(chosen.slice(REPORT_FINDINGS_DETAILED)).toEqual([lead]);
  });

  it('take a key finding by its own id when it names no findings, and each finding once', () => {
    const chosen = excerptFindings(all, [
      { findingId: 'f:z:other' },
      { findingId: 'f:z:other', findingIds: [] },
      { findingId: many[0]!.id, findingIds: [many[0]!.id, 'f:z:lead', 'f:z:lead'] },
    ]);
    expect(chosen.slice(REPORT_FINDINGS_DETAILED)).toEqual([lead, other]);
    expect(new Set(chosen).size).toBe(chosen.length);
  });
});

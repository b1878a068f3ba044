import { describe, expect, it } from 'vitest';
import type { NetworkItem } from '../../../contract/api';
import { groupNetwork, initiatedLabel, profilingLabel } from './network-group';

const row = (
  app: string,
  domain: string,
  hits: number | null,
  deviceId = 1,
  profiling = false,
  sourceId = 1,
): NetworkItem => ({
  id: `${app}-${domain}-${sourceId}`,
  deviceId,
  device: `Phone ${deviceId}`,
  sourceId,
  sourceName: 'report.ndjson',
  sourceSha256: 'ab',
  line: 1,
  app,
  appName: null,
  domain,
  domainOwner: null,
  domainType: profiling ? 1 : 2,
  profiling,
  initiatedType: 'AppInitiated',
  context: null,
  hits,
  firstMs: null,
  firstOffsetMin: null,
  lastMs: null,
  lastOffsetMin: null,
  contextVerificationType: null,
  domainClassification: null,
});

describe('groupNetwork', () => {
  it('groups per device and app and orders rows by hits', () => {
    const groups = groupNetwork([
      row('a', 'x.com', 1),
      row('a', 'y.com', 10, 1, true),
      row('b', 'z.com', 5),
      row('a', 'y.com', 3, 1, true, 2),
      row('a', 'q.com', 2, 2),
    ]);
    expect(groups.map((g) => g.key)).toEqual(['1|a', '2|a', '1|b']);
    expect(groups[0]?.items.map((i) => i.hits)).toEqual([10, 3, 1]);
    expect(groups[0]?.domains).toBe(2);
    expect(groups[0]?.profiling).toBe(1);
  });
});

describe('labels', () => {
  it('words initiator and profiling', () => {
    expect(initiatedLabel('AppInitiated')).toBe('app');
    expect(initiatedLabel('NonAppInitiated')).toBe('user (website/content)');
    expect(initiatedLabel(null)).toBe('—');
    expect(profilingLabel({ profiling: true, domainType: 1 })).toBe('yes');
    expect(profilingLabel({ profiling: false, domainType: 2 })).toBe('no');
    expect(profilingLabel({ profiling: false, domainType: null })).toBe('—');
  });
});

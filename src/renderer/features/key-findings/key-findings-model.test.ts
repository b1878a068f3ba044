import { describe, expect, it } from 'vitest';
import type { DeviceKeyFindings } from '../../../contract/key-findings';
import { findingCount, hasAnyFinding, placeOfOther, severityWord } from './key-findings-model';

const device = (over: Partial<DeviceKeyFindings>): DeviceKeyFindings => ({
  deviceId: 1,
  device: 'Phone',
  observedDays: 7,
  key: [],
  others: [],
  intervalClusters: [],
  ...over,
});

describe('key findings model', () => {
  it('knows a case without any finding, whatever its clusters', () => {
    expect(hasAnyFinding([])).toBe(false);
    expect(
      hasAnyFinding([
        device({
          intervalClusters: [{ category: 'photos', seconds: 45, apps: 3, share: 1, note: '' }],
        }),
      ]),
    ).toBe(false);
    expect(
      hasAnyFinding([
        device({}),
        device({ others: [{ app: 'x', appName: null, severity: 'low', findings: [] }] }),
      ]),
    ).toBe(true);
  });

  it('places another finding on its device and app, with its hours window', () => {
    const place = placeOfOther(3, 'com.x', {
      id: 'f:night-access:3:com.x:photos',
      rule: 'night-access',
      severity: 'low',
      category: 'photos',
      title: 't',
      why: null,
      first: null,
      last: null,
      window: { from: '22:00', to: '06:00' },
    });
    expect(place).toEqual({
      deviceId: 3,
      app: 'com.x',
      category: 'photos',
      window: { from: '22:00', to: '06:00' },
      first: null,
      last: null,
    });
    expect([severityWord('high'), findingCount(1), findingCount(3)]).toEqual([
      'High',
      '1 finding',
      '3 findings',
    ]);
  });
});

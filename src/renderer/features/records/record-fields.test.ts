import { describe, expect, it } from 'vitest';
import {
  describeFields,
  formatByteField,
  formatRaw,
  formatValue,
  kindLabel,
  recordTitle,
  timeLabel,
} from './record-fields';

const grantMs = Date.UTC(2024, 4, 10, 22, 15);

describe('record fields', () => {
  it('formats values of every kind', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue('')).toBe('(empty)');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(['a', 'b'])).toBe('a, b');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatRaw({ a: 1 })).toEqual({ text: '{\n  "a": 1\n}', block: true });
    expect(formatRaw(2)).toEqual({ text: '2', block: false });
    expect(formatRaw(null)).toEqual({ text: 'null', block: false });
  });

  it('shows bytes readable and exact', () => {
    expect(formatByteField(52_428_800)).toBe('50.0 MB (52,428,800 bytes)');
    expect(formatByteField(1)).toBe('1 B (1 byte)');
    expect(formatByteField(null)).toBe('—');
  });

  it('labels a permission and shows its time in both zones', () => {
    const rows = describeFields('permission', {
      id: 'p:1',
      deviceId: 1,
      device: "Ana's iPhone",
      app: 'com.tencent.xin',
      origin: 'tcc',
      category: 'photos',
      status: 'granted',
      timeMs: grantMs,
      offsetMin: 120,
      sourceId: 3,
      locator: 'access rowid 1',
    });
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect(byKey.has('deviceId')).toBe(false);
    expect(byKey.has('locator')).toBe(false);
    expect(byKey.get('category')?.value).toBe('Photos');
    expect(byKey.get('timeMs')).toMatchObject({
      label: 'Last changed (device-local)',
      value: '2024-05-11T00:15:00.000+02:00',
    });
    expect(byKey.get('timeMs:utc')?.value).toBe('2024-05-10T22:15:00.000Z');
    expect(byKey.get('offsetMin')?.value).toBe('UTC+02:00');
    expect(byKey.get('app')?.style).toBe('mono');
    expect(byKey.get('status')?.value).toBe('Granted');
    expect(byKey.get('origin')?.value).toBe('TCC.db (tcc)');
    // Who and what first, then the state, then when, then where and the record id.
    expect(rows.map((r) => r.key)).toEqual([
      'app',
      'category',
      'status',
      'timeMs',
      'timeMs:utc',
      'offsetMin',
      'origin',
      'device',
      'id',
    ]);
  });

  it('says "unknown" for an undated record and names location times', () => {
    const rows = describeFields('permission', { origin: 'location-clients', timeMs: null });
    expect(rows).toEqual([
      {
        key: 'timeMs',
        label: 'Location last used (device-local)',
        value: 'unknown',
        style: 'instant',
      },
      {
        key: 'origin',
        label: 'Origin',
        value: 'locationd clients (location-clients)',
        style: 'text',
      },
    ]);
    expect(describeFields('permission', { origin: 'android-package' })[0]?.value).toBe(
      'dumpsys package (android-package)',
    );
    expect(timeLabel('profile', { operation: 'installed' })).toBe('Installed');
    expect(timeLabel('profile', { operation: 'remove' })).toBe('Event time');
  });

  it('formats usage counters and titles records', () => {
    const rows = describeFields('network-usage', {
      extraField: 1,
      origin: 'addaily',
      cellOut: null,
      wifiIn: 2048,
    });
    expect(rows.map((r) => r.key)).toEqual(['wifiIn', 'cellOut', 'origin', 'extraField']);
    expect(rows.map((r) => r.value)).toEqual([
      '2.0 KB (2,048 bytes)',
      '—',
      'addaily baseline',
      '1',
    ]);
    expect(
      recordTitle({ kind: 'permission', fields: { app: 'x', appName: 'WeChat', label: 'Camera' } }),
    ).toBe('WeChat · Camera');
    expect(
      recordTitle({ kind: 'network-usage', fields: { app: null, process: 'mDNSResponder' } }),
    ).toBe('mDNSResponder');
    expect(recordTitle({ kind: 'profile', fields: {} })).toBe('Configuration profile');
    expect(kindLabel('network-usage')).toBe('Network usage');
  });
});

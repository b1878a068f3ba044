import { describe, expect, it } from 'vitest';
import type { PermissionItem } from '../../../contract/api';
import {
  countStatuses,
  filterPermissions,
  originLabel,
  permissionDefaultDir,
  permissionValue,
  sortPermissions,
} from './permission-table';

const item = (over: Partial<PermissionItem>): PermissionItem => ({
  id: 'p:1',
  deviceId: 1,
  device: 'Phone',
  app: 'com.example.app',
  appName: null,
  origin: 'tcc',
  raw: 'kTCCServiceCamera',
  label: 'Camera',
  category: 'camera',
  status: 'granted',
  reason: null,
  timeMs: null,
  offsetMin: null,
  sourceId: 1,
  locator: 'access rowid 1',
  ...over,
});

const rows = [
  item({ id: 'p:1', appName: 'WeChat', label: 'Photos', category: 'photos', timeMs: 30 }),
  item({ id: 'p:2', appName: 'WeChat', status: 'denied', timeMs: 10 }),
  item({ id: 'p:3', app: 'com.b', status: 'limited', label: 'Photos', category: 'photos' }),
  item({
    id: 'p:4',
    app: 'com.a',
    status: 'unknown',
    label: 'Bluetooth',
    raw: 'kTCCServiceBluetoothAlways',
    category: 'other',
    timeMs: 20,
  }),
];
const ids = (xs: PermissionItem[]) => xs.map((x) => x.id);

describe('permission table', () => {
  it('sorts by status meaning, not by the word', () => {
    expect(ids(sortPermissions(rows, 'status', 'asc'))).toEqual(['p:1', 'p:3', 'p:2', 'p:4']);
    expect(ids(sortPermissions(rows, 'status', 'desc'))).toEqual(['p:4', 'p:2', 'p:3', 'p:1']);
  });

  it('sorts by last change with undated rows last in both directions', () => {
    expect(ids(sortPermissions(rows, 'changed', 'desc'))).toEqual(['p:1', 'p:4', 'p:2', 'p:3']);
    expect(ids(sortPermissions(rows, 'changed', 'asc'))).toEqual(['p:2', 'p:4', 'p:1', 'p:3']);
  });

  it('sorts apps by display name, falling back to the identifier', () => {
    expect(ids(sortPermissions(rows, 'app', 'asc'))).toEqual(['p:4', 'p:3', 'p:1', 'p:2']);
    expect(permissionValue(rows[2]!, 'app')).toBe('com.b');
    expect(permissionValue(rows[0]!, 'category')).toBe('Photos');
  });

  it('keeps granted and limited rows for "granted only"', () => {
    expect(ids(filterPermissions(rows, { grantedOnly: true, sensitiveOnly: false }))).toEqual([
      'p:1',
      'p:3',
    ]);
  });

  it('drops non-sensitive categories for "sensitive only"', () => {
    expect(ids(filterPermissions(rows, { grantedOnly: false, sensitiveOnly: true }))).toEqual([
      'p:1',
      'p:2',
      'p:3',
    ]);
    expect(filterPermissions(rows, { grantedOnly: false, sensitiveOnly: false })).toHaveLength(4);
  });

  it('counts statuses and names origins', () => {
    expect(countStatuses(rows)).toEqual({ granted: 1, denied: 1, limited: 1, unknown: 1 });
    expect(originLabel('location-clients')).toBe('locationd clients');
    expect(originLabel('android-package')).toBe('dumpsys package');
    expect(permissionDefaultDir('changed')).toBe('desc');
    expect(permissionDefaultDir('app')).toBe('asc');
  });
});

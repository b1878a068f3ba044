import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../contract/filter';
import { loadFilter, saveFilter, filterStorageKey } from './filter-storage';
import {
  countActive,
  describeFilter,
  filterKey,
  filterToText,
  normalizeFilter,
  textToFilter,
  withoutField,
} from './filter-text';

const full: Filter = {
  devices: [2, 1],
  apps: ['com.example.cam', 'My App'],
  categories: ['location', 'camera'],
  from: '2024-05-01',
  to: '2024-05-03T12:00:00+02:00',
  hours: { from: '00:00', to: '06:00' },
  minSeconds: 30,
  states: ['unknown', 'background'],
};

describe('normalizeFilter', () => {
  it('drops empty fields and orders lists', () => {
    expect(normalizeFilter({ devices: [], apps: [], categories: [], minSeconds: 0 })).toEqual({});
    expect(normalizeFilter(full).devices).toEqual([1, 2]);
    expect(normalizeFilter(full).categories).toEqual(['camera', 'location']);
    expect(normalizeFilter(full).states).toEqual(['background', 'unknown']);
    expect(normalizeFilter({ states: ['background', 'background'] }).states).toEqual([
      'background',
    ]);
    expect(filterKey({ devices: [2, 1] })).toBe(filterKey({ devices: [1, 2], apps: [] }));
  });

  it('counts active fields (a date range counts once)', () => {
    expect(countActive({})).toBe(0);
    expect(countActive(full)).toBe(7);
    expect(countActive({ states: ['background'] })).toBe(1);
    expect(countActive({ states: [] })).toBe(0);
    expect(countActive({ to: '2024-01-01' })).toBe(1);
  });
});

describe('filter text', () => {
  it('round-trips every field, quoting names with spaces', () => {
    const text = filterToText(full);
    expect(text).toBe(
      'device:1,2 app:com.example.cam,"My App" category:camera,location from:2024-05-01 to:2024-05-03T12:00:00+02:00 hours:00:00-06:00 min:30 state:background,unknown',
    );
    const back = textToFilter(text);
    expect(back).toEqual({ ok: true, filter: normalizeFilter(full) });
  });

  it('parses loose input', () => {
    expect(textToFilter('  category:Camera   app:x ')).toEqual({
      ok: true,
      filter: { apps: ['x'], categories: ['camera'] },
    });
    expect(textToFilter('')).toEqual({ ok: true, filter: {} });
    expect(textToFilter('state:Background states:foreground')).toEqual({
      ok: true,
      filter: { states: ['foreground', 'background'] },
    });
  });

  it('reports errors', () => {
    expect(textToFilter('category:teleport').ok).toBe(false);
    expect(textToFilter('state:asleep')).toEqual({
      ok: false,
      message: 'state must be foreground, background or unknown',
    });
    expect(textToFilter('device:abc').ok).toBe(false);
    expect(textToFilter('from:yesterday').ok).toBe(false);
    expect(textToFilter('hours:night').ok).toBe(false);
    expect(textToFilter('colour:red').ok).toBe(false);
    expect(textToFilter('app:"open').ok).toBe(false);
    expect(textToFilter('justaword').ok).toBe(false);
  });

  it('describes active fields and removes one', () => {
    const chips = describeFilter(full, { device: (id) => `D${id}`, app: (a) => a.toUpperCase() });
    expect(chips.map((c) => c.label)).toEqual([
      'Device: D1, D2',
      'App: COM.EXAMPLE.CAM, MY APP',
      'Category: Camera, Location',
      'From 2024-05-01',
      'To 2024-05-03T12:00:00+02:00',
      'Hours 00:00–06:00',
      '≥ 30 s',
      'App state: Background, Unknown',
    ]);
    expect(withoutField(full, 'apps').apps).toBeUndefined();
    expect(withoutField(full, 'states').states).toBeUndefined();
  });
});

describe('filter storage', () => {
  const store = () => {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => {
        data.set(k, v);
      },
      removeItem: (k: string) => {
        data.delete(k);
      },
    };
  };

  it('saves per case and restores', () => {
    const s = store();
    saveFilter(s, '/cases/a.snoop', { categories: ['camera'] });
    expect(loadFilter(s, '/cases/a.snoop')).toEqual({ categories: ['camera'] });
    expect(loadFilter(s, '/cases/b.snoop')).toEqual({});
    saveFilter(s, '/cases/c.snoop', { states: ['background'] });
    expect(loadFilter(s, '/cases/c.snoop')).toEqual({ states: ['background'] });
    saveFilter(s, '/cases/a.snoop', {});
    saveFilter(s, '/cases/c.snoop', { states: [] });
    expect(s.data.size).toBe(0);
  });

  it('ignores corrupt entries', () => {
    const s = store();
    s.setItem(filterStorageKey('/x'), '{not json');
    expect(loadFilter(s, '/x')).toEqual({});
    s.setItem(filterStorageKey('/x'), '{"categories":["teleport"]}');
    expect(loadFilter(s, '/x')).toEqual({});
    expect(loadFilter(null, '/x')).toEqual({});
  });
});

describe('tags and star in the filter text', () => {
  it('round-trips tags and starred, counts and describes them', () => {
    const f = { tags: ['night', 'follow up'], starred: true };
    const text = filterToText(f);
    expect(text).toBe('tag:"follow up",night starred:yes');
    expect(textToFilter(text)).toEqual({
      ok: true,
      filter: { tags: ['follow up', 'night'], starred: true },
    });
    expect(countActive(f)).toBe(2);
    expect(describeFilter(f, { device: String, app: String }).map((c) => c.label)).toEqual([
      'Tagged: follow up, night',
      'Starred',
    ]);
    expect(textToFilter('starred:maybe')).toMatchObject({ ok: false });
  });
});

describe('device state in the filter text', () => {
  it('round-trips, orders, counts and describes the device states', () => {
    const f: Filter = { deviceStates: ['unknown', 'locked', 'locked'] };
    expect(normalizeFilter(f)).toEqual({ deviceStates: ['locked', 'unknown'] });
    expect(countActive(f)).toBe(1);
    const text = filterToText(f);
    expect(text).toBe('devicestate:locked,unknown');
    expect(textToFilter(text)).toEqual({
      ok: true,
      filter: { deviceStates: ['locked', 'unknown'] },
    });
    expect(textToFilter('devicestate:In-Use')).toEqual({
      ok: true,
      filter: { deviceStates: ['in-use'] },
    });
    expect(textToFilter('devicestate:asleep')).toEqual({
      ok: false,
      message: 'devicestate must be in-use, screen-off, locked or unknown',
    });
    const names = { device: String, app: String };
    expect(describeFilter(f, names)).toEqual([
      { field: 'deviceStates', label: 'Device state: Locked, Unknown' },
    ]);
    expect(withoutField(f, 'deviceStates')).toEqual({});
  });
});

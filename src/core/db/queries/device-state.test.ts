import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { deviceStateAt, deviceStateBands, deviceStatesAt } from './device-state';
import { addCoverage, addState, addStateSource } from './device-state-testing';

const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';
const BLANK = 'PLSpringBoardAgent_EventForward_SBBlank';
const SCREEN = 'PLScreenStateAgent_EventForward_ScreenState';

let c: TempCase;
let src: number;
beforeEach(() => {
  c = tempCase();
  src = addStateSource(c.session.db, c.deviceId);
});
afterEach(() => c.cleanup());

describe('deviceStateAt', () => {
  it('reports the screen from screen intervals inside their coverage', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'screen', 100, 400);
    addState(db, c.deviceId, src, 'screen', 'off', 100, 200, `${BLANK} rowid 1`);
    addState(db, c.deviceId, src, 'screen', 'on', 200, 400, `${BLANK} rowid 2`);
    expect(deviceStateAt(db, c.deviceId, 150)).toEqual({
      screen: 'off',
      locked: null,
      foregroundApp: null,
      basis: 'powerlog',
      sources: [{ sourceId: src, locator: `${BLANK} rowid 1` }],
    });
    expect(deviceStateAt(db, c.deviceId, 200).screen).toBe('on');
    expect(deviceStateAt(db, c.deviceId, 99).screen).toBeNull();
    expect(deviceStateAt(db, c.deviceId, 400).screen).toBeNull();
  });

  it('reports the lock as true/false from locked/unlocked', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'lock', 0, 1000);
    addState(db, c.deviceId, src, 'lock', 'locked', 0, 500, `${LOCK} rowid 3`);
    addState(db, c.deviceId, src, 'lock', 'unlocked', 500, 1000, `${LOCK} rowid 4`);
    expect(deviceStateAt(db, c.deviceId, 10).locked).toBe(true);
    expect(deviceStateAt(db, c.deviceId, 700).locked).toBe(false);
  });

  it('reports the app in front, system surfaces as named', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'foreground', 0, 1000);
    addState(
      db,
      c.deviceId,
      src,
      'foreground',
      'com.apple.lock-screen',
      0,
      300,
      `${SCREEN} rowid 1`,
    );
    addState(db, c.deviceId, src, 'foreground', 'com.example.cam', 300, 1000, `${SCREEN} rowid 2`);
    expect(deviceStateAt(db, c.deviceId, 100).foregroundApp).toBe('com.apple.lock-screen');
    expect(deviceStateAt(db, c.deviceId, 300).foregroundApp).toBe('com.example.cam');
  });

  it('says nothing outside coverage, even where an interval runs on', () => {
    const db = c.session.db;
    // An interval without an end holds only as far as its source covers.
    addCoverage(db, c.deviceId, src, 'lock', 0, 100);
    addState(db, c.deviceId, src, 'lock', 'locked', 0, null, `${LOCK} rowid 1`);
    expect(deviceStateAt(db, c.deviceId, 50).locked).toBe(true);
    expect(deviceStateAt(db, c.deviceId, 150)).toEqual({
      screen: null,
      locked: null,
      foregroundApp: null,
      basis: null,
      sources: [],
    });
  });

  it('never takes one source’s state inside another source’s coverage', () => {
    const db = c.session.db;
    const other = addStateSource(db, c.deviceId, 'other.PLSQL');
    addCoverage(db, c.deviceId, other, 'screen', 0, 1000);
    addState(db, c.deviceId, src, 'screen', 'off', 0, 1000, `${BLANK} rowid 1`);
    expect(deviceStateAt(db, c.deviceId, 500).screen).toBeNull();
  });

  it('names every basis the answer rests on', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'screen', 0, 100);
    addState(db, c.deviceId, src, 'screen', 'on', 0, 100, `${BLANK} rowid 1`);
    addCoverage(db, c.deviceId, src, 'lock', 0, 100, 'usagestats');
    addState(db, c.deviceId, src, 'lock', 'unlocked', 0, 100, 'line 9', 'usagestats');
    const s = deviceStateAt(db, c.deviceId, 50);
    expect(s.basis).toBe('powerlog+usagestats');
    expect(s.sources).toHaveLength(2);
  });

  it('keeps devices apart', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'screen', 0, 100);
    addState(db, c.deviceId, src, 'screen', 'on', 0, 100, `${BLANK} rowid 1`);
    const other = c.session.createDevice({ label: 'Phone B', platform: 'ios' });
    expect(deviceStateAt(db, other.id, 50).screen).toBeNull();
  });
});

describe('deviceStatesAt', () => {
  it('answers many instants in their given order in one pass', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'screen', 0, 300);
    addState(db, c.deviceId, src, 'screen', 'off', 0, 100, `${BLANK} rowid 1`);
    addState(db, c.deviceId, src, 'screen', 'on', 100, 300, `${BLANK} rowid 2`);
    expect(
      deviceStatesAt(db, c.deviceId, [250, 50, 999, Number.NaN, 50]).map((s) => s.screen),
    ).toEqual(['on', 'off', null, null, 'off']);
    expect(deviceStatesAt(db, c.deviceId, [])).toEqual([]);
  });
});

describe('deviceStateBands', () => {
  it('gives screen-off and locked stretches cut to the range and to their source’s coverage', () => {
    const db = c.session.db;
    addCoverage(db, c.deviceId, src, 'screen', 100, 500);
    addCoverage(db, c.deviceId, src, 'lock', 200, 300);
    addState(db, c.deviceId, src, 'screen', 'off', 100, 200, `${BLANK} rowid 1`);
    addState(db, c.deviceId, src, 'screen', 'on', 200, 300, `${BLANK} rowid 2`);
    addState(db, c.deviceId, src, 'screen', 'off', 300, null, `${BLANK} rowid 3`);
    // Runs past its coverage: drawn only up to 300.
    addState(db, c.deviceId, src, 'lock', 'locked', 150, 900, `${LOCK} rowid 1`);
    const [d] = deviceStateBands(db, [c.deviceId], 150, 1000);
    expect(d!.coverage).toEqual([
      { kind: 'screen', fromMs: 150, toMs: 500 },
      { kind: 'lock', fromMs: 200, toMs: 300 },
    ]);
    expect(d!.bands).toEqual([
      { kind: 'screen-off', fromMs: 150, toMs: 200, basis: 'powerlog' },
      { kind: 'screen-off', fromMs: 300, toMs: 500, basis: 'powerlog' },
      { kind: 'locked', fromMs: 200, toMs: 300, basis: 'powerlog' },
    ]);
  });

  it('gives nothing for a device without device-state records or an empty range', () => {
    expect(deviceStateBands(c.session.db, [c.deviceId], 0, 100)).toEqual([
      { deviceId: c.deviceId, coverage: [], bands: [] },
    ]);
    expect(deviceStateBands(c.session.db, [c.deviceId], 100, 100)[0]!.bands).toEqual([]);
  });
});

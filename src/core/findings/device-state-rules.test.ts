import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findingSchema, type Finding } from '../../contract/findings';
import { addCoverage, addState, addStateSource } from '../db/queries/device-state-testing';
import { importFile } from '../services/import-run';
import { deviceStateAt } from '../db/queries/device-state';
import { importAndroid } from '../services/android-import';
import { captureUsagestats, writeAndroidCapture } from '../testing/android-capture';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { runFindings } from './engine';

// The device-state rules over an App Privacy Report and device states written as a PowerLog
// import stores them. Times are UTC (offset 0); the PowerLog covers 00:00-06:00 of May 1.
const at = (h: number, m = 0): number => Date.UTC(2024, 4, 1, h, m);
const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';
const BLANK = 'PLSpringBoardAgent_EventForward_SBBlank';
const FRONT = 'PLScreenStateAgent_EventForward_ScreenState';

let t: TempCase;
let n = 0;

async function importApr(accesses: { app: string; category: string; ms: number }[]): Promise<void> {
  const lines = accesses
    .sort((a, b) => a.ms - b.ms)
    .flatMap((a) => accessPair({ ...a, id: `I${(n += 1)}`, durationMs: 5_000, offsetMin: 0 }));
  const o = await importFile({
    db: t.session.db,
    path: t.write('apr.ndjson', lines),
    deviceId: t.deviceId,
  });
  expect(o.status).toBe('imported');
}

/** A PowerLog: locked with the screen off 00:00-02:00, unlocked and on 02:00-04:00, locked and off 04:00-06:00. */
function writePowerLog(): number {
  const db = t.session.db;
  const src = addStateSource(db, t.deviceId, 'powerlog_2024-05-01_06-00_ABCD.PLSQL');
  for (const kind of ['screen', 'lock', 'foreground'] as const)
    addCoverage(db, t.deviceId, src, kind, at(0), at(6));
  addState(db, t.deviceId, src, 'screen', 'off', at(0), at(2), `${BLANK} rowid 11`);
  addState(db, t.deviceId, src, 'screen', 'on', at(2), at(4), `${BLANK} rowid 12`);
  addState(db, t.deviceId, src, 'screen', 'off', at(4), null, `${BLANK} rowid 13`);
  addState(db, t.deviceId, src, 'lock', 'locked', at(0), at(2), `${LOCK} rowid 21`);
  addState(db, t.deviceId, src, 'lock', 'unlocked', at(2), at(4), `${LOCK} rowid 22`);
  addState(db, t.deviceId, src, 'lock', 'locked', at(4), null, `${LOCK} rowid 23`);
  addState(
    db,
    t.deviceId,
    src,
    'foreground',
    'com.apple.lock-screen',
    at(0),
    at(2),
    `${FRONT} rowid 31`,
  );
  addState(
    db,
    t.deviceId,
    src,
    'foreground',
    'com.example.shop',
    at(2),
    at(3),
    `${FRONT} rowid 32`,
  );
  addState(
    db,
    t.deviceId,
    src,
    'foreground',
    'com.example.maps',
    at(3),
    at(4),
    `${FRONT} rowid 33`,
  );
  addState(
    db,
    t.deviceId,
    src,
    'foreground',
    'com.apple.lock-screen',
    at(4),
    null,
    `${FRONT} rowid 34`,
  );
  return src;
}

const only = (fs: Finding[], rule: string): Finding[] =>
  fs.filter((f) => f.rule === rule).map((f) => findingSchema.parse(f));

beforeEach(() => {
  t = tempCase();
  n = 0;
});
afterEach(() => t.cleanup());

describe('access-while-locked', () => {
  beforeEach(async () => {
    await importApr([
      // Inside the locked, screen-off stretches: 01:00 and 05:00.
      { app: 'com.example.shop', category: 'photos', ms: at(1) },
      { app: 'com.example.shop', category: 'photos', ms: at(5) },
      // In use (unlocked, screen on): never counted.
      { app: 'com.example.shop', category: 'photos', ms: at(2, 30) },
      // Before the PowerLog's coverage: unknown, never counted.
      { app: 'com.example.shop', category: 'photos', ms: at(0) - 3_600_000 },
      // WeChat's purpose does not need the photo library: one level above the rule's own.
      { app: 'com.tencent.xin', category: 'photos', ms: at(1, 30) },
    ]);
    writePowerLog();
  });

  it('counts accesses starting while locked with the screen off, and names the rows', () => {
    for (const path of ['scan', 'auto'] as const) {
      const fs = only(
        runFindings(t.session.db, {}, undefined, ['access-while-locked'], { path, stored: false }),
        'access-while-locked',
      );
      const shop = fs.find((f) => f.app === 'com.example.shop')!;
      expect(shop.count).toBe(2);
      expect(shop.evidence).toHaveLength(2);
      expect(shop.title).toBe(
        'com.example.shop read the photo library twice while the device was locked with its screen off (as recorded by PowerLog)',
      );
      // The first access (01:00): its screen and lock rows, and the file they are in.
      expect(shop.caveat).toContain(
        `${BLANK} rowid 11 of powerlog_2024-05-01_06-00_ABCD.PLSQL and ${LOCK} rowid 21 of powerlog_2024-05-01_06-00_ABCD.PLSQL`,
      );
      expect(shop.caveat).toContain("PowerLog's lock flag is SpringBoard's");
      expect(shop.caveat).not.toContain('KEYGUARD');
      expect(shop.caveat).toContain('change observer');
      expect(shop.details.stateBasis).toBe('powerlog');
      // An app the catalog does not know keeps the rule's own severity (2 sessions: medium).
      expect(shop.severity).toBe('medium');
      const wechat = fs.find((f) => f.app === 'com.tencent.xin')!;
      expect(wechat.count).toBe(1);
      expect(wechat.details.ruleSeverity).toBe('medium');
      expect(wechat.severity).toBe('high');
    }
  });

  it('finds nothing on a device without state records', () => {
    t.session.db.exec('DELETE FROM device_states; DELETE FROM device_state_coverage');
    expect(
      runFindings(t.session.db, {}, undefined, ['access-while-locked'], { stored: false }),
    ).toEqual([]);
    expect(
      runFindings(t.session.db, {}, undefined, ['access-while-locked'], { path: 'scan' }),
    ).toEqual([]);
  });

  it('follows the device-state filter', () => {
    const fs = runFindings(t.session.db, { deviceStates: ['in-use'] }, undefined, [
      'access-while-locked',
    ]);
    expect(fs).toEqual([]);
  });
});

describe('background-access from the app in front', () => {
  it('counts an iOS access while another app or the lock screen was in front, as reported by PowerLog', async () => {
    await importApr([
      // Lock screen in front (01:00) and Maps in front (03:30): not on screen.
      { app: 'com.example.shop', category: 'location', ms: at(1) },
      { app: 'com.example.shop', category: 'location', ms: at(3, 30) },
      // The app itself in front (02:30): not background.
      { app: 'com.example.shop', category: 'location', ms: at(2, 30) },
      // Its widget extension while the app is in front (02:40): one app, not background.
      { app: 'com.example.shop.widget', category: 'location', ms: at(2, 40) },
      // Outside coverage: unknown.
      { app: 'com.example.shop', category: 'location', ms: at(7) },
    ]);
    writePowerLog();
    for (const path of ['scan', 'auto'] as const) {
      const fs = only(
        runFindings(t.session.db, {}, undefined, ['background-access'], { path, stored: false }),
        'background-access',
      );
      // The widget is not named: its app was in front.
      expect(fs.map((x) => x.app)).toEqual(['com.example.shop']);
      const f = fs[0];
      expect(f!.count).toBe(2);
      expect(f!.title).toBe(
        'com.example.shop accessed the location twice in the background (the app was not on screen; another app or the lock screen was, as reported by PowerLog)',
      );
      expect(f!.details).toMatchObject({
        reported: 0,
        inferred: 0,
        notOnScreen: 2,
        notOnScreenBasis: 'powerlog',
      });
      expect(f!.details.ruleSeverity).toBe('medium');
    }
  });

  it('gives no iOS background finding without PowerLog', async () => {
    await importApr([{ app: 'com.example.shop', category: 'location', ms: at(1) }]);
    expect(
      runFindings(t.session.db, {}, undefined, ['background-access'], { stored: false }),
    ).toEqual([]);
  });
});

describe('Android usagestats as device state', () => {
  it('screen and keyguard events give access-while-locked, naming the usagestats lines', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap'));
    // Screen off 07:41:00 and keyguard shown 07:41:01; back at 07:42:00 / 07:42:05. The
    // capture's background photo read at 07:41:07 (+01:00) falls inside.
    writeFileSync(
      join(dir, 'usagestats.txt'),
      // In time order, as the dump lists them: a step back would end the states there.
      captureUsagestats()
        .replace(
          '    time="2025-06-18 07:41:04"',
          '    time="2025-06-18 07:41:00" type=SCREEN_NON_INTERACTIVE package=android flags=0x0\n' +
            '    time="2025-06-18 07:41:01" type=KEYGUARD_SHOWN package=android flags=0x0\n' +
            '    time="2025-06-18 07:41:04"',
        )
        .replace(
          '    time="2025-06-18 12:58:31"',
          '    time="2025-06-18 07:42:00" type=SCREEN_INTERACTIVE package=android flags=0x0\n' +
            '    time="2025-06-18 07:42:05" type=KEYGUARD_HIDDEN package=android flags=0x0\n' +
            '    time="2025-06-18 12:58:31"',
        ),
    );
    await importAndroid(t.session, dir, { label: 'Pixel' });
    const pixel = t.session.deviceByLabel('Pixel')!.id;
    const state = deviceStateAt(t.session.db, pixel, Date.parse('2025-06-18T07:41:30+01:00'));
    expect(state).toMatchObject({
      screen: 'off',
      locked: true,
      basis: 'usagestats',
      foregroundApp: 'com.example.launcher',
      sources: [
        { locator: 'usagestats.txt line 4' },
        { locator: 'usagestats.txt line 5' },
        { locator: 'usagestats.txt line 6' },
      ],
    });
    // Before the first usage event the state is unknown.
    expect(
      deviceStateAt(t.session.db, pixel, Date.parse('2025-06-18T07:00:00+01:00')).screen,
    ).toBeNull();
    for (const path of ['scan', 'auto'] as const) {
      const fs = only(
        runFindings(t.session.db, {}, undefined, ['access-while-locked'], { path, stored: false }),
        'access-while-locked',
      );
      expect(fs.map((f) => [f.app, f.category, f.count])).toEqual([
        ['com.example.social', 'photos', 1],
      ]);
      expect(fs[0]!.title).toMatch(/\(as recorded by Android usagestats\)$/);
      expect(fs[0]!.caveat).toContain(
        'usagestats.txt line 4 of usagestats.txt and usagestats.txt line 5 of usagestats.txt',
      );
      expect(fs[0]!.caveat).toContain('KEYGUARD_SHOWN says the keyguard was shown');
      expect(fs[0]!.caveat).not.toContain('PowerLog');
    }
  });
});

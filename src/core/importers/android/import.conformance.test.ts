import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessEvents } from '../../services/access-events';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { importAndroid } from '../../services/android-import';

// Real third-party data (MVT test artefacts, Android 10, Samsung), read in place and never
// copied (see shared/fixtures/README.md). Their getprop files do not record the time zone.
const dir = sharedFixtures('android');

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

describe.skipIf(dir === null)('conformance: importing the MVT Android captures', () => {
  it('asks for the time zone, then imports the dumpsys folder: appops, package and getprop', async () => {
    const folder = join(dir!, 'android_data');
    await expect(importAndroid(t.session, folder)).rejects.toMatchObject({
      code: 'TIMEZONE_REQUIRED',
    });
    const r = await importAndroid(t.session, folder, { timeZone: 'Europe/Berlin' });
    expect(r.added).toMatchObject({ access: 16, reject: 7, usage: 0 });
    expect(r.problems).toEqual([
      'Found appops, batterystats, package, getprop; not found: usagestats.',
    ]);
    const fb = [...accessEvents(t.session, { apps: ['com.facebook.katana'] })];
    expect(fb.find((e) => e.raw === 'READ_CONTACTS')).toMatchObject({
      start: '2022-03-07T18:05:34.325+01:00',
      state: 'background',
      stateSource: 'reported',
    });
    const wake = fb.find((e) => e.raw === 'WAKE_LOCK' && e.durationKnown);
    expect(wake?.durationSeconds).toBe(0.033);
  });

  it('reads the bugreport main text and the AndroidQF folder into the same accesses', async () => {
    const bug = await importAndroid(t.session, join(dir!, 'android_data', 'bugreport'), {
      timeZone: 'Europe/Berlin',
      label: 'Samsung',
    });
    expect(bug.added).toMatchObject({ access: 10, reject: 6 });
    const qf = await importAndroid(t.session, join(dir!, 'androidqf'), {
      timeZone: 'Europe/Berlin',
      label: 'Samsung',
    });
    // The AndroidQF dumpsys holds the same appops text: every access is already stored.
    const dumpsys = qf.outcomes.find((o) => o.path.endsWith('dumpsys.txt'))!;
    expect(dumpsys.alreadyStored).toBe(10);
    expect([...accessEvents(t.session, {})]).toHaveLength(10);
  });
});

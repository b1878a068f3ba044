import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import {
  accessEventSchema,
  opHistoryEventSchema,
  rejectEventSchema,
  usageEventSchema,
} from '../../../contract/records';
import { verifyAudit } from '../../db/audit';
import { accessEvents } from '../../services/access-events';
import { opHistoryEvents, rejectEvents, usageEvents } from '../../services/record-events';
import { CAPTURE_ZONE, writeAndroidCapture } from '../../testing/android-capture';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { appliedClock, importAndroid } from '../../services/android-import';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

describe('importing an Android capture', () => {
  it('binds the phone, stores accesses with their reported state, links proxies, and infers background', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap1'));
    const r = await importAndroid(t.session, dir, { label: 'Pixel' });
    expect(r.device).toMatchObject({
      label: 'Pixel',
      platform: 'android',
      model: 'Pixel 7',
      osVersion: '14',
      timeZone: CAPTURE_ZONE,
      identifiers: { serial: '2A281FDH300ABC' },
    });
    expect(r.outcomes.map((o) => o.status)).toEqual([
      'imported',
      'imported',
      'imported',
      'imported',
    ]);
    expect(r.added).toMatchObject({ access: 3, reject: 1, usage: 7 });

    const events = [...accessEvents(t.session, {})].map((e) => accessEventSchema.parse(e));
    expect(
      events.map((e) => [e.app, e.raw, e.start, e.state, e.stateSource, e.durationKnown]),
    ).toEqual([
      [
        'com.example.social',
        'READ_MEDIA_IMAGES',
        '2025-06-18T07:41:07.412+01:00',
        'background',
        'reported',
        false,
      ],
      [
        'com.android.providers.contacts',
        'READ_CONTACTS',
        '2025-06-18T12:05:36.918+01:00',
        'foreground',
        'reported',
        false,
      ],
      [
        'com.example.social',
        'READ_MEDIA_IMAGES',
        '2025-06-18T16:07:55.228+01:00',
        'foreground',
        'reported',
        true,
      ],
    ]);
    expect(events[0]).toMatchObject({ category: 'photos', durationSeconds: 0 });
    expect(events[1]?.proxy).toEqual({
      uid: 10187,
      packageName: 'com.google.android.gm',
      attributionTag: null,
    });
    expect(events[2]?.durationSeconds).toBe(2.005);

    // The proxy app's own line is linked to the blamed session, not counted as a session of its own.
    const summary = t.session.queries.summary({});
    expect(summary.map((s) => [s.app, s.category, s.sessions])).toEqual([
      ['com.android.providers.contacts', 'contacts', 1],
      ['com.example.social', 'photos', 2],
    ]);
    const details = t.session.queries.session(events[1]!.id);
    expect(details.android?.proxyLines.map((p) => p.app)).toEqual(['com.google.android.gm']);

    // The social app's background read lies in the usage window with no foreground activity of it.
    const bg = t.session.queries.session(events[0]!.id);
    expect(bg.android).toMatchObject({
      rawState: 'bg-s',
      inferredState: 'background',
      durationKnown: false,
    });
    expect(t.session.queries.session(events[2]!.id).android?.inferredState).toBe('foreground');

    const rejects = [...rejectEvents(t.session, {})].map((e) => rejectEventSchema.parse(e));
    expect(rejects.map((x) => [x.app, x.raw, x.category, x.state])).toEqual([
      ['com.example.social', 'READ_SMS', 'sms', 'background'],
    ]);
    const usage = [...usageEvents(t.session, {})].map((e) => usageEventSchema.parse(e));
    expect(usage.filter((u) => u.app === 'com.example.social').map((u) => u.type)).toEqual([
      'ACTIVITY_RESUMED',
      'ACTIVITY_PAUSED',
      'ACTIVITY_RESUMED',
      'ACTIVITY_PAUSED',
    ]);
    const perms = t.session.queries.records.permissions({});
    expect(perms.map((p) => [p.label, p.status, p.category])).toEqual(
      expect.arrayContaining([
        ['READ_MEDIA_IMAGES', 'granted', 'photos'],
        ['CAMERA', 'denied', 'camera'],
      ]),
    );
    expect(t.session.queries.summary({ states: ['background'] }).map((s) => s.sessions)).toEqual([
      1,
    ]);
    expect(verifyAudit(t.session.db).intact).toBe(true);
  });

  it('merges a later capture of the same phone without duplicating the accesses it repeats', async () => {
    await importAndroid(t.session, writeAndroidCapture(join(t.dir, 'cap1')));
    const later = await importAndroid(
      t.session,
      writeAndroidCapture(join(t.dir, 'cap2'), { relativeShiftMs: 15 * 60_000 }),
    );
    const appops = later.outcomes.find((o) => o.path.endsWith('appops.txt'))!;
    expect(appops).toMatchObject({ status: 'imported', alreadyStored: 3 });
    expect(later.outcomes.filter((o) => o.status === 'already-imported')).toHaveLength(3);
    expect(t.session.devices().filter((d) => d.platform === 'android')).toHaveLength(1);
    expect([...accessEvents(t.session, {})]).toHaveLength(3);
    const first = [...accessEvents(t.session, {})][0]!;
    expect(first.sources).toHaveLength(2);
    // Removing the first capture keeps the accesses the later one also holds.
    const firstAppops = t.session.sources().find((s) => s.fileName === 'appops.txt')!;
    t.session.removeSource(firstAppops.id);
    expect([...accessEvents(t.session, {})]).toHaveLength(3);
  });

  it('refuses a capture without a time zone unless the examiner gives one, and never guesses', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'nozone'), { zone: null });
    await expect(importAndroid(t.session, dir)).rejects.toMatchObject({
      code: 'TIMEZONE_REQUIRED',
    });
    expect(t.session.sources()).toEqual([]);
    const r = await importAndroid(t.session, dir, { timeZone: 'Europe/Lisbon' });
    expect(r.device.timeZone).toBe('Europe/Lisbon');
    // Each stored file names the zone its times were placed in, and that the examiner gave it.
    expect(r.outcomes.map((o) => o.timeZone)).toEqual(
      r.outcomes.map(() => ({ zone: 'Europe/Lisbon', offsets: [], source: 'examiner' })),
    );
  });

  it('names the phone’s own time zone on each file it stores, and none on a file already stored', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'own'));
    const r = await importAndroid(t.session, dir);
    expect(r.outcomes.length).toBeGreaterThan(0);
    for (const o of r.outcomes)
      expect(o.timeZone).toEqual({ zone: CAPTURE_ZONE, offsets: [], source: 'device' });
    const again = await importAndroid(t.session, dir);
    expect(again.outcomes.map((o) => [o.status, o.timeZone])).toEqual(
      again.outcomes.map(() => ['already-imported', undefined]),
    );
  });

  it('stores discrete accesses and the aggregated history buckets', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'hist'));
    writeFileSync(
      join(dir, 'appops.txt'),
      [
        'Current AppOps Service state:',
        '  History:  mode=HISTORICAL_MODE_ENABLED_ACTIVE',
        '',
        '    snapshot:',
        '      begin = 2025-06-18 18:15:00.000  (-26m0s0ms)',
        '      end = 2025-06-18 18:41:00.000  (0)',
        '',
        '      Uid u0a123:',
        '        Package com.example.camera:',
        '          Attribution null:',
        '            CAMERA:',
        '              [bg-s] = access=3, duration=+1m3s8ms',
        'Discrete accesses: ',
        '  Largest chain id: 7',
        '  Uid: 10123',
        '    Package: com.example.camera',
        '      CAMERA',
        '        Attribution: null',
        '          Access [top-s] at 2025-06-18 18:26:00.000 for 60000 milliseconds ',
        '',
      ].join('\n'),
    );
    const r = await importAndroid(t.session, dir);
    expect(r.added).toMatchObject({ access: 1, history: 1 });
    const hist = [...opHistoryEvents(t.session, {})].map((e) => opHistoryEventSchema.parse(e));
    expect(hist).toMatchObject([
      {
        app: 'com.example.camera',
        raw: 'CAMERA',
        category: 'camera',
        state: 'background',
        rawState: 'bg-s',
        begin: '2025-06-18T18:15:00.000+01:00',
        end: '2025-06-18T18:41:00.000+01:00',
        accessCount: 3,
        durationSeconds: 63.008,
      },
    ]);
    const discrete = [...accessEvents(t.session, {})];
    expect(discrete.map((e) => [e.app, e.start, e.durationSeconds, e.state])).toEqual([
      ['com.example.camera', '2025-06-18T18:26:00.000+01:00', 60, 'foreground'],
    ]);
  });
});

describe('appliedClock', () => {
  it('says where the zone or offset of a capture came from', () => {
    expect(appliedClock({ kind: 'zone', zone: 'Asia/Shanghai', source: 'capture' })).toEqual({
      zone: 'Asia/Shanghai',
      offsets: [],
      source: 'capture',
    });
    expect(
      appliedClock({ kind: 'zone', zone: 'Asia/Shanghai', source: 'persist.sys.timezone' }),
    ).toMatchObject({ source: 'device' });
    expect(
      appliedClock({ kind: 'offset', offsetMin: 480, source: 'derived from the capture time' }),
    ).toEqual({ zone: null, offsets: [480], source: 'derived' });
  });
});

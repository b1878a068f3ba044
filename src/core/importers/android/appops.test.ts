import { describe, expect, it } from 'vitest';
import {
  dumpTimeEstimates,
  parseAndroidDuration,
  parseAppOps,
  parseLocalTime,
  parseLocalTimeAt,
} from './appops';
import type { AppOpEvent } from './types';

// All dumps below are synthetic, written for these tests from the layouts in reference
// android-sources.md §1 (packages `com.example.*`, invented times). The Android 14 block reuses the
// reference's illustrative A14 excerpt (itself invented times and values).

const lines = (...rows: string[]) => rows.join('\n') + '\n';
const wall = (text: string) => Date.parse(text.replace(' ', 'T') + 'Z');
const eventsOf = (events: AppOpEvent[], pkg: string, op: string) =>
  events.filter((e) => e.packageName === pkg && e.op === op);

describe('parseAndroidDuration', () => {
  it.each([
    ['-22d4h22m19s762ms', -(22 * 86_400_000 + 4 * 3_600_000 + 22 * 60_000 + 19_000 + 762)],
    ['+3s254ms', 3254],
    ['+59ms', 59],
    ['+1m3s8ms', 63_008],
    ['-3s250ms', -3250],
    ['-2h22m52s52ms', -(2 * 3_600_000 + 22 * 60_000 + 52_000 + 52)],
    ['+30s0ms', 30_000],
    ['-25m', -1_500_000],
    ['+2d', 172_800_000],
    ['0', 0],
    [' +39s500ms ', 39_500],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseAndroidDuration(text)).toBe(ms);
  });

  it.each(['', '+', '-', 'ms', '5x', '1s2m', '1m1m', '1h+2m', '3s 4ms', '1.5s', '12s3'])(
    'refuses %j',
    (text) => {
      expect(parseAndroidDuration(text)).toBeNull();
    },
  );
});

describe('parseLocalTime', () => {
  it('reads wall-clock fields as if they were UTC and keeps the text', () => {
    expect(parseLocalTime('2022-03-07 18:05:34.325')).toEqual({
      text: '2022-03-07 18:05:34.325',
      wallMs: Date.UTC(2022, 2, 7, 18, 5, 34, 325),
    });
    expect(parseLocalTimeAt('x 2024-02-29 23:59:59.999 y', 2)?.wallMs).toBe(
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    );
  });

  it.each([
    '2023-02-29 10:00:00.000',
    '2026-04-31 10:00:00.000',
    '2026-13-01 10:00:00.000',
    '2026-01-01 24:00:00.000',
    '2026-01-01 10:60:00.000',
    '2026-01-01 10:00:00',
    '2026-01-01T10:00:00.000',
    '2026-0a-01 10:00:00.000',
  ])('refuses %j', (text) => {
    expect(parseLocalTime(text)).toBeNull();
  });
});

// Android ≤ 8.1: one line per op, relative times only (AOSP dump of that era; battery-historian).
const ANDROID_8 = lines(
  'Current AppOps Service state:',
  '  Clients:',
  '    android.os.Binder@1a2b3c4:',
  '      ClientState{mAppToken=android.os.Binder@1a2b3c4, local}',
  '  Uid 1000:',
  '    Package com.example.settings:',
  '      COARSE_LOCATION: mode=0; duration=0',
  '    Package android:',
  '      VIBRATE: mode=0; time=+39s500ms ago; duration=+59ms',
  '  Uid u0a12:',
  '      COARSE_LOCATION: mode=ignore',
  '    Package com.example.sync:',
  '      WAKE_LOCK: mode=allow; time=+23m48s927ms ago; duration=+39ms',
  '      CAMERA: mode=allow; time=+1h2m3s4ms ago (running)',
  '      READ_SMS: mode=ignore; time=+2d0h0m0s0ms ago; rejectTime=+5s0ms ago',
);

describe('parseAppOps: Android ≤ 8.1 one-line ops', () => {
  const r = parseAppOps(ANDROID_8);

  it('detects the layout and reads every timed op, with relative times only', () => {
    expect(r.layout).toEqual(['android-8']);
    expect(r.problems).toEqual([]);
    expect(r.records.map((e) => [e.packageName, e.op, e.kind])).toEqual([
      ['android', 'VIBRATE', 'access'],
      ['com.example.sync', 'WAKE_LOCK', 'access'],
      ['com.example.sync', 'CAMERA', 'access'],
      ['com.example.sync', 'READ_SMS', 'access'],
      ['com.example.sync', 'READ_SMS', 'reject'],
    ]);
    for (const e of r.records) {
      expect(e.time).toBeNull();
      expect(e.uidState).toBeNull();
      expect(e.flag).toBeNull();
    }
  });

  it('reads relative times, durations, modes and running', () => {
    const [vibrate, wake, camera, sms, smsReject] = r.records;
    expect(vibrate).toMatchObject({ uid: '1000', mode: '0', relativeMs: 39_500, durationMs: 59 });
    expect(wake).toMatchObject({
      uid: 'u0a12',
      mode: 'allow',
      relativeMs: 1_428_927,
      durationMs: 39,
    });
    expect(camera).toMatchObject({ running: true, relativeMs: 3_723_004, durationMs: null });
    expect(sms).toMatchObject({ mode: 'ignore', relativeMs: 172_800_000 });
    expect(smsReject).toMatchObject({ kind: 'reject', relativeMs: 5000, line: 15 });
    expect(wake?.running).toBe(false);
  });

  it('gives no dump-time estimate without absolute times', () => {
    expect(dumpTimeEstimates(r.records)).toEqual([]);
  });
});

// Android 9: uid states listed under one Access:/Reject: line; duration and running on own lines.
// Dump at 2026-08-03 16:52:46.995.
const ANDROID_9 = lines(
  'Current AppOps Service state:',
  '  Settings:',
  '    top_state_settle_time=+30s0ms',
  '',
  '  Uid u0a77:',
  '    state=top',
  '    startNesting=1',
  '    Package com.example.reader:',
  '      CAMERA (allow): ',
  '          Access: top   = 2026-08-03 16:40:00.000 (-12m46s995ms)',
  '                  fg    = 2026-08-03 15:00:00.500 (-1h52m46s495ms)',
  '          Reject: bg    = 2026-08-03 14:00:00.000 (-2h52m46s995ms)',
  '                  cch   = 2026-08-03 13:00:00.000 (-3h52m46s995ms)',
  '          duration=+24ms',
  '  Uid 1000:',
  '    Package android:',
  '      SYSTEM_ALERT_WINDOW (allow):',
  '          Access: pers  = 2026-08-03 14:29:54.943 (-2h22m52s52ms)',
  '          Running start at: +2h22m52s52ms',
  '          startNesting=1',
);

describe('parseAppOps: Android 9 multi-line uid states', () => {
  const r = parseAppOps(ANDROID_9);

  it('reads the first and continuation lines with their kind', () => {
    expect(r.layout).toEqual(['android-9']);
    expect(r.problems).toEqual([]);
    expect(r.records.map((e) => [e.op, e.kind, e.uidState, e.time?.text, e.line])).toEqual([
      ['CAMERA', 'access', 'top', '2026-08-03 16:40:00.000', 10],
      ['CAMERA', 'access', 'fg', '2026-08-03 15:00:00.500', 11],
      ['CAMERA', 'reject', 'bg', '2026-08-03 14:00:00.000', 12],
      ['CAMERA', 'reject', 'cch', '2026-08-03 13:00:00.000', 13],
      ['SYSTEM_ALERT_WINDOW', 'access', 'pers', '2026-08-03 14:29:54.943', 18],
    ]);
    expect(r.records.every((e) => e.flag === null && e.proxy === null)).toBe(true);
  });

  it('puts the op duration and running on the latest access', () => {
    const [top, fg, , , pers] = r.records;
    expect(top).toMatchObject({ durationMs: 24, running: false, relativeMs: 766_995 });
    expect(fg?.durationMs).toBeNull();
    expect(pers).toMatchObject({ running: true, uid: '1000', relativeMs: 8_572_052 });
  });

  it('gives one dump time for the capture', () => {
    expect(dumpTimeEstimates(r.records)).toEqual([
      { wallMs: wall('2026-08-03 16:52:46.000'), count: 5 },
    ]);
  });
});

// Android 10: [state-flag] keys, Reject without a space, duration and proxy suffixes. Dump at
// 2024-03-31 12:00:00.000 local time; the EU clocks went forward at 02:00 that morning, so the
// READ_CONTACTS line of the day before adds up to 11:00.
const ANDROID_10 = lines(
  'Current AppOps Service state:',
  '  Settings:',
  '    top_state_settle_time=+30s0ms',
  '    fg_service_state_settle_time=+10s0ms',
  '    bg_state_settle_time=+1s0ms',
  '',
  '  Op mode watchers:',
  '    Op COARSE_LOCATION:',
  '      #0: ModeCallback{1a2b3c4 watchinguid=-1 flags=0x1 from uid=1000 pid=1234}',
  '',
  '  Profile owners:',
  '    userId=0, pkg=com.example.dpc',
  '',
  '  Uid 0:',
  '    state=cch',
  '    Package com.example.phone:',
  '      MANAGE_IPSEC_TUNNELS (allow):',
  '  Uid u0a201:',
  '    state=cch',
  '      COARSE_LOCATION: mode=ignore',
  '      CAMERA: mode=foreground',
  '    Package com.example.social:',
  '      READ_CONTACTS (allow):',
  '          Access: [bg-tpd] 2024-03-30 12:00:00.000 (-23h0m0s0ms)',
  '      WRITE_SMS (ignore):',
  '          Reject: [fg-s]2024-03-31 09:30:00.250 (-2h29m59s750ms)',
  '          Reject: [cch-s]2024-03-31 11:59:57.000 (-3s0ms)',
  '      WAKE_LOCK (allow):',
  '          Access: [bg-s] 2024-03-31 11:35:10.000 (-24m50s0ms) duration=+33ms',
  '      CAMERA (allow):',
  '          Access: [fg-s] 2024-03-31 08:00:00.000 (-4h0m0s0ms) duration=+5s0ms',
  '          Access: [top-s] 2024-03-31 11:58:00.000 (-2m0s0ms) duration=+1m0s0ms',
  '          Running start at: +2m0s0ms',
  '          startNesting=2',
  '      TOAST_WINDOW (allow):',
  '          Access: [bg-s] 2024-03-31 10:00:00.000 (-2h0m0s0ms) duration=+1s942ms proxy[uid=0, pkg=null]',
  '      MONITOR_LOCATION (allow / switch COARSE_LOCATION=allow):   ',
  '          Access: [fgsvcl-s] 2024-03-31 11:00:00.000 (-1h0m0s0ms)',
  '',
  '  Uid u0a202:',
  '    Package com.example.vendor:',
  '      VENDOROP(10001) (allow):',
  '          Access: [fg-s] 2024-03-31 11:59:59.999 (-1ms)',
);

describe('parseAppOps: Android 10', () => {
  const r = parseAppOps(ANDROID_10);

  it('reads every Access and Reject line past blank lines and preamble sections', () => {
    expect(r.layout).toEqual(['android-10']);
    expect(r.problems).toEqual([]);
    expect(r.records).toHaveLength(9);
    expect(r.records.filter((e) => e.kind === 'reject')).toHaveLength(2);
    expect(r.records.every((e) => e.origin === 'last' && e.attributionTag === null)).toBe(true);
    // Uid-level modes and ops without events give nothing.
    expect(r.records.some((e) => e.packageName === 'com.example.phone')).toBe(false);
  });

  it('keeps uid, package, op, mode, state, flag, times and the line', () => {
    const [contacts] = eventsOf(r.records, 'com.example.social', 'READ_CONTACTS');
    expect(contacts).toEqual({
      kind: 'access',
      origin: 'last',
      uid: 'u0a201',
      packageName: 'com.example.social',
      op: 'READ_CONTACTS',
      mode: 'allow',
      attributionTag: null,
      uidState: 'bg',
      flag: 'tpd',
      time: { text: '2024-03-30 12:00:00.000', wallMs: wall('2024-03-30 12:00:00.000') },
      relativeMs: 82_800_000,
      durationMs: null,
      running: false,
      proxy: null,
      line: 24,
      rawLine: '          Access: [bg-tpd] 2024-03-30 12:00:00.000 (-23h0m0s0ms)',
    } satisfies AppOpEvent);
  });

  it('reads rejects printed without a space after the key', () => {
    expect(eventsOf(r.records, 'com.example.social', 'WRITE_SMS')).toMatchObject([
      { kind: 'reject', mode: 'ignore', uidState: 'fg', flag: 's', relativeMs: 8_999_750 },
      { kind: 'reject', uidState: 'cch', flag: 's', time: { text: '2024-03-31 11:59:57.000' } },
    ]);
  });

  it('reads durations, proxies, switch headers, OEM ops and running', () => {
    expect(eventsOf(r.records, 'com.example.social', 'WAKE_LOCK')[0]?.durationMs).toBe(33);
    const [toast] = eventsOf(r.records, 'com.example.social', 'TOAST_WINDOW');
    expect(toast).toMatchObject({
      durationMs: 1942,
      proxy: { uid: 0, packageName: null, attributionTag: null },
    });
    expect(eventsOf(r.records, 'com.example.social', 'MONITOR_LOCATION')).toMatchObject([
      { mode: 'allow', uidState: 'fgsvcl' },
    ]);
    expect(eventsOf(r.records, 'com.example.vendor', 'VENDOROP(10001)')).toMatchObject([
      { uid: 'u0a202', relativeMs: 1 },
    ]);
    const camera = eventsOf(r.records, 'com.example.social', 'CAMERA');
    expect(camera.map((e) => [e.uidState, e.running, e.durationMs])).toEqual([
      ['fg', false, 5000],
      ['top', true, 60_000],
    ]);
  });

  it('finds the dump time, and the DST change one hour before it', () => {
    expect(dumpTimeEstimates(r.records)).toEqual([
      { wallMs: wall('2024-03-31 12:00:00.000'), count: 8 },
      { wallMs: wall('2024-03-31 11:00:00.000'), count: 1 },
    ]);
  });

  it('reads CRLF text the same way', () => {
    const crlf = parseAppOps(ANDROID_10.replace(/\n/g, '\r\n'));
    expect(crlf.records).toEqual(r.records);
  });
});

// Android 14 (reference §1.1, illustrative A14 excerpt): attribution-tag blocks, trailing spaces on
// op headers, proxy with attributionTag, a running op. Dump at 2025-06-18 19:20:45.129.
const ANDROID_14 = lines(
  '    Package com.google.android.gm:',
  '      READ_CONTACTS (allow): ',
  '        null=[',
  '          Access: [top-up] 2025-06-10 07:12:48.301 (-8d12h7m56s828ms)',
  '          …',
  '          Access: [fg-up] 2025-06-18 12:05:36.918 (-7h15m8s211ms)',
  '        ]',
  '    …',
  '    Package com.android.providers.contacts:',
  '      READ_CONTACTS (allow): ',
  '        null=[',
  '          Access: [fg-upd] 2025-06-18 12:05:36.918 (-7h15m8s211ms) proxy[uid=10187, pkg=com.google.android.gm, attributionTag=null]',
  '        ]',
  '    …',
  '    Package com.google.android.gms:',
  '      READ_MEDIA_IMAGES (allow): ',
  '        com.google.android.gms.ipa=[',
  '          Access: [fgsvc-s] 2025-06-11 23:51:02.447 (-6d19h29m42s682ms)',
  '          Access: [fg-s] 2025-06-16 17:20:44.085 (-2d2h0m1s44ms)',
  '        ]',
  '        null=[',
  '          Reject: [bg-s]2025-06-17 09:00:00.000 (-1d10h20m45s129ms) proxy[uid=1000, pkg=android, attributionTag=nearby_connections]',
  '        ]',
  '    …',
  '    Package android:',
  '      SYSTEM_ALERT_WINDOW (default): ',
  '        null=[',
  '          Access: [pers-s] 2025-06-18 19:20:41.879 (-3s250ms) duration=+3s254ms',
  '          Running start at: +3s250ms',
  '        ]',
);

describe('parseAppOps: Android 11+ attribution tags (A14 excerpts)', () => {
  const r = parseAppOps(ANDROID_14);

  it('reads every event with its tag; `null=[` is the untagged block', () => {
    expect(r.layout).toEqual(['android-11+']);
    expect(r.problems).toEqual([]);
    expect(r.records.map((e) => [e.packageName, e.op, e.attributionTag, e.kind])).toEqual([
      ['com.google.android.gm', 'READ_CONTACTS', null, 'access'],
      ['com.google.android.gm', 'READ_CONTACTS', null, 'access'],
      ['com.android.providers.contacts', 'READ_CONTACTS', null, 'access'],
      ['com.google.android.gms', 'READ_MEDIA_IMAGES', 'com.google.android.gms.ipa', 'access'],
      ['com.google.android.gms', 'READ_MEDIA_IMAGES', 'com.google.android.gms.ipa', 'access'],
      ['com.google.android.gms', 'READ_MEDIA_IMAGES', null, 'reject'],
      ['android', 'SYSTEM_ALERT_WINDOW', null, 'access'],
    ]);
    // The excerpt has no Uid lines.
    expect(r.records.every((e) => e.uid === null)).toBe(true);
  });

  it('keeps both lines of a proxy pair, with the same time and the proxy on the blamed app', () => {
    const proxy = r.records.find((e) => e.flag === 'up' && e.uidState === 'fg');
    const proxied = r.records.find((e) => e.flag === 'upd');
    expect(proxy).toMatchObject({ packageName: 'com.google.android.gm', proxy: null });
    expect(proxied).toMatchObject({
      packageName: 'com.android.providers.contacts',
      proxy: { uid: 10187, packageName: 'com.google.android.gm', attributionTag: null },
    });
    expect(proxied?.time).toEqual(proxy?.time);
    expect(proxied?.relativeMs).toBe(proxy?.relativeMs);
  });

  it('reads a proxied reject with a proxy tag', () => {
    const reject = r.records.find((e) => e.kind === 'reject');
    expect(reject).toMatchObject({
      uidState: 'bg',
      flag: 's',
      proxy: { uid: 1000, packageName: 'android', attributionTag: 'nearby_connections' },
    });
  });

  it('marks the running op and keeps its duration', () => {
    const [overlay] = eventsOf(r.records, 'android', 'SYSTEM_ALERT_WINDOW');
    expect(overlay).toMatchObject({
      mode: 'default',
      running: true,
      durationMs: 3254,
      relativeMs: 3250,
    });
    expect(r.records.filter((e) => e.running)).toHaveLength(1);
  });

  it('gives one dump time for every line, as in the real A14 capture', () => {
    expect(dumpTimeEstimates(r.records)).toEqual([
      { wallMs: wall('2025-06-18 19:20:45.000'), count: 7 },
    ]);
  });
});

// Android 12+: `--history --include-discrete` appended to the state dump.
const WITH_HISTORY = lines(
  'Current AppOps Service state:',
  '  Settings:',
  '    top_state_settle_time=+5s0ms',
  '',
  '  AppOps policy location tags:',
  '    Uid u0a99 (not a uid line of the state dump)',
  '',
  '  Uid u0a123:',
  '    state=top',
  '    capability=LCMNFU',
  '    appWidgetVisible=false',
  '    foregroundOps:',
  '      CAMERA: WATCHER',
  '    hasForegroundWatchers=true',
  '      CAMERA: mode=foreground',
  '    Package com.example.camera:',
  '      CAMERA (allow): ',
  '        null=[',
  '          Access: [top-s] 2026-07-23 18:26:30.500 (-14m29s500ms) duration=+59s0ms',
  '        ]',
  '        voice=[',
  '          Reject: [bg-s]2026-07-23 18:30:00.000 (-11m0s0ms)',
  '        ]',
  '',
  '  History:  mode=HISTORICAL_MODE_ENABLED_ACTIVE',
  '',
  '    snapshot:',
  '      begin = 2026-07-23 18:15:00.000  (-26m0s0ms)',
  '      end = 2026-07-23 18:41:00.000  (0)',
  '',
  '      Uid u0a123:',
  '        Package com.example.camera:',
  '          Attribution null:',
  '            CAMERA:',
  '              [top-s] = access=3, duration=+1m3s8ms',
  '              [bg-s] = reject=2',
  '          Attribution voice:',
  '            RECORD_AUDIO:',
  '              [fgsvc-s] = access=1, reject=1, duration=+2s0ms',
  '',
  '    snapshot:',
  '      begin = 2026-07-23 16:45:00.000  (-1h56m0s0ms)',
  '      end = 2026-07-23 18:15:00.000  (-26m0s0ms)',
  '',
  '      Uid 1000:',
  '        Package android:',
  '          Attribution null:',
  '            WAKE_LOCK:',
  '              [pers-s] = access=12',
  'Discrete accesses: ',
  '  Largest chain id: 7',
  '  Uid: 10123',
  '    Package: com.example.camera',
  '      CAMERA',
  '        Attribution: null',
  '          Access [top-s] at 2026-07-23 18:26:00.000 for 60000 milliseconds ',
  '          Access [fgsvc-s] at 2026-07-23 18:33:00.000 ',
  '      RECORD_AUDIO',
  '        Attribution: voice',
  '          Access [bg-tpd] at 2026-07-23 18:35:00.000 for 120000 milliseconds  attribution flags=9 with chainId=7',
  '  Uid: 10124',
  '    Package: com.example.maps',
  '      FINE_LOCATION',
  '        Attribution: null',
  '          Access [fgsvcl-s] at 2026-07-23 17:01:00.000 for 1260000 milliseconds ',
);

describe('parseAppOps: history and discrete accesses', () => {
  const r = parseAppOps(WITH_HISTORY);

  it('detects the layouts and ignores the preamble sections', () => {
    expect(r.layout).toEqual(['android-11+', 'discrete', 'history']);
    expect(r.problems).toEqual([]);
    expect(r.records.filter((e) => e.origin === 'last')).toMatchObject([
      { op: 'CAMERA', uid: 'u0a123', attributionTag: null, kind: 'access', durationMs: 59_000 },
      { op: 'CAMERA', uid: 'u0a123', attributionTag: 'voice', kind: 'reject' },
    ]);
  });

  it('reads discrete accesses with uid, package, op, tag and duration', () => {
    const discrete = r.records.filter((e) => e.origin === 'discrete');
    expect(
      discrete.map((e) => [e.uid, e.packageName, e.op, e.attributionTag, e.uidState, e.flag]),
    ).toEqual([
      ['10123', 'com.example.camera', 'CAMERA', null, 'top', 's'],
      ['10123', 'com.example.camera', 'CAMERA', null, 'fgsvc', 's'],
      ['10123', 'com.example.camera', 'RECORD_AUDIO', 'voice', 'bg', 'tpd'],
      ['10124', 'com.example.maps', 'FINE_LOCATION', null, 'fgsvcl', 's'],
    ]);
    expect(discrete.map((e) => e.durationMs)).toEqual([60_000, null, 120_000, 1_260_000]);
    expect(discrete[0]).toMatchObject({
      kind: 'access',
      mode: null,
      relativeMs: null,
      running: false,
      proxy: null,
      time: { text: '2026-07-23 18:26:00.000', wallMs: wall('2026-07-23 18:26:00.000') },
      line: 56,
    });
  });

  it('reads history entries with their snapshot window', () => {
    expect(r.history).toHaveLength(4);
    expect(r.history[0]).toEqual({
      uid: 'u0a123',
      packageName: 'com.example.camera',
      attributionTag: null,
      op: 'CAMERA',
      uidState: 'top',
      flag: 's',
      begin: { text: '2026-07-23 18:15:00.000', wallMs: wall('2026-07-23 18:15:00.000') },
      end: { text: '2026-07-23 18:41:00.000', wallMs: wall('2026-07-23 18:41:00.000') },
      accessCount: 3,
      rejectCount: null,
      durationMs: 63_008,
      line: 35,
      rawLine: '              [top-s] = access=3, duration=+1m3s8ms',
    });
    expect(
      r.history
        .slice(1)
        .map((h) => [
          h.op,
          h.attributionTag,
          h.uidState,
          h.accessCount,
          h.rejectCount,
          h.durationMs,
        ]),
    ).toEqual([
      ['CAMERA', null, 'bg', null, 2, null],
      ['RECORD_AUDIO', 'voice', 'fgsvc', 1, 1, 2000],
      ['WAKE_LOCK', null, 'pers', 12, null, null],
    ]);
    expect(r.history[3]).toMatchObject({
      uid: '1000',
      packageName: 'android',
      begin: { text: '2026-07-23 16:45:00.000' },
      end: { text: '2026-07-23 18:15:00.000' },
    });
  });

  it('uses only last-access lines for dump-time estimates', () => {
    expect(dumpTimeEstimates(r.records)).toEqual([
      { wallMs: wall('2026-07-23 18:41:00.000'), count: 2 },
    ]);
  });
});

describe('parseAppOps: Android 16 discrete table', () => {
  it('reads the pipe rows of the SQL-backed discrete registry', () => {
    const r = parseAppOps(
      lines(
        '------------Discrete App Ops-------------',
        '  Largest chain id: 3',
        'UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|CHAIN_ID|ACCESS_TIME|DURATION',
        '10123|com.example.camera|default:0|CAMERA|null|top|s|0|0|2026-07-23 18:26:12.345|61000',
        '10124|com.example.maps|default:0|COARSE_LOCATION|loc|bg|tpd|9|3|2026-07-23 18:30:00.000|-1',
        '10124|com.example.maps|default:0|COARSE_LOCATION|loc|bg|tpd|9|3|not a time|-1',
      ),
    );
    expect(r.layout).toEqual(['discrete', 'discrete-table', 'android-16']);
    expect(r.records).toMatchObject([
      {
        origin: 'discrete',
        uid: '10123',
        packageName: 'com.example.camera',
        op: 'CAMERA',
        attributionTag: null,
        uidState: 'top',
        flag: 's',
        durationMs: 61_000,
        time: { text: '2026-07-23 18:26:12.345' },
      },
      { uid: '10124', op: 'COARSE_LOCATION', attributionTag: 'loc', durationMs: null, flag: 'tpd' },
    ]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.line).toBe(6);
  });
});

describe('parseAppOps: robustness', () => {
  it('reports malformed Access/Reject lines with their line number and ignores other odd lines', () => {
    const r = parseAppOps(
      lines(
        'Current AppOps Service state:',
        '  Settings:',
        '    Access: [bg-s] 2026-01-30 10:00:00.000 (-1s0ms)',
        '  Uid u0a300:',
        '    Package com.example.broken:',
        '      CAMERA (allow):',
        '          Access: [top-s] 2026-02-30 10:00:00.000 (-1h0m0s0ms)',
        '          Access: [top-s] 2026-01-30 10:00:00.000 (-1h0x)',
        '          Access [top-s] 2026-01-30 10:00:00.000',
        '          Reject: [bg-s]',
        '          Something odd here',
        '          Accessibility note: not an event',
        '          Access: [bg-s] 2026-01-30 11:00:00.000 (-1s0ms)',
      ),
    );
    expect(r.problems.map((p) => p.line)).toEqual([3, 7, 8, 9, 10]);
    for (const p of r.problems) expect(p.message.length).toBeGreaterThan(10);
    expect(r.problems[1]?.message).toContain('time');
    expect(r.records).toMatchObject([{ uidState: 'bg', line: 13 }]);
  });

  it('reads only the appops service of a whole dumpsys, past other services', () => {
    const r = parseAppOps(
      lines(
        'some text before the first service',
        '-------------------------------------------------------------------------------',
        'DUMP OF SERVICE package:',
        '  Package com.example.fake:',
        '      CAMERA (allow):',
        '          Access: [top-s] 2026-01-01 00:00:00.000 (-1s0ms)',
        '--------- 0.1s was the duration of dumpsys package, ending at: 2026-01-01 00:00:01',
        '-------------------------------------------------------------------------------',
        'DUMP OF SERVICE appops:',
        'Current AppOps Service state:',
        '  Uid u0a1:',
        '    Package com.example.real:',
        '      CAMERA (allow):',
        '          Access: [top-s] 2026-01-01 00:00:00.000 (-1s0ms)',
        '',
        '--------- 0.1s was the duration of dumpsys appops, ending at: 2026-01-01 00:00:01',
        '-------------------------------------------------------------------------------',
        'DUMP OF SERVICE adb:',
        '  Package com.example.late:',
        '      CAMERA (allow):',
        '          Access: [top-s] 2026-01-01 00:00:00.000 (-1s0ms)',
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.records.map((e) => [e.packageName, e.line])).toEqual([['com.example.real', 14]]);
  });

  it('returns nothing for empty or unrelated text', () => {
    for (const text of ['', '\n\n', 'hello\nworld', 'Current AppOps Service state:\n']) {
      expect(parseAppOps(text)).toEqual({ records: [], problems: [], history: [], layout: [] });
    }
  });

  it('counts lines from 1 and keeps leading indentation in rawLine, without trailing spaces', () => {
    const r = parseAppOps(
      '  Uid 1:\n    Package p:\n      OP (allow):   \n      Access: [fg-s] 2026-01-01 00:00:00.000 (-1ms)   \n',
    );
    expect(r.records[0]).toMatchObject({
      line: 4,
      rawLine: '      Access: [fg-s] 2026-01-01 00:00:00.000 (-1ms)',
      op: 'OP',
      uid: '1',
      packageName: 'p',
    });
  });
});

describe('dumpTimeEstimates', () => {
  it('groups by the second, most frequent first, earliest first on ties', () => {
    const ev = (time: string, relativeMs: number | null): AppOpEvent =>
      ({ time: parseLocalTime(time), relativeMs }) as AppOpEvent;
    expect(
      dumpTimeEstimates([
        ev('2026-01-01 10:00:00.900', 50), // 10:00:00.950
        ev('2026-01-01 09:59:59.000', 1_999), // 10:00:00.999
        ev('2026-01-01 08:00:00.000', 3_600_000), // 09:00:00
        ev('2026-01-01 07:00:00.000', 0), // 07:00:00
        ev('2026-01-01 07:00:00.000', null),
      ]),
    ).toEqual([
      { wallMs: wall('2026-01-01 10:00:00.000'), count: 2 },
      { wallMs: wall('2026-01-01 07:00:00.000'), count: 1 },
      { wallMs: wall('2026-01-01 09:00:00.000'), count: 1 },
    ]);
  });
});

// A quick local check of throughput, not a timed test: SNOOPSCOPE_APPOPS_PERF=1 npx vitest run …
describe.skipIf(!process.env.SNOOPSCOPE_APPOPS_PERF)(
  'parseAppOps: large input (local check)',
  () => {
    it('parses about 50 MB of Android 11+ dump', () => {
      const block = lines(
        '    Package com.example.app:',
        '      READ_MEDIA_IMAGES (allow): ',
        '        null=[',
        '          Access: [bg-s] 2025-06-18 07:41:07.412 (-11h39m37s717ms)',
        '          Access: [top-s] 2025-06-18 16:07:55.228 (-3h12m49s901ms) duration=+1s0ms proxy[uid=10001, pkg=com.example.proxy, attributionTag=null]',
        '          Reject: [cch-s]2025-06-18 16:07:55.228 (-3h12m49s901ms)',
        '        ]',
      );
      const parts: string[] = [];
      let size = 0;
      for (let uid = 0; size < 50 * 1024 * 1024; uid++) {
        const chunk = `  Uid u0a${uid}:\n    state=cch\n${block}`;
        parts.push(chunk);
        size += chunk.length;
      }
      const text = parts.join('');
      const started = performance.now();
      const r = parseAppOps(text);
      const ms = performance.now() - started;
      console.log(
        `[perf] ${(text.length / 1048576).toFixed(1)} MB, ${r.records.length} events in ${ms.toFixed(0)} ms`,
      );
      expect(r.records).toHaveLength(parts.length * 3);
      expect(r.problems).toEqual([]);
    });
  },
);

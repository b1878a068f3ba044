import { describe, expect, it } from 'vitest';
import { isEpochZeroInZone, zonedInstant } from './local-time';
import {
  foregroundIntervals,
  foregroundServiceIntervals,
  parseElapsed,
  parseUsageStats,
  screenIntervals,
  splitPairs,
} from './usagestats';

// Synthetic `dumpsys usagestats` written from the Android 14 line formats of the reference
// (android-sources.md §2 and the §9 worked example): invented packages and times, Europe/Lisbon.
// Trailing spaces are kept where printPair writes them.
const A14 = [
  'user=0 ',
  '  Last 24 hour events (timeRange="17/6/2025, 7:20 p. m. – 18/6/2025, 7:20 p. m." )',
  '    time="2025-06-18 07:40:36" type=USER_UNLOCKED package=android flags=0x0 ',
  '    time="2025-06-18 07:40:36" type=DEVICE_STARTUP package=android flags=0x0 ',
  '    time="2025-06-18 07:40:40" type=SCREEN_INTERACTIVE package=android flags=0x0 ',
  '    time="2025-06-18 07:40:52" type=KEYGUARD_HIDDEN package=android flags=0x0 ',
  '    time="2025-06-18 07:41:04" type=ACTIVITY_RESUMED package=com.example.launcher class=com.example.launcher.Home instanceId=11 taskRootPackage=com.example.launcher taskRootClass=com.example.launcher.Home flags=0x0 ',
  '    time="2025-06-18 07:41:06" type=SHORTCUT_INVOCATION package=com.example.social shortcutId=shortcut_feed flags=0x0 ',
  '    time="2025-06-18 09:02:10" type=FOREGROUND_SERVICE_START package=com.example.music class=com.example.music.Player$Service flags=0x0 ',
  '    time="2025-06-18 09:15:00" type=NOTIFICATION_INTERRUPTION package=com.example.messenger channelId=Chat messages flags=0x0 ',
  '    time="2025-06-18 09:40:00" type=FOREGROUND_SERVICE_STOP package=com.example.music class=com.example.music.Player$Service flags=0x0 ',
  '    time="2025-06-18 12:58:30" type=ACTIVITY_PAUSED package=com.example.launcher class=com.example.launcher.Home instanceId=11 taskRootPackage=com.example.launcher taskRootClass=com.example.launcher.Home flags=0x0 ',
  '    time="2025-06-18 12:58:31" type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0 ',
  '    time="2025-06-18 12:58:31" type=ACTIVITY_STOPPED package=com.example.launcher class=com.example.launcher.Home instanceId=11 taskRootPackage=com.example.launcher taskRootClass=com.example.launcher.Home flags=0x0 ',
  '    time="2025-06-18 12:58:40" type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.Viewer$Photo instanceId=48210400 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0 ',
  '    time="2025-06-18 12:58:52" type=ACTIVITY_PAUSED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0 ',
  '    time="2025-06-18 13:05:00" type=SCREEN_NON_INTERACTIVE package=android flags=0x0 ',
  '    time="2025-06-18 13:20:00" type=STANDBY_BUCKET_CHANGED package=com.example.social standbyBucket=10 reason=u-si flags=0x0 ',
  '    time="2025-06-18 18:52:14" type=USER_INTERACTION package=com.example.messenger Bundle[{android.app.usage.extra.EVENT_CATEGORY=chat, android.app.usage.extra.EVENT_ACTION=send}]flags=0x0 ',
  '  In-memory daily stats',
  '  timeRange="18/6/2025, 0:00 – 18/6/2025, 19:20" ',
  '    packages',
  '      package=com.example.messenger totalTimeUsed="37:08" lastTimeUsed="2025-06-18 18:52:14" totalTimeVisible="41:55" lastTimeVisible="2025-06-18 18:52:14" lastTimeComponentUsed="1970-01-01 01:00:00" totalTimeFS="00:00" lastTimeFS="1970-01-01 01:00:00" appLaunchCount=27 ',
  '      package=com.example.social totalTimeUsed="1:02:03" lastTimeUsed="2025-06-18 12:58:52" totalTimeVisible="1:05:00" lastTimeVisible="2025-06-18 12:58:52" lastTimeComponentUsed="2025-06-18 07:41:06" totalTimeFS="00:00" lastTimeFS="1970-01-01 01:00:00" appLaunchCount=3 ',
  '      package=com.example.widget totalTimeUsed="00:00" lastTimeUsed="1970-01-01 01:00:00" totalTimeVisible="00:00" lastTimeVisible="1970-01-01 01:00:00" lastTimeComponentUsed="1970-01-01 01:00:00" totalTimeFS="00:00" lastTimeFS="1970-01-01 01:00:00" appLaunchCount=0 ',
  '    ChooserCounts',
  '      package=com.example.messenger',
  '    configurations',
  '      config=en-rPT-ldltr-sw411dp-w411dp-h842dp-normal-long-notround-lowdr-nowidecg-port-notnight-420dpi-finger-keysexposed-nokeys-navhidden-nonav-v34 totalTime="13:00:00" lastTime="2025-06-18 18:52:14" count=4 ',
  '    event aggregations',
  '      screen-interactive: count=9 time=2:03:04 ',
  '  In-memory weekly stats',
  '  timeRange="15/6/2025, 0:00 – 18/6/2025, 19:20" ',
  '    packages',
  '      package=com.example.messenger totalTimeUsed="3:37:08" lastTimeUsed="2025-06-18 18:52:14" appLaunchCount=99 ',
  '  UsageStatsDatabase:',
  '    package=com.example.weekly totalTimeUsed="1:00" lastTimeUsed="2025-06-18 18:52:14" ',
].join('\n');

const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('parseUsageStats: Android 14 layout', () => {
  const parsed = parseUsageStats(A14);

  it('reads the 24-hour events with their user, line and raw text', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.users).toEqual([0]);
    expect(parsed.records).toHaveLength(17);
    expect(parsed.records.map((e) => e.type).slice(0, 6)).toEqual([
      'USER_UNLOCKED',
      'DEVICE_STARTUP',
      'SCREEN_INTERACTIVE',
      'KEYGUARD_HIDDEN',
      'ACTIVITY_RESUMED',
      'SHORTCUT_INVOCATION',
    ]);
    const resumed = parsed.records.find((e) => e.instanceId === '48210377');
    expect(resumed).toEqual({
      user: 0,
      time: { text: '2025-06-18 12:58:31', wallMs: Date.UTC(2025, 5, 18, 12, 58, 31) },
      type: 'ACTIVITY_RESUMED',
      packageName: 'com.example.social',
      className: 'com.example.social.MainActivity',
      instanceId: '48210377',
      taskRootPackage: 'com.example.social',
      extra: { taskRootClass: 'com.example.social.MainActivity', flags: '0x0' },
      line: lineOf(
        A14,
        'type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.Main',
      ),
      rawLine:
        '    time="2025-06-18 12:58:31" type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
    });
  });

  it('keeps $ in class names, spaces in unquoted values and other pairs in extra', () => {
    const fgs = parsed.records.find((e) => e.type === 'FOREGROUND_SERVICE_START');
    expect(fgs?.className).toBe('com.example.music.Player$Service');
    const note = parsed.records.find((e) => e.type === 'NOTIFICATION_INTERRUPTION');
    expect(note?.extra).toEqual({ channelId: 'Chat messages', flags: '0x0' });
    const shortcut = parsed.records.find((e) => e.type === 'SHORTCUT_INVOCATION');
    expect(shortcut?.extra).toEqual({ shortcutId: 'shortcut_feed', flags: '0x0' });
    const bucket = parsed.records.find((e) => e.type === 'STANDBY_BUCKET_CHANGED');
    expect(bucket?.extra).toEqual({ standbyBucket: '10', reason: 'u-si', flags: '0x0' });
    const interaction = parsed.records.find((e) => e.type === 'USER_INTERACTION');
    expect(interaction?.extra).toEqual({
      extras:
        'Bundle[{android.app.usage.extra.EVENT_CATEGORY=chat, android.app.usage.extra.EVENT_ACTION=send}]',
      flags: '0x0',
    });
  });

  it('reads the daily package stats only (not weekly, not the database block)', () => {
    expect(parsed.dailyStats).toEqual([
      {
        user: 0,
        packageName: 'com.example.messenger',
        totalTimeUsedMs: (37 * 60 + 8) * 1000,
        lastTimeUsed: { text: '2025-06-18 18:52:14', wallMs: Date.UTC(2025, 5, 18, 18, 52, 14) },
        appLaunchCount: 27,
        line: lineOf(A14, 'package=com.example.messenger totalTimeUsed="37:08"'),
      },
      {
        user: 0,
        packageName: 'com.example.social',
        totalTimeUsedMs: (3600 + 2 * 60 + 3) * 1000,
        lastTimeUsed: { text: '2025-06-18 12:58:52', wallMs: Date.UTC(2025, 5, 18, 12, 58, 52) },
        appLaunchCount: 3,
        line: lineOf(A14, 'package=com.example.social totalTimeUsed'),
      },
      {
        user: 0,
        packageName: 'com.example.widget',
        totalTimeUsedMs: 0,
        lastTimeUsed: { text: '1970-01-01 01:00:00', wallMs: Date.UTC(1970, 0, 1, 1) },
        appLaunchCount: 0,
        line: lineOf(A14, 'package=com.example.widget'),
      },
    ]);
    // "Never used" is the epoch printed in the device zone.
    const widget = parsed.dailyStats[2]?.lastTimeUsed;
    expect(widget && isEpochZeroInZone(widget, 'Europe/Lisbon')).toBe(true);
  });

  it('pairs the foreground intervals of the worked example (§9)', () => {
    const intervals = foregroundIntervals(parsed.records);
    expect(
      intervals.map((i) => [i.packageName, i.className, i.start.text, i.end?.text ?? null]),
    ).toEqual([
      [
        'com.example.launcher',
        'com.example.launcher.Home',
        '2025-06-18 07:41:04',
        '2025-06-18 12:58:30',
      ],
      [
        'com.example.social',
        'com.example.social.MainActivity',
        '2025-06-18 12:58:31',
        '2025-06-18 12:58:52',
      ],
      // Still resumed at the end of the dump.
      ['com.example.social', 'com.example.social.Viewer$Photo', '2025-06-18 12:58:40', null],
    ]);
    expect(intervals[1]).toMatchObject({
      instanceId: '48210377',
      startLine: lineOf(
        A14,
        'instanceId=48210377 taskRootPackage=com.example.social taskRootClass',
      ),
      endLine: lineOf(A14, 'type=ACTIVITY_PAUSED package=com.example.social'),
    });
    expect(intervals[2]?.endLine).toBeNull();

    // The §9 reading: no activity of the app was resumed before 12:58:31, and in Lisbon that is
    // 11:58:31 UTC.
    const firstSocial = intervals.find((i) => i.packageName === 'com.example.social');
    expect(firstSocial?.start.text).toBe('2025-06-18 12:58:31');
    expect(
      new Date(zonedInstant(firstSocial!.start.wallMs, 'Europe/Lisbon').ms).toISOString(),
    ).toBe('2025-06-18T11:58:31.000Z');
  });

  it('pairs screen and foreground-service intervals', () => {
    expect(screenIntervals(parsed.records)).toEqual([
      {
        user: 0,
        packageName: 'android',
        className: null,
        start: { text: '2025-06-18 07:40:40', wallMs: Date.UTC(2025, 5, 18, 7, 40, 40) },
        end: { text: '2025-06-18 13:05:00', wallMs: Date.UTC(2025, 5, 18, 13, 5) },
        startLine: lineOf(A14, 'type=SCREEN_INTERACTIVE'),
        endLine: lineOf(A14, 'type=SCREEN_NON_INTERACTIVE'),
      },
    ]);
    const fgs = foregroundServiceIntervals(parsed.records);
    expect(fgs.map((i) => [i.packageName, i.className, i.start.text, i.end?.text])).toEqual([
      [
        'com.example.music',
        'com.example.music.Player$Service',
        '2025-06-18 09:02:10',
        '2025-06-18 09:40:00',
      ],
    ]);
  });
});

describe('parseUsageStats: other layouts and bad lines', () => {
  it('reports locale-formatted and raw event times per line without stopping', () => {
    const text = [
      'user=0',
      '  Last 24 hour events (timeRange="4/4/2017 – 5/4/2017" )',
      '    time="4/4/2017 22:46" type=MOVE_TO_FOREGROUND package=com.example.old class=com.example.old.Main flags=0x0',
      '    time="2017-04-04 22:47:00" type=MOVE_TO_FOREGROUND package=com.example.old class=com.example.old.Main flags=0x0',
      '    time=1491338820000 type=MOVE_TO_BACKGROUND package=com.example.old class=com.example.old.Main flags=0x0',
      '    time="2017-02-30 10:00:00" type=MOVE_TO_BACKGROUND package=com.example.old class=com.example.old.Main flags=0x0',
      '    time="2017-04-04 22:50:00" package=com.example.old',
      '    something unexpected',
    ].join('\n');
    const r = parseUsageStats(text);
    expect(r.records.map((e) => [e.line, e.type])).toEqual([[4, 'MOVE_TO_FOREGROUND']]);
    expect(r.problems.map((p) => p.line)).toEqual([3, 5, 6, 7, 8]);
    expect(r.problems[0]?.message).toContain('"4/4/2017 22:46" is not in the yyyy-MM-dd HH:mm:ss');
    expect(r.problems[1]?.message).toContain('raw epoch time');
    expect(r.problems[2]?.message).toContain('not a valid date');
    expect(r.problems[3]?.message).toContain('without a type');
    expect(r.problems[4]?.message).toContain('something unexpected');
  });

  it('pairs MOVE_TO_FOREGROUND/BACKGROUND by package and class', () => {
    const text = [
      'user=0',
      '  Last 24 hour events (timeRange="x" )',
      '    time="2017-04-04 22:46:00" type=MOVE_TO_FOREGROUND package=com.example.old class=com.example.old.Main flags=0x0',
      '    time="2017-04-04 22:47:00" type=MOVE_TO_FOREGROUND package=com.example.old class=com.example.old.Settings flags=0x0',
      '    time="2017-04-04 22:48:00" type=MOVE_TO_BACKGROUND package=com.example.old class=com.example.old.Main flags=0x0',
      '    time="2017-04-04 22:49:00" type=MOVE_TO_BACKGROUND package=com.example.old class=com.example.old.Settings flags=0x0',
      '    time="2017-04-04 22:50:00" type=MOVE_TO_BACKGROUND package=com.example.other class=com.example.other.Main flags=0x0',
    ].join('\n');
    const intervals = foregroundIntervals(parseUsageStats(text).records);
    expect(intervals.map((i) => [i.className, i.start.text, i.end?.text, i.instanceId])).toEqual([
      ['com.example.old.Main', '2017-04-04 22:46:00', '2017-04-04 22:48:00', null],
      ['com.example.old.Settings', '2017-04-04 22:47:00', '2017-04-04 22:49:00', null],
    ]);
  });

  it('falls back to the daily block events for a user without a 24-hour block', () => {
    const text = [
      'user=0',
      '  In-memory daily stats',
      '  timeRange="4/4/2017, 0:00 – 4/4/2017, 23:00"',
      '    packages',
      '      package=com.example.old totalTimeUsed="05:00" lastTimeUsed="2017-04-04 22:48:00" ',
      '    events',
      '      time="2017-04-04 22:46:00" type=MOVE_TO_FOREGROUND package=com.example.old class=com.example.old.Main ',
      '      time="2017-04-04 22:48:00" type=MOVE_TO_BACKGROUND package=com.example.old class=com.example.old.Main ',
      '  In-memory weekly stats',
      '    events',
      '      time="2017-04-03 10:00:00" type=MOVE_TO_FOREGROUND package=com.example.old class=com.example.old.Main ',
      'user=10',
      '  Last 24 hour events (timeRange="x" )',
      '    time="2017-04-04 21:00:00" type=ACTIVITY_RESUMED package=com.example.work class=com.example.work.Main instanceId=5 flags=0x0',
      '  In-memory daily stats',
      '    events',
      '      time="2017-04-04 21:00:00" type=ACTIVITY_RESUMED package=com.example.work class=com.example.work.Main instanceId=5 flags=0x0',
    ].join('\n');
    const r = parseUsageStats(text);
    expect(r.problems).toEqual([]);
    expect(r.users).toEqual([0, 10]);
    expect(r.records.map((e) => [e.user, e.line, e.type])).toEqual([
      [0, 7, 'MOVE_TO_FOREGROUND'],
      [0, 8, 'MOVE_TO_BACKGROUND'],
      [10, 14, 'ACTIVITY_RESUMED'],
    ]);
    expect(r.dailyStats).toEqual([
      {
        user: 0,
        packageName: 'com.example.old',
        totalTimeUsedMs: 300_000,
        lastTimeUsed: { text: '2017-04-04 22:48:00', wallMs: Date.UTC(2017, 3, 4, 22, 48) },
        appLaunchCount: null,
        line: 5,
      },
    ]);
  });

  it('reports unreadable daily values and keeps the line', () => {
    const text = [
      'user=0',
      '  In-memory daily stats',
      '    packages',
      '      package=com.example.a totalTimeUsed="about an hour" lastTimeUsed="4/4/2017 22:46" appLaunchCount=x ',
    ].join('\n');
    const r = parseUsageStats(text);
    expect(r.dailyStats).toEqual([
      {
        user: 0,
        packageName: 'com.example.a',
        totalTimeUsedMs: null,
        lastTimeUsed: null,
        appLaunchCount: null,
        line: 4,
      },
    ]);
    expect(r.problems.map((p) => p.line)).toEqual([4, 4, 4]);
  });

  it('leaves intervals cut by a reboot open-ended and keeps users apart', () => {
    const text = [
      'user=0',
      '  Last 24 hour events (timeRange="x" )',
      '    time="2025-06-18 07:00:00" type=ACTIVITY_RESUMED package=com.example.a class=com.example.a.Main instanceId=1 flags=0x0',
      '    time="2025-06-18 07:00:00" type=SCREEN_INTERACTIVE package=android flags=0x0',
      '    time="2025-06-18 07:30:00" type=DEVICE_STARTUP package=android flags=0x0',
      '    time="2025-06-18 07:31:00" type=ACTIVITY_PAUSED package=com.example.a class=com.example.a.Main instanceId=1 flags=0x0',
      '    time="2025-06-18 07:32:00" type=ACTIVITY_RESUMED package=com.example.a class=com.example.a.Main instanceId=2 flags=0x0',
      '    time="2025-06-18 07:33:00" type=ACTIVITY_RESUMED package=com.example.a class=com.example.a.Main instanceId=2 flags=0x0',
      '    time="2025-06-18 07:34:00" type=ACTIVITY_STOPPED package=com.example.a class=com.example.a.Main instanceId=2 flags=0x0',
      'user=10',
      '  Last 24 hour events (timeRange="x" )',
      '    time="2025-06-18 07:35:00" type=ACTIVITY_PAUSED package=com.example.a class=com.example.a.Main instanceId=2 flags=0x0',
    ].join('\n');
    const events = parseUsageStats(text).records;
    expect(
      foregroundIntervals(events).map((i) => [i.user, i.instanceId, i.startLine, i.endLine]),
    ).toEqual([
      [0, '1', 3, null],
      [0, '2', 7, null],
      [0, '2', 8, 9],
    ]);
    expect(screenIntervals(events).map((i) => [i.startLine, i.endLine])).toEqual([[4, null]]);
  });
});

describe('helpers', () => {
  it('parseElapsed reads MM:SS, H:MM:SS, long hours, D:HH:MM:SS and ms', () => {
    expect(parseElapsed('37:08')).toBe(2_228_000);
    expect(parseElapsed('00:00')).toBe(0);
    expect(parseElapsed('1:02:03')).toBe(3_723_000);
    expect(parseElapsed('52:10:03')).toBe((52 * 3600 + 10 * 60 + 3) * 1000);
    expect(parseElapsed('2:03:04:05')).toBe((2 * 86_400 + 3 * 3600 + 4 * 60 + 5) * 1000);
    expect(parseElapsed('123456')).toBe(123_456);
    expect(parseElapsed('1:60:00')).toBeNull();
    expect(parseElapsed('10:61')).toBeNull();
    expect(parseElapsed('1h')).toBeNull();
    expect(parseElapsed('')).toBeNull();
  });

  it('splitPairs keeps quoted values whole', () => {
    expect(splitPairs('a="x y" b=c d=e f g="" ').pairs).toEqual([
      ['a', 'x y'],
      ['b', 'c'],
      ['d', 'e f'],
      ['g', ''],
    ]);
  });
});

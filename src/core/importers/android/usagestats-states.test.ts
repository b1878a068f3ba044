import { describe, expect, it } from 'vitest';
import type { Instant } from '../../model/import-records';
import { MAX_STEP_WARNINGS } from './open-states';
import { UsageStateTracker, usageStateOf } from './usagestats-states';

const at = (ms: number): Instant => ({ ms, offsetMin: 0 });
const ev = (type: string, line: number, packageName: string | null = 'android', user = 0) => ({
  user,
  type,
  packageName,
  line,
});

describe('usagestats events as device states', () => {
  it.each([
    ['SCREEN_INTERACTIVE', 'android', { kind: 'screen', value: 'on' }],
    ['SCREEN_NON_INTERACTIVE', 'android', { kind: 'screen', value: 'off' }],
    ['KEYGUARD_SHOWN', 'android', { kind: 'lock', value: 'locked' }],
    ['KEYGUARD_HIDDEN', 'android', { kind: 'lock', value: 'unlocked' }],
    ['ACTIVITY_RESUMED', 'com.example.a', { kind: 'foreground', value: 'com.example.a' }],
    ['ACTIVITY_RESUMED', null, null],
    ['ACTIVITY_PAUSED', 'com.example.a', null],
    ['MOVE_TO_FOREGROUND', 'com.example.a', null],
    ['UNKNOWN_TYPE_99', 'android', null],
  ] as const)('%s (package %s) sets %j', (type, pkg, want) => {
    expect(usageStateOf(type, pkg)).toEqual(want);
  });

  it('SCREEN_NON_INTERACTIVE then SCREEN_INTERACTIVE gives an off interval with its line', () => {
    const t = new UsageStateTracker('usagestats.txt');
    expect(t.event(ev('SCREEN_NON_INTERACTIVE', 5), at(100))).toEqual([]);
    expect(t.event(ev('SCREEN_INTERACTIVE', 9), at(300))).toEqual([
      {
        type: 'device-state',
        kind: 'screen',
        value: 'off',
        from: at(100),
        to: at(300),
        basis: 'usagestats',
        locator: 'usagestats.txt line 5',
      },
    ]);
    const rest = t.end();
    // The last state holds to the last event (the end of the coverage), never past it.
    expect(rest[0]).toMatchObject({ kind: 'screen', value: 'on', from: at(300), to: at(300) });
    expect(rest.filter((r) => r.type === 'device-state-coverage')).toEqual(
      (['screen', 'lock', 'foreground'] as const).map((kind) => ({
        type: 'device-state-coverage',
        kind,
        basis: 'usagestats',
        fromMs: 100,
        toMs: 300,
      })),
    );
  });

  it('KEYGUARD_SHOWN then KEYGUARD_HIDDEN gives a locked interval', () => {
    const t = new UsageStateTracker('u');
    t.event(ev('KEYGUARD_SHOWN', 1), at(10));
    expect(t.event(ev('KEYGUARD_HIDDEN', 2), at(20))).toEqual([
      expect.objectContaining({ kind: 'lock', value: 'locked', from: at(10), to: at(20) }),
    ]);
  });

  it('ACTIVITY_RESUMED holds until its own ACTIVITY_PAUSED or ACTIVITY_STOPPED, or another app resumes', () => {
    const t = new UsageStateTracker('u');
    t.event(ev('ACTIVITY_RESUMED', 1, 'com.a'), at(10));
    // Another app's pause does not end it.
    expect(t.event(ev('ACTIVITY_PAUSED', 2, 'com.b'), at(15))).toEqual([]);
    expect(t.event(ev('ACTIVITY_RESUMED', 3, 'com.b'), at(20))).toEqual([
      expect.objectContaining({ kind: 'foreground', value: 'com.a', from: at(10), to: at(20) }),
    ]);
    expect(t.event(ev('ACTIVITY_STOPPED', 4, 'com.b'), at(30))).toEqual([
      expect.objectContaining({ kind: 'foreground', value: 'com.b', from: at(20), to: at(30) }),
    ]);
    expect(t.end().filter((r) => r.type === 'device-state')).toEqual([]);
  });

  it('DEVICE_SHUTDOWN and DEVICE_STARTUP end every state: nothing is carried across a reboot', () => {
    const t = new UsageStateTracker('u');
    t.event(ev('SCREEN_INTERACTIVE', 1), at(10));
    t.event(ev('KEYGUARD_HIDDEN', 2), at(11));
    t.event(ev('ACTIVITY_RESUMED', 3, 'com.a'), at(12));
    const ended = t.event(ev('DEVICE_SHUTDOWN', 4), at(50));
    expect(ended.map((r) => (r.type === 'device-state' ? [r.kind, r.to] : r.type))).toEqual([
      ['screen', at(50)],
      ['lock', at(50)],
      ['foreground', at(50)],
    ]);
    expect(t.event(ev('DEVICE_STARTUP', 5), at(60))).toEqual([]);
    expect(t.end().filter((r) => r.type === 'device-state')).toEqual([]);
  });

  it('follows each user apart, with its own coverage', () => {
    const t = new UsageStateTracker('u');
    t.event(ev('SCREEN_NON_INTERACTIVE', 1, 'android', 0), at(100));
    t.event(ev('SCREEN_INTERACTIVE', 2, 'android', 10), at(50));
    const rest = t.end();
    expect(rest.filter((r) => r.type === 'device-state').map((r) => [r.value, r.from])).toEqual([
      ['off', at(100)],
      ['on', at(50)],
    ]);
    expect(rest.filter((r) => r.type === 'device-state-coverage' && r.kind === 'screen')).toEqual([
      expect.objectContaining({ fromMs: 100, toMs: 100 }),
      expect.objectContaining({ fromMs: 50, toMs: 50 }),
    ]);
  });

  it('an event earlier than the one before it ends the states there, warns, and later states count only from the latest time read', () => {
    const t = new UsageStateTracker('usagestats.txt');
    t.event(ev('SCREEN_INTERACTIVE', 1), at(0));
    t.event(ev('SCREEN_NON_INTERACTIVE', 2), at(100_000));
    t.event(ev('ACTIVITY_RESUMED', 3, 'com.a'), at(200_000));
    // The clock goes back 150 s: the screen off ends at 200 s; com.a, in front from 200 s, had
    // no time before the step and is left out.
    const back = t.event(ev('SCREEN_INTERACTIVE', 4), at(50_000));
    expect(back.filter((r) => r.type === 'device-state')).toEqual([
      expect.objectContaining({ kind: 'screen', value: 'off', from: at(100_000), to: at(200_000) }),
    ]);
    const warnings = back.flatMap((r) => (r.type === 'warning' ? [r.warning] : []));
    expect(warnings).toEqual([
      expect.objectContaining({
        line: 4,
        locator: 'usagestats.txt line 4',
        code: 'INVALID_TIMESTAMP',
      }),
    ]);
    expect(warnings[0]!.message).toContain(
      '1970-01-01 00:00:50 (UTC+00:00) comes after 1970-01-01 00:03:20 (UTC+00:00), 2 min 30 s earlier',
    );
    // The screen on from 50 s counts only from 200 s, the latest time already read; an interval
    // wholly before it (on 50 s..60 s) is not kept.
    expect(t.event(ev('SCREEN_NON_INTERACTIVE', 5), at(60_000))).toEqual([]);
    expect(t.event(ev('SCREEN_INTERACTIVE', 6), at(250_000))).toEqual([
      expect.objectContaining({
        value: 'off',
        from: at(200_000),
        to: at(250_000),
        locator: 'usagestats.txt line 5',
      }),
    ]);
    expect(t.end().filter((r) => r.type === 'device-state')).toEqual([
      expect.objectContaining({ value: 'on', from: at(250_000), to: at(250_000) }),
    ]);
  });

  it('a step back to before the first event claims no coverage before that event', () => {
    const t = new UsageStateTracker('u');
    t.event(ev('SCREEN_INTERACTIVE', 1), at(100));
    t.event(ev('SCREEN_NON_INTERACTIVE', 2), at(200));
    t.event(ev('SCREEN_INTERACTIVE', 3), at(20));
    t.event(ev('SCREEN_NON_INTERACTIVE', 4), at(40));
    const rest = t.end();
    // The states read at 20 and 40 come after 200 was read: none is kept before 200.
    expect(rest.filter((r) => r.type === 'device-state-coverage' && r.kind === 'screen')).toEqual([
      expect.objectContaining({ fromMs: 100, toMs: 200 }),
    ]);
  });

  it('warns of the first steps back one by one and counts the rest in one warning', () => {
    const t = new UsageStateTracker('u');
    const out = [];
    for (let i = 0; i < MAX_STEP_WARNINGS + 5; i++) {
      out.push(...t.event(ev('SCREEN_INTERACTIVE', 2 * i + 1), at(1000 * i + 500)));
      out.push(...t.event(ev('SCREEN_NON_INTERACTIVE', 2 * i + 2), at(1000 * i)));
    }
    out.push(...t.end());
    const warnings = out.flatMap((r) => (r.type === 'warning' ? [r.warning] : []));
    expect(warnings).toHaveLength(MAX_STEP_WARNINGS + 1);
    expect(warnings.at(-1)).toMatchObject({ line: 2 * MAX_STEP_WARNINGS + 2 });
    expect(warnings.at(-1)!.message).toMatch(/^u line \d+: 5 more usagestats events/);
  });
});

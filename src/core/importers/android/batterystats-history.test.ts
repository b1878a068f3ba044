import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeviceStateRecord } from '../../model/import-records';
import { BatteryHistoryStates, relativeMs, stateChanges } from './batterystats-history';

const place = (wallMs: number) => ({ ms: wallMs, offsetMin: 0 });
const T0 = Date.UTC(2022, 0, 4, 17, 30, 1);

/** Feeds lines (numbered from 1) and returns every record, the end's included. */
function read(lines: string[]): ReturnType<BatteryHistoryStates['end']> {
  const s = new BatteryHistoryStates('batterystats.txt', place);
  const out: ReturnType<BatteryHistoryStates['end']> = [];
  lines.forEach((l, i) => out.push(...s.line(l, i + 1)));
  out.push(...s.end());
  return out;
}

/** The state records by kind (foreground first), then start. */
const states = (rs: ReturnType<typeof read>) =>
  rs
    .filter((r): r is DeviceStateRecord => r.type === 'device-state')
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.from.ms - b.from.ms);

describe('batterystats history', () => {
  it.each([
    ['0', 0],
    ['+343ms', 343],
    ['+1s235ms', 1235],
    ['+23m32s163ms', 23 * 60_000 + 32_163],
    ['+1h26m18s315ms', 3_600_000 + 26 * 60_000 + 18_315],
    ['+2d23h22m24s588ms', 2 * 86_400_000 + 23 * 3_600_000 + 22 * 60_000 + 24_588],
    ['+', null],
    ['+1x', null],
    ['+999999d', null],
  ])('relative time %s is %s ms', (text, ms) => {
    expect(relativeMs(text)).toBe(ms);
  });

  it('reads +screen, -screen, top=, +top= and -top=, and nothing inside quotes', () => {
    expect(
      stateChanges(
        '100 c0100024 +running +screen brightness=bright top=1000:"com.wssyncmldm" stats=0:"screen-state"',
      ),
    ).toEqual([
      { kind: 'screen', value: 'on' },
      { kind: 'foreground', value: 'com.wssyncmldm' },
    ]);
    expect(stateChanges('100 80000024 -wake_lock -screen -usb_data')).toEqual([
      { kind: 'screen', value: 'off' },
    ]);
    expect(stateChanges('095 -top=u0a280:"com.whatsapp"')).toEqual([
      { kind: 'foreground', value: null, ending: 'com.whatsapp' },
    ]);
    expect(stateChanges('100 +screen_doze screen=1 +top')).toEqual([]);
  });

  it('places lines by the RESET:TIME line and gives screen and top-app intervals with their lines', () => {
    const rs = read([
      'Battery History (0% used, 2720 used of 4096KB, 31 strings using 2694):',
      '                    0 (19) RESET:TIME: 2022-01-04-17-30-01',
      '                    0 (2) 100 status=discharging +screen top=u0a44:"com.sec.android.app.launcher"',
      '            +47s645ms (2) 100 -screen +job=u0a94:"com.samsung.android.app.reminder/.X"',
      '       +1h26m18s315ms (2) 095 +screen +top=u0a280:"com.whatsapp"',
      '       +1h28m35s053ms (2) 095 -top=u0a280:"com.whatsapp"',
      '',
      'Daily stats:',
      '  +5m (1) 100 +screen',
    ]);
    const at = (ms: number) => ({ ms: T0 + ms, offsetMin: 0 });
    const s1 = 47_645;
    const s2 = 3_600_000 + 26 * 60_000 + 18_315;
    const s3 = 3_600_000 + 28 * 60_000 + 35_053;
    expect(states(rs).map((r) => [r.kind, r.value, r.from, r.to, r.locator])).toEqual([
      ['foreground', 'com.sec.android.app.launcher', at(0), at(s2), 'batterystats.txt line 3'],
      ['foreground', 'com.whatsapp', at(s2), at(s3), 'batterystats.txt line 5'],
      ['screen', 'on', at(0), at(s1), 'batterystats.txt line 3'],
      ['screen', 'off', at(s1), at(s2), 'batterystats.txt line 4'],
      ['screen', 'on', at(s2), at(s3), 'batterystats.txt line 5'],
    ]);
    expect(states(rs).every((r) => r.basis === 'batterystats')).toBe(true);
    // Coverage of the screen and the top app only (batterystats says nothing of the lock).
    expect(rs.filter((r) => r.type === 'device-state-coverage')).toEqual([
      {
        type: 'device-state-coverage',
        kind: 'screen',
        basis: 'batterystats',
        fromMs: T0,
        toMs: T0 + s3,
      },
      {
        type: 'device-state-coverage',
        kind: 'foreground',
        basis: 'batterystats',
        fromMs: T0,
        toMs: T0 + s3,
      },
    ]);
  });

  it('skips lines before a clock line, and ends every state at START, SHUTDOWN or *OVERFLOW*', () => {
    const rs = read([
      'Battery History (1% used):',
      '                    0 (2) 100 +screen',
      '                    0 (19) RESET:TIME: 2022-01-04-17-30-01',
      '                +1s (2) 100 +screen',
      '                +2s (8) SHUTDOWN',
      '                +3s (8) START',
      '                +4s (19) TIME: 2022-01-05-09-00-00',
      '                +5s (2) 100 -screen',
    ]);
    expect(
      states(rs).map((r) => [r.value, r.from.ms - T0, r.to === null ? null : r.to.ms - T0]),
    ).toEqual([
      ['on', 1000, 2000],
      ['off', Date.UTC(2022, 0, 5, 9, 0, 1) - T0, Date.UTC(2022, 0, 5, 9, 0, 1) - T0],
    ]);
  });

  it('a TIME line setting the clock back half an hour ends the states there, warns, and gives no overlapping interval', () => {
    const rs = read([
      'Battery History (1% used):',
      '                    0 (19) RESET:TIME: 2022-01-04-17-30-01',
      '                    0 (2) 100 +screen top=u0a44:"com.a"',
      '               +10m (2) 100 -screen',
      '               +20m (19) TIME: 2022-01-04-17-20-01',
      '               +25m (2) 100 +screen',
      '               +40m (2) 100 -screen +top=u0a45:"com.b"',
      '               +50m (2) 100 +screen',
    ]);
    const min = 60_000;
    expect(
      states(rs).map((r) => [r.kind, r.value, r.from.ms - T0, r.to && r.to.ms - T0, r.locator]),
    ).toEqual([
      // Before the step: the last line read at +10m (17:40:01) ends every state.
      ['foreground', 'com.a', 0, 10 * min, 'batterystats.txt line 3'],
      // After it the line at +25m is placed at 17:25:01 and the one at +40m at 17:40:01.
      ['foreground', 'com.b', 10 * min, 20 * min, 'batterystats.txt line 7'],
      ['screen', 'on', 0, 10 * min, 'batterystats.txt line 3'],
      // The screen off of line 4 began at the first run's last instant: no time in it, left out.
      // The screen on from 17:25:01 to 17:40:01 was already covered by the first run: dropped.
      ['screen', 'off', 10 * min, 20 * min, 'batterystats.txt line 7'],
      ['screen', 'on', 20 * min, 20 * min, 'batterystats.txt line 8'],
    ]);
    const warnings = rs.flatMap((r) => (r.type === 'warning' ? [r.warning] : []));
    expect(warnings).toEqual([
      {
        line: 6,
        locator: 'batterystats.txt line 6',
        code: 'INVALID_TIMESTAMP',
        message:
          "batterystats.txt line 6: the battery history's time goes back here (placed by the TIME line at line 5): 2022-01-04 17:25:01 (UTC+00:00) comes after 2022-01-04 17:40:01 (UTC+00:00), 15 min earlier. The screen and top-app states read before end at 2022-01-04 17:40:01 (UTC+00:00); those read after count only from 2022-01-04 17:40:01 (UTC+00:00), as the times before it were read once already.",
      },
    ]);
  });

  it('a state begun at the last instant before a step back is left out, so the same state begun again there is kept whole', () => {
    const rs = read([
      'Battery History (1% used):',
      '                    0 (19) RESET:TIME: 2022-01-04-17-30-01',
      '                    0 (2) 100 -screen',
      '               +10m (2) 100 +screen',
      '               +20m (19) TIME: 2022-01-04-17-30-01',
      '               +25m (2) 100 +screen',
      '               +40m (2) 100 -screen',
    ]);
    const min = 60_000;
    // Line 4 begins "on" at 17:40:01, the last instant before the step; line 6 begins "on" again
    // at 17:35:01, kept from 17:40:01. Both would be stored as on from 17:40:01, and the case
    // keeps one state per kind, value and start: the one with a duration is the one kept.
    expect(
      states(rs).map((r) => [r.value, r.from.ms - T0, r.to && r.to.ms - T0, r.locator]),
    ).toEqual([
      ['off', 0, 10 * min, 'batterystats.txt line 3'],
      ['on', 10 * min, 20 * min, 'batterystats.txt line 6'],
      ['off', 20 * min, 20 * min, 'batterystats.txt line 7'],
    ]);
  });

  it('reads nothing outside a Battery History block', () => {
    expect(read(['Daily stats:', '  +5m (1) 100 +screen'])).toEqual([]);
  });

  const fixture = '/work/shared/fixtures/android/androidqf/dumpsys.txt';
  it.skipIf(!existsSync(fixture))('reads the AndroidQF fixture’s batterystats section', () => {
    const text = readFileSync(fixture, 'latin1').split('\n');
    const start = text.findIndex((l) => l.startsWith('DUMP OF SERVICE batterystats:'));
    expect(start).toBeGreaterThan(0);
    const rs = read(text.slice(start + 1, start + 80));
    const base = Date.UTC(2023, 6, 27, 12, 34, 18);
    // The section's last history line: +23m33s910ms.
    const LAST = 23 * 60_000 + 33_910;
    const screens = states(rs).filter((r) => r.kind === 'screen');
    expect(
      screens.slice(0, 2).map((r) => [r.value, r.from.ms - base, r.to && r.to.ms - base]),
    ).toEqual([
      ['on', 0, 343],
      ['off', 343, LAST],
    ]);
    expect(states(rs).find((r) => r.kind === 'foreground')).toMatchObject({
      value: 'com.wssyncmldm',
      from: { ms: base },
      to: { ms: base + LAST },
    });
  });
});

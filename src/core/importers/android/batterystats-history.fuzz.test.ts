import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportWarning } from '../../../contract/warnings';
import type { DeviceStateRecord } from '../../model/import-records';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { BatteryHistoryStates } from './batterystats-history';
import { MAX_STEP_WARNINGS } from './open-states';

const DAY = 86_400_000;
/** The longest relative time the reader accepts (400 days). */
const MAX_REL = 400 * DAY;

type Item =
  | { t: 'time'; rel: number; wall: number; reset: boolean }
  | { t: 'state'; rel: number; tokens: string[] }
  | { t: 'command'; rel: number; command: 'START' | 'SHUTDOWN' | '*OVERFLOW*' }
  | { t: 'restart' };

// Relative times that go forward, stay, go back, and reach the extremes.
const rel = fc.oneof(
  fc.integer({ min: 0, max: 2 * 3_600_000 }),
  fc.constantFrom(0, 1, 999, 1000, MAX_REL - 1, MAX_REL),
  fc.integer({ min: 0, max: MAX_REL }),
);
// Clock times inside and outside the years the reader accepts (2007–2100), at extreme ends too.
const wall = fc.oneof(
  fc.integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2022, 0, 2) }),
  fc.constantFrom(
    Date.UTC(2007, 0, 1),
    Date.UTC(2100, 11, 31, 23, 59, 59),
    Date.UTC(2006, 11, 31, 23, 59, 59),
    Date.UTC(2101, 0, 1),
  ),
  fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2110, 0, 1) }),
);
const token = fc.constantFrom(
  '+screen',
  '-screen',
  'screen',
  'top=u0a1:"com.a"',
  '+top=u0a2:"com.b"',
  '-top=u0a1:"com.a"',
  '-top=u0a2:"com.b"',
  '+top=u0a3:"com.c"',
  'brightness=dark',
);
const item: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('time' as const), rel, wall, reset: fc.boolean() }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('state' as const),
      rel,
      tokens: fc.array(token, { maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('command' as const),
      rel,
      command: fc.constantFrom('START' as const, 'SHUTDOWN' as const, '*OVERFLOW*' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A relative time as the history prints it (`0`, `+1d2h3m4s5ms`). */
function relText(ms: number): string {
  if (ms === 0) return '0';
  const units: [number, string][] = [
    [DAY, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  let rest = ms;
  let out = '+';
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) out += `${n}${unit}`;
  }
  return out;
}

function timeText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
}

function lineOf(i: Item): string[] {
  switch (i.t) {
    case 'time':
      return [`  ${relText(i.rel)} (19) ${i.reset ? 'RESET:' : ''}TIME: ${timeText(i.wall)}`];
    case 'state':
      return [`  ${relText(i.rel)} (2) 100 ${i.tokens.join(' ')}`];
    case 'command':
      return [`  ${relText(i.rel)} (8) ${i.command}`];
    case 'restart':
      return ['', 'Battery History (1% used):'];
  }
}

// The instants the reader is expected to place lines at, worked out apart from it: a line is placed
// from the latest clock line of an accepted year, whole seconds, by the difference of relative times.
function placedTimes(items: Item[]): number[] {
  let base: { wall: number; rel: number } | null = null;
  const out: number[] = [];
  for (const i of items) {
    if (i.t === 'restart') continue;
    if (i.t === 'time') {
      const w = Math.floor(i.wall / 1000) * 1000;
      const y = new Date(w).getUTCFullYear();
      if (y >= 2007 && y <= 2100) base = { wall: w, rel: i.rel };
      continue;
    }
    if (base !== null) out.push(base.wall + i.rel - base.rel);
  }
  return out;
}

const overlaps = (a: DeviceStateRecord, b: DeviceStateRecord): boolean =>
  a.from.ms < b.to!.ms && b.from.ms < a.to!.ms;

describe('batterystats history with any clock lines', () => {
  it(
    'never stores overlapping or reversed intervals of one kind, and warns of every step back',
    () => {
      fc.assert(
        fc.property(fc.array(item, { maxLength: 40 }), (items) => {
          const lines = ['Battery History (1% used):', ...items.flatMap(lineOf)];
          const reader = new BatteryHistoryStates('batterystats.txt', (ms) => ({
            ms,
            offsetMin: 0,
          }));
          const records: ReturnType<BatteryHistoryStates['end']> = lines.flatMap((l, n) =>
            reader.line(l, n + 1),
          );
          records.push(...reader.end());
          const states = records.filter((r): r is DeviceStateRecord => r.type === 'device-state');
          const coverage = records.find((r) => r.type === 'device-state-coverage');
          for (const r of states) {
            expect(r.to).not.toBeNull();
            expect(r.to!.ms).toBeGreaterThanOrEqual(r.from.ms);
            // Inside the history's coverage: nothing is claimed where no line was placed.
            expect(coverage).toBeDefined();
            expect(r.from.ms).toBeGreaterThanOrEqual(coverage!.fromMs);
            expect(r.to!.ms).toBeLessThanOrEqual(coverage!.toMs);
          }
          for (const kind of ['screen', 'foreground'] as const) {
            const ofKind = states.filter((r) => r.kind === kind);
            for (let a = 0; a < ofKind.length; a++)
              for (let b = a + 1; b < ofKind.length; b++)
                expect(
                  overlaps(ofKind[a]!, ofKind[b]!),
                  JSON.stringify([ofKind[a], ofKind[b]]),
                ).toBe(false);
          }
          const times = placedTimes(items);
          const steps = times.filter((t, k) => k > 0 && t < times[k - 1]!).length;
          const warnings = records.flatMap((r): ImportWarning[] =>
            r.type === 'warning' ? [r.warning] : [],
          );
          expect(warnings).toHaveLength(
            Math.min(steps, MAX_STEP_WARNINGS) + (steps > MAX_STEP_WARNINGS ? 1 : 0),
          );
          for (const w of warnings) expect(w.locator).toMatch(/^batterystats\.txt line \d+$/);
        }),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 20_000,
  );

  it('counts steps back past the warned ones in one warning', () => {
    const reader = new BatteryHistoryStates('b.txt', (ms) => ({ ms, offsetMin: 0 }));
    const lines = ['Battery History (1% used):', '  0 (19) RESET:TIME: 2022-01-04-17-30-01'];
    for (let k = 0; k < MAX_STEP_WARNINGS + 3; k++)
      lines.push(`  +${k + 10}s (2) 100 +screen`, `  +${k}s (2) 100 -screen`);
    const records: ReturnType<BatteryHistoryStates['end']> = lines.flatMap((l, n) =>
      reader.line(l, n + 1),
    );
    records.push(...reader.end());
    const warnings = records.flatMap((r) => (r.type === 'warning' ? [r.warning] : []));
    expect(warnings).toHaveLength(MAX_STEP_WARNINGS + 1);
    expect(warnings.at(-1)!.message).toMatch(
      /^b.txt line \d+: 3 more lines of the battery history/,
    );
    expect(warnings.at(-1)!.locator).toBe(`b.txt line ${2 + 2 * MAX_STEP_WARNINGS + 2}`);
  });
});

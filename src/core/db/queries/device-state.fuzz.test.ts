import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../testing/fuzz';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { deviceStateAt, deviceStatesAt, type DeviceStateAt } from './device-state';
import { addCoverage, addState, addStateSource } from './device-state-testing';

type Kind = 'screen' | 'lock' | 'foreground';
const VALUES: Record<Kind, string[]> = {
  screen: ['on', 'off'],
  lock: ['locked', 'unlocked'],
  foreground: ['com.apple.lock-screen', 'com.example.a', 'com.example.b'],
};

const kindArb = fc.constantFrom<Kind>('screen', 'lock', 'foreground');
const windowArb = fc.record({
  source: fc.integer({ min: 0, max: 2 }),
  kind: kindArb,
  from: fc.integer({ min: 0, max: 1000 }),
  len: fc.integer({ min: 0, max: 600 }),
});
const stateArb = fc.record({
  source: fc.integer({ min: 0, max: 2 }),
  kind: kindArb,
  value: fc.integer({ min: 0, max: 2 }),
  from: fc.integer({ min: 0, max: 1200 }),
  len: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
});

let c: TempCase;
let sources: number[];
beforeAll(() => {
  c = tempCase();
  sources = [0, 1, 2].map((i) => addStateSource(c.session.db, c.deviceId, `s${i}.PLSQL`));
});
afterAll(() => c.cleanup());

interface Row {
  id: number;
  sourceId: number;
  kind: Kind;
  value: string;
  fromMs: number;
  toMs: number | null;
  locator: string;
}

// The answer worked out the slow way, from every stored row.
function oracle(
  rows: Row[],
  windows: { sourceId: number; kind: Kind; fromMs: number; toMs: number }[],
  ms: number,
): DeviceStateAt {
  const out: DeviceStateAt = {
    screen: null,
    locked: null,
    foregroundApp: null,
    basis: null,
    sources: [],
  };
  for (const kind of ['screen', 'lock', 'foreground'] as const) {
    const live = rows
      .filter(
        (r) =>
          r.kind === kind &&
          r.fromMs <= ms &&
          (r.toMs === null || r.toMs > ms) &&
          windows.some(
            (w) => w.kind === kind && w.sourceId === r.sourceId && w.fromMs <= ms && w.toMs >= ms,
          ),
      )
      .sort((a, b) => b.fromMs - a.fromMs || b.id - a.id);
    const best = live[0];
    if (!best) continue;
    if (kind === 'screen') out.screen = best.value as 'on' | 'off';
    else if (kind === 'lock') out.locked = best.value === 'locked';
    else out.foregroundApp = best.value;
    out.sources.push({ sourceId: best.sourceId, locator: best.locator });
    out.basis = 'powerlog';
  }
  return out;
}

describe('device state at an instant (property)', () => {
  it('is never reported outside coverage, and the bulk form agrees with one-at-a-time and with a slow oracle', () => {
    fc.assert(
      fc.property(
        fc.array(windowArb, { maxLength: 6 }),
        fc.array(stateArb, { maxLength: 20 }),
        fc.array(fc.integer({ min: -10, max: 1700 }), { minLength: 1, maxLength: 25 }),
        (wins, states, instants) => {
          const db = c.session.db;
          db.exec('DELETE FROM device_states; DELETE FROM device_state_coverage;');
          for (const w of wins)
            addCoverage(db, c.deviceId, sources[w.source]!, w.kind, w.from, w.from + w.len);
          states.forEach((s, i) =>
            addState(
              db,
              c.deviceId,
              sources[s.source]!,
              s.kind,
              VALUES[s.kind][s.value % VALUES[s.kind].length]!,
              s.from,
              s.len === null ? null : s.from + s.len,
              `row ${i}`,
            ),
          );
          const rows = db
            .prepare(
              'SELECT id, source_id AS sourceId, kind, value, from_ms AS fromMs, to_ms AS toMs, locator FROM device_states',
            )
            .all() as Row[];
          const windows = db
            .prepare(
              'SELECT source_id AS sourceId, kind, from_ms AS fromMs, to_ms AS toMs FROM device_state_coverage',
            )
            .all() as { sourceId: number; kind: Kind; fromMs: number; toMs: number }[];
          const bulk = deviceStatesAt(db, c.deviceId, instants);
          instants.forEach((ms, i) => {
            const got = bulk[i]!;
            const covered = (kind: Kind): boolean =>
              windows.some((w) => w.kind === kind && w.fromMs <= ms && w.toMs >= ms);
            if (got.screen !== null) expect(covered('screen')).toBe(true);
            if (got.locked !== null) expect(covered('lock')).toBe(true);
            if (got.foregroundApp !== null) expect(covered('foreground')).toBe(true);
            expect(deviceStateAt(db, c.deviceId, ms)).toEqual(got);
            const want = oracle(rows, windows, ms);
            expect({ ...got, sources: [...got.sources].sort(bySource) }).toEqual({
              ...want,
              sources: [...want.sources].sort(bySource),
            });
          });
        },
      ),
      fuzzOptions(150),
    );
  });
});

function bySource(a: { locator: string }, b: { locator: string }): number {
  return a.locator < b.locator ? -1 : a.locator > b.locator ? 1 : 0;
}

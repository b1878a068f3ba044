import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { parsePowerLog, PowerLogError, type PowerLogStates } from './reader';
import { buildPowerLog, POWERLOG_SCHEMA, type SyntheticRows } from './testing/synthetic';

const T = Date.UTC(2021, 11, 16) / 1000;

// Values SQLite can hold, with the extremes: huge, negative, non-finite (stored as NULL or as
// ±Inf), big integers, text and blobs in numeric columns.
const sqlValue = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, 2, -1, T, T + 1, 1e308, -1e308),
  fc.double({ min: T - 1e6, max: T + 1e6, noNaN: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
  fc.constant(null),
);

const COLUMNS: Record<string, readonly string[]> = {
  PLStorageOperator_EventForward_TimeOffset: ['timestamp', 'system'],
  PLSpringBoardAgent_EventForward_SBLock: ['timestamp', 'Locked'],
  PLSpringBoardAgent_EventForward_SBBlank: ['timestamp', 'Blanked'],
  PLScreenStateAgent_EventForward_ScreenState: ['timestamp', 'Display', 'bundleID'],
  PLScreenStateAgent_EventPoint_BacklightEvent: ['timestamp', 'BacklightLevel'],
  PLLocationAgent_EventForward_ClientStatus: ['timestamp', 'Client', 'Type', 'timestampEnd'],
  PLCameraAgent_EventForward_Camera: ['timestamp', 'BundleId', 'State'],
  PLApplicationAgent_EventForward_Application: ['timestamp', 'Identifier', 'State'],
};

const tableRows = (table: string) =>
  fc.array(fc.record(Object.fromEntries(COLUMNS[table]!.map((c) => [c, sqlValue] as const))), {
    maxLength: 6,
  });

// A random subset of the tables, each declared with the real schema or with every column untyped
// (so that any value keeps its own type), holding random rows.
const database = fc
  .record(
    Object.fromEntries(
      Object.keys(COLUMNS).map(
        (t) => [t, fc.option(fc.tuple(tableRows(t), fc.boolean()))] as const,
      ),
    ),
  )
  .map((tables) => {
    const rows: SyntheticRows = { PLOther_Marker: [] };
    const schema: Record<string, string> = {
      PLOther_Marker: 'CREATE TABLE PLOther_Marker (timestamp)',
    };
    for (const [table, v] of Object.entries(tables)) {
      if (v === null) continue;
      const [r, untyped] = v;
      rows[table] = r;
      schema[table] = untyped
        ? `CREATE TABLE "${table}" (${COLUMNS[table]!.map((c) => `"${c}"`).join(', ')})`
        : POWERLOG_SCHEMA[table]!;
    }
    return buildPowerLog(rows, schema);
  });

function checkInvariants(r: PowerLogStates): void {
  for (let i = 1; i < r.changes.length; i++) {
    expect(r.changes[i]!.atMs).toBeGreaterThanOrEqual(r.changes[i - 1]!.atMs);
  }
  for (const c of r.changes) expect(Number.isFinite(c.atMs)).toBe(true);
  for (const i of r.intervals) expect(i.endMs).toBeGreaterThan(i.startMs - 1);
}

function onlyPowerLogErrors(bytes: Uint8Array): boolean {
  try {
    checkInvariants(parsePowerLog(bytes));
  } catch (err) {
    if (!(err instanceof PowerLogError)) throw err;
  }
  return true;
}

describe('parsePowerLog over extreme synthetic databases', () => {
  it(
    'returns sorted, finite results or a PowerLogError',
    () => {
      fc.assert(fc.property(database, onlyPowerLogErrors), fuzzOptions(200));
    },
    fuzzing() ? 0 : 20_000,
  );

  it(
    'damaged database bytes raise only PowerLogError',
    () => {
      const base = buildPowerLog({
        PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: -400 }],
        PLSpringBoardAgent_EventForward_SBLock: [
          { timestamp: T + 1, Locked: 1 },
          { timestamp: T + 2, Locked: 0 },
        ],
        PLScreenStateAgent_EventForward_ScreenState: [
          { timestamp: T + 3, Display: 0, bundleID: 'a' },
        ],
      });
      const mutation = fc.array(
        fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
        { minLength: 1, maxLength: 12 },
      );
      fc.assert(
        fc.property(mutation, fc.nat(), (changes, cut) => {
          const b = Buffer.from(base);
          for (const c of changes) b[c.at % b.length] = c.byte;
          return onlyPowerLogErrors(cut % 3 === 0 ? b.subarray(0, cut % b.length) : b);
        }),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 20_000,
  );
});

// Whatever a window sends, the bridge answers it or says what was wrong with it: every query call
// that passes its schema, with filters, ranges, widths and windows drawn from the edges of what
// the schema lets through (calendar dates that do not exist, offsets past ±24 h, extreme years and
// numbers, any text), gives an answer or a coded error (INVALID_INPUT, NOT_FOUND, …), never
// INTERNAL (an unexpected error) and never a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import type { ApiHandlers } from '../../contract/api';
import type { CoreApp } from '../app';
import { createCoreApp } from '../create-core-app';
import { accessPair } from '../testing/apr-fixture';
import { fuzzOptions } from '../testing/fuzz';
import { dispatch } from './dispatch';

let dir: string;
let core: CoreApp;
let deviceId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-bridge-'));
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '0.0.0-test' });
  const h = core.handlers;
  await h.createCase({ path: join(dir, 'c.snoopcase') });
  deviceId = (await h.createDevice({ label: 'A' })).id;
  const lines = Array.from({ length: 120 }, (_, i) =>
    accessPair({
      app: `com.example.app${i % 7}`,
      category: CATEGORIES[i % 3]!,
      id: `I${i}`,
      ms: Date.UTC(2024, 0, 1) + i * 3_500_000,
      durationMs: (i % 11) * 7_000,
      offsetMin: (i % 5) * 60 - 120,
    }),
  ).flat();
  const file = join(dir, 'r.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const done = new Promise<void>((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event === 'onImportFinished') {
        off();
        resolve();
      }
    });
  });
  await h.startImport({ paths: [file], deviceId });
  await done;
}, 60_000);

afterAll(async () => {
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Numbers at the edges of what a double holds, and ordinary ones. */
const anyNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, 8.64e15, 8.64e15 + 1),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e308, -1e308),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2025, 0, 1) }),
);

type Span = [min: number, max: number];
/** A `YYYY-MM-DD` text of years, months and days drawn from the ranges given. */
const dayWithin = ([y0, y1]: Span, [m0, m1]: Span, [d0, d1]: Span): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: y0, max: y1 }),
      fc.integer({ min: m0, max: m1 }),
      fc.integer({ min: d0, max: d1 }),
    )
    .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);

/** Dates the schema's pattern lets through: mostly real ones, and ones no calendar has. */
const dayText = fc.oneof(
  { weight: 4, arbitrary: dayWithin([2023, 2025], [1, 12], [1, 28]) },
  { weight: 1, arbitrary: dayWithin([0, 9999], [0, 99], [0, 99]) },
);
const boundText = fc.oneof(
  dayText,
  fc
    .tuple(
      dayText,
      fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 23 }) },
        fc.integer({ min: 0, max: 99 }),
      ),
      fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 59 }) },
        fc.integer({ min: 0, max: 99 }),
      ),
      fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 999_999_999 }), { nil: undefined }),
      fc.oneof(
        fc.constant('Z'),
        fc
          .tuple(
            fc.constantFrom('+', '-'),
            fc.oneof(
              { weight: 4, arbitrary: fc.integer({ min: 0, max: 14 }) },
              fc.integer({ min: 0, max: 99 }),
            ),
            fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom(0, 30, 45) },
              fc.integer({ min: 0, max: 99 }),
            ),
          )
          .map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`),
      ),
    )
    .map(([day, h, m, s, frac, zone]) => {
      const seconds = s === undefined ? '' : `:${pad(s, 2)}${frac === undefined ? '' : `.${frac}`}`;
      return `${day}T${pad(h, 2)}:${pad(m, 2)}${seconds}${zone}`;
    }),
);
const hhmm = fc.oneof(
  fc.constant('24:00'),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${pad(h, 2)}:${pad(m, 2)}`),
);
const text = fc.oneof(
  fc.constantFrom('com.example.app1', 'app', '%', '_', "o'brien", '"', '\\', '微信', '😀', ' '),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const ids = fc.array(
  fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 5 }), fc.constantFrom(2 ** 31, 2 ** 53 - 1)),
  { maxLength: 3 },
);

const filterArb = fc.record(
  {
    devices: ids,
    apps: fc.array(text, { maxLength: 3 }),
    categories: fc.subarray([...CATEGORIES]),
    from: boundText,
    to: boundText,
    hours: fc.record({ from: hhmm, to: hhmm }),
    minSeconds: anyNumber.map(Math.abs),
    states: fc.subarray(['foreground', 'background', 'unknown'] as const),
    deviceStates: fc.subarray(['in-use', 'screen-off', 'locked', 'unknown'] as const),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 2 }),
    starred: fc.boolean(),
  },
  { requiredKeys: [] },
);
const rangeArb = fc.record({ fromMs: anyNumber, toMs: anyNumber });
const widthArb = fc.oneof(fc.constantFrom(10, 20_000), fc.integer({ min: 10, max: 20_000 }));

type Call = [method: string, input: Record<string, unknown>];
const c = (method: string, input: Record<string, unknown>): Call => [method, input];

/** One call of a query method with its input. */
const callArb: fc.Arbitrary<Call> = fc.oneof(
  filterArb.map((filter) => c('querySummary', { filter })),
  fc
    .tuple(filterArb, fc.record({ from: hhmm, to: hhmm }))
    .map(([filter, night]) => c('querySummary', { filter, night })),
  filterArb.map((filter) => c('queryHeatmap', { filter })),
  fc
    .record(
      {
        filter: filterArb,
        range: rangeArb,
        width: widthArb,
        laneSearch: fc.string({ maxLength: 30 }),
        lanes: fc.record({
          offset: fc.integer({ min: 0, max: 1_000_000 }),
          limit: fc.integer({ min: 1, max: 1000 }),
        }),
      },
      { requiredKeys: ['filter', 'width'] },
    )
    .map((input) => c('queryTimeline', input)),
  fc
    .record(
      { filter: filterArb, range: rangeArb, width: widthArb },
      { requiredKeys: ['filter', 'width'] },
    )
    .map((input) => c('queryTimeOfDay', input)),
  fc
    .tuple(filterArb, fc.constantFrom('latest', 'all'))
    .map(([filter, snapshots]) => c('queryNetworkGroups', { filter, snapshots })),
  fc
    .record({
      filter: filterArb,
      deviceId: fc.integer({ min: 1, max: 3 }),
      app: text,
      offset: fc.integer({ min: 0, max: 1_000_000_000 }),
      limit: fc.integer({ min: 1, max: 500 }),
    })
    .map((input) => c('queryNetworkRows', input)),
  filterArb.map((filter) => c('queryPermissions', { filter })),
  filterArb.map((filter) => c('queryNetworkUsage', { filter })),
  filterArb.map((filter) => c('queryProfiles', { filter })),
  fc
    .record(
      { filter: filterArb, evidenceLimit: fc.integer({ min: 0, max: 5000 }), list: fc.boolean() },
      { requiredKeys: ['filter'] },
    )
    .map((input) => c('queryFindings', input)),
  fc
    .record({
      filter: filterArb,
      findingId: text,
      offset: fc.integer({ min: 0, max: 5000 }),
      limit: fc.integer({ min: 1, max: 1000 }),
    })
    .map((input) => c('getFindingEvidence', input)),
  fc
    .record({ deviceIds: ids, fromMs: anyNumber, toMs: anyNumber })
    .map((input) => c('queryDeviceStates', input)),
  fc
    .array(
      fc.record(
        { label: text, deviceId: fc.integer({ min: 1, max: 3 }), from: dayText, to: dayText },
        { requiredKeys: ['label', 'deviceId'] },
      ),
      { minLength: 2, maxLength: 4 },
    )
    .map((columns) => c('queryCompare', { columns })),
  text.map((id) => c('getSession', { id: id.slice(0, 300) })),
  text.map((id) => c('getRecord', { id: id.slice(0, 100) })),
);

describe('the bridge, over inputs at the edges of its schemas', () => {
  it('answers every query or says what is wrong, never with an unexpected error', async () => {
    const logged: string[] = [];
    // The file pickers belong to the desktop host; no call drawn here reaches them.
    const handlers = core.handlers as unknown as ApiHandlers;
    let answered = 0;
    const codes = new Map<string, number>();
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(callArb, async ([method, input]) => {
        calls += 1;
        logged.length = 0;
        const r = await dispatch(handlers, method, input, (m) => logged.push(m));
        if (r.ok) answered += 1;
        else {
          codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
          expect(r.error.code, `${method} ${JSON.stringify(input)}: ${r.error.message}`).not.toBe(
            'INTERNAL',
          );
          expect(r.error.message).not.toMatch(/\n\s+at /);
        }
        expect(logged).toEqual([]);
      }),
      fuzzOptions(200),
    );
    // Many inputs pass their schema and reach the queries (about 45 % of them), rather than all
    // being refused at it.
    expect(answered, JSON.stringify([...codes])).toBeGreaterThan(calls / 4);
  }, 180_000);
});

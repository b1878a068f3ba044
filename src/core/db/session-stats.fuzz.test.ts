import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import {
  decodeStatsCells,
  durationCount,
  encodeStatsCells,
  type StatsCell,
} from './session-stats-cells';
import { STATS_CHECKPOINT_EVERY } from './session-stats-codec';
import { countStatsCellsAtLeast, sumStatsCells } from './session-stats-counts';

const K = STATS_CHECKPOINT_EVERY;

/** A difference between neighbouring durations: ties, short ones, the two-byte edge, wide ones. */
const difference = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 3_000 }), weight: 5 },
  { arbitrary: fc.constantFrom(65_534, 65_535, 65_536), weight: 1 },
  { arbitrary: fc.integer({ min: 65_535, max: 2_000_000_000 }), weight: 1 },
);

/** Cell sizes around the checkpoint spacing, and some large ones. */
const size = fc.oneof(
  fc.constantFrom(0, 1, 2, K - 1, K, K + 1, 2 * K - 1, 2 * K, 2 * K + 1, 3 * K),
  fc.integer({ min: 0, max: 12 * K }),
);

/** Ascending whole durations (a negative first one too: it is stored zigzag-mapped). */
const durations = fc.tuple(fc.integer({ min: -5_000, max: 3_000_000 }), size).chain(([first, n]) =>
  fc
    .array(difference, { minLength: Math.max(0, n - 1), maxLength: Math.max(0, n - 1) })
    .map((diffs) => {
      if (n === 0) return new Float64Array(0);
      const out = new Float64Array(n);
      out[0] = first;
      for (let i = 1; i < n; i += 1) out[i] = out[i - 1]! + diffs[i - 1]!;
      return out;
    }),
);

const CATEGORIES = ['photos', 'camera', 'microphone'];

/** A bucket's cells: distinct app × category, with some sessions each (a stored cell has some). */
const cells = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.constantFrom(...CATEGORIES), durations), {
    minLength: 1,
    maxLength: 5,
  })
  .map((list) => {
    const seen = new Set<string>();
    const out: StatsCell[] = [];
    for (const [appId, category, values] of list) {
      const key = `${appId}|${category}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const hours = new Array<number>(24).fill(0);
      hours[appId % 24] = values.length + 1;
      out.push({ appId, category, hours, background: 0, known: 1, durations: values });
    }
    return out;
  });

/** Least durations: every stored value, its neighbours, and values below and above them all. */
function leasts(all: StatsCell[]): number[] {
  const out = new Set<number>([-1e15, 0, 45_000, 1e15]);
  for (const c of all)
    for (let i = 0; i < c.durations.length; i += Math.max(1, Math.floor(c.durations.length / 40))) {
      const v = c.durations[i]!;
      out.add(v);
      out.add(v - 1);
      out.add(v + 1);
    }
  for (const c of all)
    if (c.durations.length > 0) {
      out.add(c.durations[0]!);
      out.add(c.durations[c.durations.length - 1]!);
      out.add(c.durations[c.durations.length - 1]! + 1);
    }
  return [...out];
}

/** The plain count and sum of the durations at or above `least`. */
function plain(values: Float64Array, least: number): [number, number] {
  let n = 0;
  let total = 0;
  for (const v of values)
    if (v >= least) {
      n += 1;
      total += v;
    }
  return [n, total];
}

const key = (appId: number, category: string): string => `${appId}|${category}`;

describe('session stats blobs', () => {
  it('decode to the cells encoded, with the count, sum and longest of their durations', () => {
    fc.assert(
      fc.property(cells, (all) => {
        const blob = encodeStatsCells(all);
        const sorted = [...all].sort(
          (a, b) => a.appId - b.appId || (a.category < b.category ? -1 : 1),
        );
        const decoded: unknown[] = [];
        decodeStatsCells(blob, (v) =>
          decoded.push({
            appId: v.appId,
            category: v.category,
            hours: [...v.hours],
            durations: [...v.durations],
          }),
        );
        expect(decoded).toEqual(
          sorted.map((c) => ({
            appId: c.appId,
            category: c.category,
            hours: c.hours,
            durations: [...c.durations],
          })),
        );
        expect(durationCount(blob)).toBe(all.reduce((n, c) => n + c.durations.length, 0));
        const totals: unknown[] = [];
        sumStatsCells(blob, (v) =>
          totals.push([v.appId, v.category, v.closed, v.totalMs, v.longestMs]),
        );
        expect(totals).toEqual(
          sorted.map((c) => {
            const d = c.durations;
            return [
              c.appId,
              c.category,
              d.length,
              plain(d, -Infinity)[1],
              d.length > 0 ? d[d.length - 1] : 0,
            ];
          }),
        );
      }),
      fuzzOptions(150),
    );
  });

  it('count and sum the durations at or above any least as a plain count over every duration does', () => {
    fc.assert(
      fc.property(cells, fc.func(fc.boolean()), (all, keepFn) => {
        const blob = encodeStatsCells(all);
        const byKey = new Map(all.map((c) => [key(c.appId, c.category), c]));
        const kept = (appId: number, category: string): boolean => keepFn(appId, category);
        for (const least of leasts(all)) {
          const got = new Map<string, [number, number]>();
          countStatsCellsAtLeast(blob, least, kept, (appId, category, sessions, sumMs) => {
            got.set(key(appId, category), [sessions, sumMs]);
          });
          const want = new Map<string, [number, number]>();
          for (const c of all)
            if (kept(c.appId, c.category))
              want.set(
                key(c.appId, c.category),
                plain(byKey.get(key(c.appId, c.category))!.durations, least),
              );
          expect(got, `least ${least}`).toEqual(want);
        }
      }),
      fuzzOptions(150),
    );
  });

  it('count a cell of every size with ties at the least, on and next to each checkpoint', () => {
    // Every value repeated, so the least falls on a run of ties that a checkpoint splits.
    for (const n of [1, K - 1, K, K + 1, 2 * K, 2 * K + 1, 5 * K + 3]) {
      const values = Float64Array.from({ length: n }, (_, i) => 1_000 + Math.floor(i / 3) * 100);
      const blob = encodeStatsCells([
        {
          appId: 1,
          category: 'photos',
          hours: [n, ...new Array<number>(23).fill(0)],
          background: 0,
          known: 0,
          durations: values,
        },
      ]);
      for (let i = 0; i < n; i += 1)
        for (const least of [values[i]! - 1, values[i]!, values[i]! + 1]) {
          let got: [number, number] = [-1, -1];
          countStatsCellsAtLeast(
            blob,
            least,
            () => true,
            (_a, _c, s, t) => {
              got = [s, t];
            },
          );
          expect(got, `${n} durations, least ${least}`).toEqual(plain(values, least));
        }
    }
  });

  it('count a cell whose sums are too large for checkpoint fields, written without checkpoints', () => {
    // Multiples of 2 ** 60 stay exact as numbers; their sums need more than eight bytes.
    const values = Float64Array.from({ length: 3 * K + 5 }, (_, i) => 2 ** 60 * (1 + (i >> 4)));
    const blob = encodeStatsCells([
      {
        appId: 2,
        category: 'camera',
        hours: [values.length, ...new Array<number>(23).fill(0)],
        background: 0,
        known: 0,
        durations: values,
      },
    ]);
    const decoded: number[] = [];
    decodeStatsCells(blob, (v) => decoded.push(...v.durations));
    expect(decoded).toEqual([...values]);
    for (const least of [0, 2 ** 60, 2 ** 60 * 3, 2 ** 60 * 3 + 2 ** 20, 2 ** 70]) {
      let got: [number, number] = [-1, -1];
      countStatsCellsAtLeast(
        blob,
        least,
        () => true,
        (_a, _c, n, t) => {
          got = [n, t];
        },
      );
      expect(got, `least ${least}`).toEqual(plain(values, least));
    }
  });
});

/** A blob of one cell whose durations' bytes (`section`) are anything, as a crafted case holds. */
function craftedBlob(
  every: number,
  total: number,
  n: number,
  length: number,
  section: Uint8Array,
): Uint8Array {
  const out: number[] = [];
  const uint = (v: number): void => {
    let x = v;
    while (x >= 128) {
      out.push((x % 128) | 128);
      x = Math.floor(x / 128);
    }
    out.push(x);
  };
  uint(1);
  uint(6);
  out.push(...new TextEncoder().encode('photos'));
  uint(total);
  uint(every);
  uint(1);
  uint(3); // app id
  uint(0); // category
  uint(1); // hour mask
  uint(n + 1);
  uint(0);
  uint(0);
  uint(n);
  uint(length);
  out.push(...section);
  return Uint8Array.from(out);
}

/** Every reader run over a blob; the counts each gives, to check they stay within the cell. */
function readAll(blob: Uint8Array, least: number): { sessions: number[]; closed: number[] } {
  const sessions: number[] = [];
  const closed: number[] = [];
  countStatsCellsAtLeast(
    blob,
    least,
    () => true,
    (_a, _c, s) => sessions.push(s),
  );
  sumStatsCells(blob, (v) => closed.push(v.closed));
  decodeStatsCells(blob, (v) => closed.push(v.durations.length));
  durationCount(blob);
  return { sessions, closed };
}

describe('session stats blobs a crafted case holds', () => {
  it('are read without a crash or an endless walk whatever their checkpoints claim', () => {
    const huge = fc.constantFrom(2 ** 31, 2 ** 53, 1e300);
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(0, 1, 2, K), fc.integer({ min: 0, max: 1_000 }), huge),
        fc.oneof(fc.nat(), huge),
        fc.oneof(fc.integer({ min: 0, max: 4 * K }), huge),
        fc.oneof(fc.nat({ max: 600 }), huge),
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: -100_000, max: 1e9 }),
        (every, total, n, length, section, least) => {
          const { sessions } = readAll(craftedBlob(every, total, n, length, section), least);
          for (const s of sessions) {
            expect(Number.isInteger(s)).toBe(true);
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s).toBeLessThanOrEqual(Math.min(n, section.length));
          }
        },
      ),
      fuzzOptions(300),
    );
  });

  it('are read without a crash or an endless walk when a checkpoint table over true durations lies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: K + 1, max: 6 * K }),
        fc.integer({ min: 0, max: 4095 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: -100, max: 100_000 }),
        (n, widths, table, total, least) => {
          // The durations 0, 10, 20, ... written as they are stored, after a head of any table.
          const head: number[] = [];
          const uint = (v: number): void => {
            let x = v;
            while (x >= 128) {
              head.push((x % 128) | 128);
              x = Math.floor(x / 128);
            }
            head.push(x);
          };
          uint(total);
          uint(widths);
          head.push(...table);
          head.push(0);
          for (let i = 1; i < n; i += 1) head.push(10, 0);
          const section = Uint8Array.from(head);
          const { sessions } = readAll(craftedBlob(K, n, n, section.length, section), least);
          expect(sessions).toHaveLength(1);
          expect(sessions[0]).toBeGreaterThanOrEqual(0);
          expect(sessions[0]).toBeLessThanOrEqual(n);
        },
      ),
      fuzzOptions(300),
    );
  });

  it('are read without a crash when a written blob has bytes changed, cut or added', () => {
    fc.assert(
      fc.property(
        cells,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: -100_000, max: 4e9 }),
        (all, changes, cut, least) => {
          const blob = encodeStatsCells(all).slice();
          for (const [at, b] of changes) if (blob.length > 0) blob[at % blob.length] = b;
          const { sessions } = readAll(blob.subarray(0, blob.length - (cut % 4)), least);
          for (const s of sessions) {
            expect(Number.isInteger(s)).toBe(true);
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s).toBeLessThanOrEqual(blob.length);
          }
        },
      ),
      fuzzOptions(300),
    );
  });
});

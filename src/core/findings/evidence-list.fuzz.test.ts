import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText } from '../db/queries/text-order';
import { fuzzOptions } from '../testing/fuzz';
import { EvidenceList, KeptSessions } from './session-pass';

// The evidence lists keep their sessions in a store shared by every list of a pass (and reused
// from one pass to the next). They must keep what a list holding its own strings and numbers kept:
// the first `limit` sessions by start, then key in UTF-8 order, with their places exactly, and no
// places at all when one of the sessions it took cannot be kept in 32 bits.

/** A list as the rules kept it before the store: plain arrays, cut when it doubles. */
class PlainList {
  private anchors: number[] = [];
  private keys: string[] = [];
  private edges: number[] = [];
  private placed = true;
  total = 0;

  constructor(private readonly limit: number) {}

  add(anchor: number, key: string, edges: readonly unknown[]): void {
    this.total += 1;
    if (this.limit === 0) return;
    const n = this.keys.length;
    if (n >= this.limit && anchor !== this.anchors[n - 1]) return;
    const begin = pack(edges[0], edges[1]);
    const end = pack(edges[2], edges[3]);
    if (begin === -1 || end === -1) this.placed = false;
    this.anchors.push(anchor);
    this.keys.push(key);
    this.edges.push(begin, end);
  }

  private kept(): number[] {
    const order = this.keys.map((_, i) => i);
    order.sort(
      (i, j) => this.anchors[i]! - this.anchors[j]! || compareText(this.keys[i]!, this.keys[j]!),
    );
    return order.slice(0, this.limit);
  }

  sorted(): string[] {
    return this.kept().map((i) => this.keys[i]!);
  }

  places(): number[] | undefined {
    if (!this.placed) return undefined;
    const out: number[] = [];
    for (const i of this.kept())
      for (const v of [this.edges[2 * i]!, this.edges[2 * i + 1]!]) {
        if (Number.isNaN(v)) out.push(-1, -1);
        else if (v % 2 ** 32 > 2 ** 31 - 1) return undefined;
        else out.push(Math.floor(v / 2 ** 32), v % 2 ** 32);
      }
    return out;
  }
}

function pack(source: unknown, line: unknown): number {
  if (typeof source !== 'number' || typeof line !== 'number') return NaN;
  if (!Number.isInteger(source) || !Number.isInteger(line)) return -1;
  if (source < 0 || source >= 2 ** 21 || line < 0 || line >= 2 ** 32) return -1;
  return source * 2 ** 32 + line;
}

const edgeValue = fc.constantFrom(
  null,
  0,
  1,
  7,
  2 ** 21 - 1,
  2 ** 21,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  -1,
  1.5,
);

const LISTS = 3;

/** One pass: sessions in start order (few starts, so many ties), each offered to some lists. */
const pass = fc
  .uniqueArray(
    fc.record({
      anchor: fc.integer({ min: 0, max: 6 }),
      key: fc.string({ unit: 'binary', maxLength: 5 }),
      edges: fc.array(edgeValue, { minLength: 4, maxLength: 4 }),
      lists: fc.array(fc.boolean(), { minLength: LISTS, maxLength: LISTS }),
    }),
    { selector: (s) => s.key, maxLength: 60 },
  )
  .map((sessions) => sessions.sort((a, b) => a.anchor - b.anchor));

describe('evidence lists sharing a store', () => {
  it('keep what lists of their own kept, pass after pass', () => {
    fc.assert(
      fc.property(
        fc.array(pass, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: LISTS, maxLength: LISTS }),
        (passes, limits) => {
          const kept = new KeptSessions();
          for (const sessions of passes) {
            kept.clear();
            const lists = limits.map((l) => new EvidenceList(l, kept));
            const plain = limits.map((l) => new PlainList(l));
            for (const s of sessions)
              s.lists.forEach((offered, i) => {
                if (!offered) return;
                lists[i]!.add(s.anchor, s.key, s.edges);
                plain[i]!.add(s.anchor, s.key, s.edges);
              });
            lists.forEach((list, i) => {
              const expected = plain[i]!;
              expect(list.sorted()).toEqual(expected.sorted());
              const places = list.sortedPlaces();
              expect(places === undefined ? undefined : [...places]).toEqual(expected.places());
              expect(list.total).toBe(expected.total);
            });
          }
        },
      ),
      fuzzOptions(300),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import { catalogEntries, lookupApp } from './catalog';

const entries = catalogEntries();
const entryArb = fc.integer({ min: 0, max: entries.length - 1 }).map((i) => entries[i]!);
const recase = (s: string, flips: boolean[]): string =>
  [...s]
    .map((c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c.toLowerCase()))
    .join('');
const teamIdArb = fc
  .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), {
    minLength: 10,
    maxLength: 10,
  })
  .map((cs) => cs.join(''));

describe('lookupApp properties', () => {
  it('resolves any casing of a catalog identifier, with or without a Team ID, to its entry', () => {
    fc.assert(
      fc.property(
        entryArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.option(teamIdArb),
        (e, flips, team) => {
          const id = recase(e.id, flips);
          const m = lookupApp(team === null ? id : `${team}.${id}`);
          expect(m?.entry).toBe(e);
          expect(m?.kind).toBe('exact');
        },
      ),
      fuzzOptions(300),
    );
  });

  it('resolves an extension of an iOS catalog identifier to that entry or a longer catalog match', () => {
    fc.assert(
      fc.property(
        // A parent needs two labels: a one-label id (`pinterest`) has no extensions to match.
        entryArb.filter((e) => e.platforms.includes('ios') && e.id.includes('.')),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/),
        (e, ext) => {
          const m = lookupApp(`${e.id}.${ext}`, 'ios');
          expect(m).not.toBeNull();
          // A catalog entry that itself extends e's identifier wins (a separate app).
          expect(m!.entry.id.toLowerCase().startsWith(e.id.toLowerCase())).toBe(true);
        },
      ),
      fuzzOptions(200),
    );
  });

  it('never throws on arbitrary strings and returns null or an entry', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          fc.stringMatching(/^[A-Za-z0-9._-]{0,80}$/),
        ),
        fc.constantFrom(undefined, null, 'ios' as const, 'android' as const),
        (s, platform) => {
          const m = lookupApp(s, platform);
          expect(m === null || entries.includes(m.entry)).toBe(true);
        },
      ),
      fuzzOptions(300),
    );
  });
});

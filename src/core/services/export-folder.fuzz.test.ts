// A folder of exports as someone may hand it over: reports beside other text, hidden files,
// sub-folders, links inside and outside it, named pipes, names in any script. Each regular file
// that is not hidden is read as its own source by the importer that recognises it; everything
// else is named as skipped and never read; nothing throws.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPair } from '../testing/apr-fixture';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase } from '../testing/temp-case';
import { importPath } from './import-pipeline';

const T0 = Date.UTC(2024, 4, 1, 0, 10);

type Kind = 'report' | 'text' | 'empty' | 'folder' | 'link-inside' | 'link-outside' | 'fifo';

interface Entry {
  name: string;
  kind: Kind;
  /** Which report a report holds: equal seeds are equal files. */
  seed: number;
}

/** One App Privacy Report of a single access session, whose id depends on the seed. */
function reportText(seed: number): string {
  const id = `00000000-0000-4000-A000-${String(seed).padStart(12, '0')}`;
  return `${accessPair({ app: `com.example.app${seed % 3}`, category: 'photos', id, ms: T0 + seed * 60_000, durationMs: 5_000, offsetMin: 120 }).join('\n')}\n`;
}

const NAME_CHARS = ['a', 'B', '7', ' ', '-', '_', 'é', '微', '😀', '.', '#'];
const nameArb = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 10 }),
    fc.constantFrom('.ndjson', '.json', '.txt', '.jsonl', '.log', ''),
  )
  .map(([hidden, chars, ext]) => `${hidden ? '.' : ''}${chars.join('')}${ext}`)
  .filter((n) => n !== '.' && n !== '..' && !n.includes('/'));

const entriesArb = fc.uniqueArray(
  fc.record({
    name: nameArb,
    kind: fc.constantFrom<Kind>(
      'report',
      'report',
      'text',
      'empty',
      'folder',
      'link-inside',
      'link-outside',
      'fifo',
    ),
    seed: fc.integer({ min: 0, max: 5 }),
  }),
  { selector: (e) => e.name.normalize('NFC').toLowerCase(), minLength: 1, maxLength: 8 },
);

let outside: string;
let canMkfifo = true;
beforeAll(() => {
  outside = mkdtempSync(join(tmpdir(), 'snoopscope-outside-'));
  writeFileSync(join(outside, 'secret.ndjson'), reportText(99));
});
afterAll(() => rmSync(outside, { recursive: true, force: true }));

/** The file a link inside the folder points to: its first report or text file. */
const linkTarget = (entries: readonly Entry[]): Entry | undefined =>
  entries.find((e) => e.kind === 'report' || e.kind === 'text');

/** The entry whose bytes reading `e` gives: the link's target for a link inside the folder. */
const readAs = (e: Entry, written: readonly Entry[]): Entry =>
  e.kind === 'link-inside' ? linkTarget(written)! : e;

/** Writes the folder; returns the entries as written (a named pipe may be impossible here). */
function writeFolder(dir: string, entries: readonly Entry[]): Entry[] {
  mkdirSync(dir);
  const firstFile = linkTarget(entries);
  const written: Entry[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.kind === 'report') writeFileSync(path, reportText(e.seed));
    else if (e.kind === 'text') writeFileSync(path, `notes ${e.seed}\nnothing here\n`);
    else if (e.kind === 'empty') writeFileSync(path, '');
    else if (e.kind === 'folder') {
      mkdirSync(path);
      writeFileSync(join(path, 'inner.ndjson'), reportText(e.seed));
    } else if (e.kind === 'link-inside') {
      // A link to a file of the same folder reads that file (a second, equal source).
      if (!firstFile) continue;
      symlinkSync(firstFile.name, path);
    } else if (e.kind === 'link-outside') symlinkSync(join(outside, 'secret.ndjson'), path);
    else if (e.kind === 'fifo') {
      if (!canMkfifo) continue;
      try {
        execFileSync('mkfifo', [path]);
      } catch {
        canMkfifo = false;
        continue;
      }
    }
    written.push(e);
  }
  return written;
}

describe('a folder of exports, whatever it holds', () => {
  it('reads each visible regular file once, skips and names everything else, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb, async (entries) => {
        const t = tempCase();
        try {
          const dir = join(t.dir, 'exports');
          const written = writeFolder(dir, entries);
          const r = await importPath(t.session.db, dir, { device: t.deviceId });
          const byName = new Map(r.outcomes.map((o) => [o.path.split('/').pop()!, o]));
          const notes = r.notes.map((n) => n.message).join('\n');
          const read = written.filter(
            (e) =>
              !e.name.startsWith('.') &&
              (e.kind === 'report' ||
                e.kind === 'text' ||
                e.kind === 'empty' ||
                e.kind === 'link-inside'),
          );
          // The folder is taken for a folder of exports when a visible name ends as an export's.
          const recognised = written.some(
            (e) => !e.name.startsWith('.') && /\.(ndjson|json|txt|jsonl)$/i.test(e.name),
          );
          const visible = read.length;
          if (!recognised) {
            expect(r.outcomes).toHaveLength(1);
            // Refused whole, by the importer that came nearest (a folder of text files may be
            // taken for dumpsys outputs), with the entries it found.
            expect(r.outcomes[0]!.status).toBe('refused');
          } else if (visible === 0) {
            // Nothing to read: one refusal for the folder, or a folder no importer recognises.
            expect(r.outcomes.length).toBeLessThanOrEqual(1);
            expect(r.outcomes.every((o) => o.status === 'refused')).toBe(true);
          } else {
            expect(r.outcomes).toHaveLength(visible);
            for (const e of read) {
              const o = byName.get(e.name);
              expect(o, e.name).toBeDefined();
              if (readAs(e, written).kind === 'report')
                expect(['imported', 'already-imported']).toContain(o!.status);
              else expect(o!.status).toBe('refused');
            }
            for (const e of written) {
              if (read.includes(e)) continue;
              // Named as skipped, and never an outcome.
              expect(byName.has(e.name)).toBe(false);
              expect(notes).toContain(e.name);
            }
          }
          // Nothing outside the folder, and nothing inside a sub-folder, is ever stored.
          const stored = t.session.db
            .prepare('SELECT original_path FROM sources')
            .pluck()
            .all() as string[];
          for (const p of stored) {
            expect(p.startsWith(`${dir}/`)).toBe(true);
            expect(p.slice(dir.length + 1)).not.toContain('/');
          }
          // Each distinct report is stored once, however many files hold it.
          const seeds = new Set(
            (recognised ? read : [])
              .map((e) => readAs(e, written))
              .filter((e) => e.kind === 'report')
              .map((e) => e.seed),
          );
          const sessions = t.session.db
            .prepare('SELECT COUNT(*) FROM access_sessions')
            .pluck()
            .get() as number;
          expect(sessions).toBe(seeds.size);
        } finally {
          t.cleanup();
        }
      }),
      fuzzOptions(25),
    );
  }, 120_000);
});

import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../core/db/migrations';
import { generateExportLines } from '../core/testing/apr-fixture';
import { writeOldCase } from '../core/services/old-case-fixture';
import { openCaseForQuery, openCaseForWrite, openOrCreateCase } from './case-open';

const LATEST = MIGRATIONS.at(-1)!.version;
let dir: string;
let old: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-case-open-'));
  old = join(dir, 'old.snoopcase');
  await writeOldCase({
    dir,
    freshPath: join(dir, 'fresh.snoopcase'),
    oldPath: old,
    version: 26,
    lines: [
      ...generateExportLines({
        intervals: 50,
        startMs: Date.UTC(2025, 0, 1),
        offsetMin: 0,
        seed: 1,
      }),
    ],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function copy(name: string): string {
  const to = join(dir, name);
  copyFileSync(old, to);
  return to;
}

function state(path: string): { version: number; pending: number } {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        'SELECT (SELECT MAX(version) FROM schema_migrations) AS version, (SELECT COUNT(*) FROM derived_pending) AS pending',
      )
      .get() as { version: number; pending: number };
  } finally {
    db.close();
  }
}

// A case at schema 26: every migration since, then one step that rebuilds what they ask.
const STEPS = MIGRATIONS.filter((m) => m.version > 26).length + 1;
const NOTICE = `Upgrading the case file for this version of Snoopscope (${STEPS} steps); this runs once.`;

describe('opening a case written by an earlier version on the command line', () => {
  for (const [label, open] of [
    ['a query command', openCaseForQuery],
    ['a command that writes', openCaseForWrite],
    ['an import', (p: string, n: (l: string) => void) => openOrCreateCase(p, n).session],
  ] as const) {
    it(`says so in one line before ${label} upgrades it, and only then`, () => {
      const path = copy(`${label.replace(/\W/g, '-')}.snoopcase`);
      const lines: string[] = [];
      open(path, (l) => lines.push(l)).close();
      expect(lines).toEqual([NOTICE]);
      expect(state(path)).toEqual({ version: LATEST, pending: 0 });
      open(path, (l) => lines.push(l)).close();
      expect(lines).toEqual([NOTICE]);
    });
  }

  it('rebuilds the summaries an interrupted upgrade left pending before a query reads them', () => {
    const path = copy('interrupted.snoopcase');
    openCaseForWrite(path, () => undefined).close();
    const db = new Database(path);
    db.prepare("INSERT INTO derived_pending (name) VALUES ('session-rollup')").run();
    db.close();
    const lines: string[] = [];
    const session = openCaseForQuery(path, (l) => lines.push(l));
    session.close();
    expect(lines).toEqual([
      'Upgrading the case file for this version of Snoopscope (1 step); this runs once.',
    ]);
    expect(state(path)).toEqual({ version: LATEST, pending: 0 });
  });
});

import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../model/errors';
import type { ImportRecord, PlacedInstant } from '../../model/import-records';
import { fuzzOptions } from '../../testing/fuzz';
import { writeDemoBackup } from '../../testing/ios-backup-demo';
import { byteMutation, mutateBytes, type ByteMutation } from '../../testing/mutate';
import { fileIdFor } from './manifest';
import { driveBackup, mapCache } from './parse-driver';

// Property-based tests of the backup importers' parse, without a case: a generated backup with
// random byte edits of one Manifest.db row's cells, of the Manifest.db file, of a root plist, or
// a crafted cell of an artifact's database. The parse may refuse the backup (an AppError with a refusal code), but never throws
// anything else, and every time it yields is a valid instant.

/** The codes with which a backup's parse refuses it as today's import did. */
const REFUSALS = new Set([
  'UNSUPPORTED',
  'IMPORT_REFUSED',
  'INVALID_INPUT',
  'PASSWORD_REQUIRED',
  'WRONG_PASSWORD',
  'CANCELLED',
]);

const PLISTS = ['Info.plist', 'Manifest.plist', 'Status.plist'] as const;
const TCC = fileIdFor('HomeDomain', 'Library/TCC/TCC.db');

let root: string;
let plain: string;
let encrypted: string;
let runs = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-backup-parse-fuzz-'));
  plain = join(root, 'plain');
  encrypted = join(root, 'encrypted');
  writeDemoBackup(plain);
  writeDemoBackup(encrypted, { password: 'secret' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Damage =
  | {
      kind: 'index-row';
      row: number;
      column: 'fileID' | 'domain' | 'relativePath' | 'file';
      mutations: ByteMutation[];
    }
  | { kind: 'plist'; file: (typeof PLISTS)[number]; mutations: ByteMutation[] }
  | { kind: 'index-bytes'; mutations: ByteMutation[] }
  | { kind: 'tcc-cell'; row: number; column: string; value: unknown };

const fileDamage = fc.oneof(
  fc.record({
    kind: fc.constant('plist' as const),
    file: fc.constantFrom(...PLISTS),
    mutations: fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('index-bytes' as const),
    mutations: fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
  }),
);

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fileDamage,
  fc.record({
    kind: fc.constant('index-row' as const),
    row: fc.nat(),
    column: fc.constantFrom(
      'fileID' as const,
      'domain' as const,
      'relativePath' as const,
      'file' as const,
    ),
    mutations: fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('tcc-cell' as const),
    row: fc.nat({ max: 3 }),
    column: fc.constantFrom('last_modified', 'auth_value', 'client', 'service'),
    value: fc.oneof(
      fc.constantFrom('', -1, 2 ** 53, 1e308, -1e308, 8.64e12, -8.64e12, 'x'),
      fc.double(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    ),
  }),
);

/** Applies one damage to a backup (row and cell edits need a plain one). */
function apply(dir: string, d: Damage): void {
  switch (d.kind) {
    case 'index-row': {
      const db = new Database(join(dir, 'Manifest.db'));
      try {
        const rows = db.prepare('SELECT rowid AS id FROM Files ORDER BY rowid').all() as {
          id: number;
        }[];
        if (rows.length === 0) return;
        const id = rows[d.row % rows.length]!.id;
        const cell = db.prepare(`SELECT ${d.column} AS v FROM Files WHERE rowid = ?`).get(id) as {
          v: unknown;
        };
        const bytes =
          cell.v instanceof Uint8Array ? cell.v : Buffer.from(String(cell.v ?? ''), 'utf8');
        const changed = mutateBytes(bytes, d.mutations);
        db.prepare(`UPDATE Files SET ${d.column} = ? WHERE rowid = ?`).run(
          d.column === 'file' ? changed : changed.toString('utf8'),
          id,
        );
      } finally {
        db.close();
      }
      return;
    }
    case 'plist':
    case 'index-bytes': {
      const path = join(dir, d.kind === 'plist' ? d.file : 'Manifest.db');
      writeFileSync(path, mutateBytes(readFileSync(path), d.mutations));
      return;
    }
    case 'tcc-cell': {
      const path = join(dir, TCC.slice(0, 2), TCC);
      const db = new Database(path);
      try {
        const ids = db.prepare('SELECT rowid AS id FROM access ORDER BY rowid').all() as {
          id: number;
        }[];
        const id = ids[d.row % ids.length]!.id;
        // SQLite stores NaN as NULL, which a NOT NULL column cannot hold: a TCC.db on disk can
        // never carry that damage, so the row is left as it is (OR IGNORE).
        db.prepare(`UPDATE OR IGNORE access SET ${d.column} = ? WHERE rowid = ?`).run(d.value, id);
      } finally {
        db.close();
      }
      return;
    }
  }
}

/** Why an instant is not valid, or null when it is. */
function invalidInstant(t: PlacedInstant | null): string | null {
  if (t === null) return null;
  if (!Number.isInteger(t.ms) || Math.abs(t.ms) > 8.64e15) return `ms ${t.ms}`;
  const offset = t.offsetMin;
  if (offset !== null && !(Number.isInteger(offset) && Math.abs(offset) <= 24 * 60))
    return `offset ${offset}`;
  return null;
}

/** The instants a record carries. */
function instants(r: ImportRecord): (PlacedInstant | null)[] {
  switch (r.type) {
    case 'permission':
    case 'profile':
      return [r.time];
    case 'network-usage':
      return [r.first, r.last];
    default:
      return [];
  }
}

/** Parses a damaged copy; returns the records of the parse and its members, or the refusal. */
async function parseDamaged(
  template: string,
  d: Damage,
  options: Parameters<typeof driveBackup>[1],
): Promise<ImportRecord[] | AppError> {
  runs += 1;
  const dir = join(root, `run-${runs}`);
  cpSync(template, dir, { recursive: true });
  try {
    apply(dir, d);
    const r = await driveBackup(dir, options);
    return [...r.records, ...r.members.flatMap((m) => m.records)];
  } catch (e) {
    if (e instanceof AppError && REFUSALS.has(e.code)) return e;
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkRecords(result: ImportRecord[] | AppError): void {
  if (result instanceof AppError) return;
  for (const r of result)
    for (const t of instants(r)) expect(invalidInstant(t), JSON.stringify(r)).toBeNull();
}

describe('parsing damaged backups (property-based)', () => {
  it('never throws but a refusal, and yields only valid instants', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (d) => checkRecords(await parseDamaged(plain, d, {}))),
      fuzzOptions(120),
    );
  }, 120_000);

  it('does the same for an encrypted backup', async () => {
    // One cache for every case: the keys are derived once, as a session does.
    const cache = mapCache();
    await fc.assert(
      // Its index and files are ciphertext: its bytes and plists are edited, not its rows.
      fc.asyncProperty(fileDamage, async (d) =>
        checkRecords(await parseDamaged(encrypted, d, { password: 'secret', cache })),
      ),
      fuzzOptions(60),
    );
  }, 120_000);

  it('keeps every record of the undamaged backup', async () => {
    const records = await parseDamaged(
      plain,
      { kind: 'plist', file: 'Status.plist', mutations: [] },
      {},
    );
    expect(records).not.toBeInstanceOf(AppError);
    expect((records as ImportRecord[]).filter((r) => r.type === 'permission')).toHaveLength(5);
  });
});

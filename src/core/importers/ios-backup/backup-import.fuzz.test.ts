import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../../contract/records';
import { asDict, parsePlist } from '../../formats/plist';
import type { PlistValue } from '../../formats/plist/types';
import { writeBinaryPlist, writeXmlPlist } from '../../formats/plist/writer';
import { AppError } from '../../model/errors';
import { CaseSession } from '../../services/case-service';
import { fuzzOptions } from '../../testing/fuzz';
import { demoBackupFiles, writeDemoBackup } from '../../testing/ios-backup-demo';
import { payloadPath } from '../../testing/ios-backup-fixture';
import { byteMutation, mutateBytes, type ByteMutation } from '../../testing/mutate';
import { treeHashes } from '../../testing/tree-hashes';
import { importBackupDevice } from '../../services/backup-import';

// Property-based tests of the backup importer: a generated backup (testing/ios-backup-demo.ts)
// with one thing damaged or crafted per case (its index, a root plist, an artifact, a row of an
// artifact's database, or a file replaced by a pipe, folder or link). Each case asserts that the
// import never throws, that every artifact left alone is stored with all its records, that the
// case passes PRAGMA integrity_check, and that the backup folder is byte-identical afterwards.

const ARTIFACTS = demoBackupFiles().map((f) => ({ domain: f.domain, path: f.relativePath }));
const ROOT_FILES = ['Manifest.db', 'Info.plist', 'Manifest.plist', 'Status.plist'] as const;

let root: string;
let plainTemplate: string;
let encryptedTemplate: string;
let emptyCase: string;
/** Records per artifact (`domain path`) when nothing is damaged. */
let baseline: Map<string, number>;
/** TCC.db and DataUsage.sqlite record locators when nothing is damaged. */
let baselineLocators: Map<string, string[]>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-backup-fuzz-'));
  plainTemplate = join(root, 'plain');
  encryptedTemplate = join(root, 'encrypted');
  writeDemoBackup(plainTemplate);
  writeDemoBackup(encryptedTemplate, { password: 'secret' });
  // Cases are copied from one migrated empty case: creating one per run costs more than the import.
  emptyCase = join(root, 'empty.snoopcase');
  CaseSession.create(emptyCase).close();
  const { session, outcomes } = await importCopy(plainTemplate, 'baseline', {});
  baseline = recordsByArtifact(outcomes);
  baselineLocators = locatorsBySource(session);
  session.close();
  expect([...baseline.values()]).toEqual([4, 2, 1, 1, 1, 1]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
/** Copies a template backup and an empty case into a fresh folder. */
function freshCopy(template: string): { dir: string; backup: string; casePath: string } {
  runs += 1;
  const dir = join(root, `run-${runs}`);
  mkdirSync(dir);
  const backup = join(dir, 'backup');
  cpSync(template, backup, { recursive: true });
  const casePath = join(dir, 'case.snoopcase');
  copyFileSync(emptyCase, casePath);
  return { dir, backup, casePath };
}

async function importCopy(
  template: string,
  _label: string,
  options: { password?: string },
): Promise<{ session: CaseSession; outcomes: ImportOutcome[] }> {
  const { backup, casePath } = freshCopy(template);
  const session = CaseSession.open(casePath);
  const r = await importBackupDevice(session, backup, options);
  return { session, outcomes: r.artifacts };
}

function recordsByArtifact(outcomes: readonly ImportOutcome[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of outcomes)
    if (o.status === 'imported' && o.locator !== null) out.set(o.locator, o.counts.records);
  return out;
}

function locatorsBySource(session: CaseSession): Map<string, string[]> {
  const rows = session.db
    .prepare(
      `SELECT s.locator AS source, r.locator FROM permission_records r JOIN sources s ON s.id = r.source_id
       UNION ALL
       SELECT s.locator, r.locator FROM network_usage_records r JOIN sources s ON s.id = r.source_id
       ORDER BY 1, 2`,
    )
    .all() as { source: string; locator: string }[];
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.source, [...(out.get(r.source) ?? []), r.locator]);
  return out;
}

/** A value a crafted database cell may hold. */
const oddCell = fc.oneof(
  fc.constantFrom(null, '', 'x', -1, 0, 2 ** 53, 1e308, -1e308, 9_223_372_036_854_775_807n),
  fc.constantFrom('9999999999999999999999', '../../etc/passwd', '\u0000', 'ＡＢＣ'),
  fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 12 }),
);

/** A value a crafted plist may hold in place of another. */
const oddPlistValue: fc.Arbitrary<PlistValue> = fc.oneof(
  fc.constantFrom<PlistValue>(
    true,
    false,
    0,
    -1,
    '',
    'x',
    2n ** 63n - 1n,
    1e308,
    new Date(-8.64e15),
  ),
  fc.uint8Array({ maxLength: 16 }),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.string({ maxLength: 40 }),
);

type Damage =
  | { kind: 'bytes'; file: number; mutations: ByteMutation[] }
  | { kind: 'index-cell'; row: number; column: string; value: unknown }
  | { kind: 'index-delete'; row: number }
  | { kind: 'index-schema'; sql: string }
  | { kind: 'artifact-cell'; artifact: 0 | 1; row: number; column: number; value: unknown }
  | {
      kind: 'plist-key';
      file: 'Info.plist' | 'Manifest.plist' | 'Status.plist';
      key: number;
      value: PlistValue | undefined;
      xml: boolean;
    }
  | { kind: 'special'; file: number; as: 'fifo' | 'folder' | 'link-out' | 'link-in' | 'empty' };

const FILE_COUNT = ROOT_FILES.length + ARTIFACTS.length;

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({
    kind: fc.constant('bytes' as const),
    file: fc.nat({ max: FILE_COUNT - 1 }),
    mutations: fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('index-cell' as const),
    row: fc.nat(),
    column: fc.constantFrom('fileID', 'domain', 'relativePath', 'flags', 'file'),
    value: oddCell,
  }),
  fc.record({ kind: fc.constant('index-delete' as const), row: fc.nat() }),
  fc.record({
    kind: fc.constant('index-schema' as const),
    sql: fc.constantFrom(
      'DROP TABLE Files',
      'ALTER TABLE Files RENAME TO Other',
      'ALTER TABLE Files DROP COLUMN file',
      'ALTER TABLE Files RENAME COLUMN flags TO f',
      'DELETE FROM Files',
      "UPDATE Files SET file = x'62706c6973743030'",
      "UPDATE Files SET flags = 'one'",
      'CREATE TABLE Extra (x)',
    ),
  }),
  fc.record({
    kind: fc.constant('artifact-cell' as const),
    artifact: fc.constantFrom(0 as const, 1 as const),
    row: fc.nat(),
    column: fc.nat(),
    value: oddCell,
  }),
  fc.record({
    kind: fc.constant('plist-key' as const),
    file: fc.constantFrom(
      'Info.plist' as const,
      'Manifest.plist' as const,
      'Status.plist' as const,
    ),
    key: fc.nat(),
    value: fc.option(oddPlistValue, { nil: undefined }),
    xml: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('special' as const),
    file: fc.nat({ max: FILE_COUNT - 1 }),
    as: fc.constantFrom(
      'fifo' as const,
      'folder' as const,
      'link-out' as const,
      'link-in' as const,
      'empty' as const,
    ),
  }),
);

/** The path of file `n`: the root files first, then the artifacts' payloads. */
function fileAt(backup: string, n: number): string {
  const rootFile = ROOT_FILES[n];
  if (rootFile !== undefined) return join(backup, rootFile);
  const a = ARTIFACTS[n - ROOT_FILES.length]!;
  return payloadPath(backup, a.domain, a.path);
}

/**
 * The artifact (`domain path`) a damage is confined to; null when it may touch any artifact
 * (the index, or an encrypted backup's Manifest.plist, which holds its keys).
 */
function confinedTo(d: Damage, encrypted: boolean): string | null | 'none' {
  const keys =
    ((d.kind === 'bytes' || d.kind === 'special') && ROOT_FILES[d.file] === 'Manifest.plist') ||
    (d.kind === 'plist-key' && d.file === 'Manifest.plist');
  if (encrypted && keys) return null;
  const artifactOf = (n: number): string | null | 'none' => {
    if (n === 0) return null; // Manifest.db: any artifact may be lost.
    if (n < ROOT_FILES.length) return 'none';
    const a = ARTIFACTS[n - ROOT_FILES.length]!;
    return `${a.domain} ${a.path}`;
  };
  switch (d.kind) {
    case 'bytes':
    case 'special':
      return artifactOf(d.file);
    case 'index-cell':
    case 'index-delete':
    case 'index-schema':
      return null;
    case 'artifact-cell': {
      const a = ARTIFACTS[d.artifact]!;
      return `${a.domain} ${a.path}`;
    }
    case 'plist-key':
      return 'none';
    default: {
      const never: never = d;
      throw new Error(`unknown damage ${JSON.stringify(never)}`);
    }
  }
}

/** Damages the copy; returns the rowid of an artifact row it changed, when it changed one. */
function applyDamage(backup: string, outside: string, d: Damage): number | null {
  switch (d.kind) {
    case 'bytes': {
      const path = fileAt(backup, d.file);
      writeFileSync(path, mutateBytes(readFileSync(path), d.mutations));
      return null;
    }
    case 'index-cell':
    case 'index-delete':
    case 'index-schema': {
      const db = new Database(join(backup, 'Manifest.db'));
      try {
        const ids = (
          db.prepare('SELECT rowid AS id FROM Files ORDER BY rowid').all() as {
            id: number;
          }[]
        ).map((r) => r.id);
        const id = ids[(d.kind === 'index-schema' ? 0 : d.row) % ids.length];
        if (d.kind === 'index-cell')
          db.prepare(`UPDATE Files SET ${d.column} = ? WHERE rowid = ?`).run(d.value, id);
        else if (d.kind === 'index-delete') db.prepare('DELETE FROM Files WHERE rowid = ?').run(id);
        else db.exec(d.sql);
      } finally {
        db.close();
      }
      return null;
    }
    case 'artifact-cell': {
      const a = ARTIFACTS[d.artifact]!;
      const db = new Database(payloadPath(backup, a.domain, a.path));
      try {
        const table = d.artifact === 0 ? 'access' : 'ZLIVEUSAGE';
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map(
          (c) => c.name,
        );
        const ids = (
          db.prepare(`SELECT rowid AS id FROM ${table} ORDER BY rowid`).all() as {
            id: number;
          }[]
        ).map((r) => r.id);
        const id = ids[d.row % ids.length]!;
        const column = columns[d.column % columns.length]!;
        // Constraints would refuse most crafted values; a crafted file has none.
        db.pragma('ignore_check_constraints = ON');
        try {
          db.prepare(`UPDATE ${table} SET "${column}" = ? WHERE rowid = ?`).run(d.value, id);
        } catch {
          return null;
        }
        return id;
      } finally {
        db.close();
      }
    }
    case 'plist-key': {
      const path = join(backup, d.file);
      const dict = { ...asDict(parsePlist(readFileSync(path)))! };
      const keys = Object.keys(dict);
      const key = keys[d.key % keys.length]!;
      if (d.value === undefined) delete dict[key];
      else dict[key] = d.value;
      let bytes: string | Uint8Array = writeBinaryPlist(dict);
      // XML cannot hold every value (years outside 0–9999): those stay binary.
      if (d.xml) {
        try {
          bytes = writeXmlPlist(dict);
        } catch {
          // Kept binary.
        }
      }
      writeFileSync(path, bytes);
      return null;
    }
    case 'special': {
      const path = fileAt(backup, d.file);
      rmSync(path);
      if (d.as === 'fifo') execFileSync('mkfifo', [path]);
      else if (d.as === 'folder') mkdirSync(path);
      else if (d.as === 'link-out') symlinkSync(outside, path);
      else if (d.as === 'link-in') symlinkSync(join(backup, 'Info.plist'), path);
      else writeFileSync(path, '');
      return null;
    }
    default: {
      const never: never = d;
      throw new Error(`unknown damage ${JSON.stringify(never)}`);
    }
  }
}

/** Imports a damaged copy and checks what every damage must leave true. */
async function importDamaged(
  template: string,
  d: Damage,
  options: { password?: string },
): Promise<void> {
  const { dir, backup, casePath } = freshCopy(template);
  const outside = join(dir, 'outside.txt');
  writeFileSync(outside, 'not evidence');
  const changedRow = applyDamage(backup, outside, d);
  const before = treeHashes(backup);
  const session = CaseSession.open(casePath);
  try {
    let outcomes: ImportOutcome[] | null = null;
    try {
      outcomes = (await importBackupDevice(session, backup, options)).artifacts;
    } catch (e) {
      // Only an encrypted backup whose keys were damaged may be refused as a whole.
      if (!(e instanceof AppError) || e.code === 'INTERNAL') throw e;
      expect(options.password).toBeDefined();
      expect(['WRONG_PASSWORD', 'PASSWORD_REQUIRED', 'IMPORT_REFUSED']).toContain(e.code);
    }
    expect(session.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(treeHashes(backup)).toEqual(before);
    const outsideSha = createHash('sha256').update('not evidence').digest('hex');
    expect(
      session.db.prepare('SELECT count(*) AS n FROM sources WHERE sha256 = ?').get(outsideSha),
    ).toEqual({ n: 0 });
    if (outcomes === null) return;
    const confined = confinedTo(d, options.password !== undefined);
    if (confined === null) return;
    // Every artifact the damage did not touch is stored whole.
    const got = recordsByArtifact(outcomes);
    for (const [artifact, records] of baseline) {
      if (artifact === confined) continue;
      expect(got.get(artifact), artifact).toBe(records);
    }
    // A changed row of a database costs that row at most.
    if (changedRow !== null && typeof confined === 'string' && got.has(confined)) {
      const kept = locatorsBySource(session).get(confined) ?? [];
      const expected = (baselineLocators.get(confined) ?? []).filter(
        (l) => !new RegExp(`rowid ${changedRow}$`).test(l),
      );
      for (const l of expected) expect(kept, l).toContain(l);
    }
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('importing damaged backups (property-based)', () => {
  it('never throws, keeps every untouched artifact whole, and changes nothing in the backup', async () => {
    await fc.assert(
      fc.asyncProperty(damage, (d) => importDamaged(plainTemplate, d, {})),
      fuzzOptions(80),
    );
  });

  it('does the same for an encrypted backup', async () => {
    const encryptedDamage = damage.filter(
      (d) => d.kind === 'bytes' || d.kind === 'special' || d.kind === 'plist-key',
    );
    await fc.assert(
      fc.asyncProperty(encryptedDamage, (d) =>
        importDamaged(encryptedTemplate, d, { password: 'secret' }),
      ),
      fuzzOptions(25),
    );
  });
});

import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../db/migrations';
import { CASE_APPLICATION_ID, migrate } from '../db/open';
import { CaseSession } from './case-service';
import { importFile } from './import-run';

// Cases as an earlier version of Snoopscope wrote them, for tests and measurements of upgrades:
// the data a current import stores, projected onto the tables and columns that version had.

/** Bookkeeping that differs by design between a case and its upgraded copy. */
const SKIP = new Set(['schema_migrations', 'derived_pending', 'sqlite_sequence']);

const tablesOf = (db: Database.Database, schema: string): string[] =>
  (
    db
      .prepare(`SELECT name FROM ${schema}.sqlite_schema WHERE type = 'table' ORDER BY name`)
      .all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !SKIP.has(n) && !n.startsWith('sqlite_'));

const columnsOf = (db: Database.Database, schema: string, table: string): string[] =>
  (db.prepare(`PRAGMA ${schema}.table_info("${table}")`).all() as { name: string }[]).map(
    (c) => c.name,
  );

/**
 * Writes a current case at `freshPath` holding an App Privacy Report export of `lines` on one
 * device, and a copy of it at `oldPath` at schema `version` (>= 19, when lines moved to blocks),
 * as that version wrote it: its summary tables filled, nothing pending.
 */
export async function writeOldCase(options: {
  dir: string;
  freshPath: string;
  oldPath: string;
  version: number;
  lines: readonly string[];
}): Promise<void> {
  if (options.version < 19 || options.version >= (MIGRATIONS.at(-1)?.version ?? 0))
    throw new Error(`writeOldCase: version ${options.version} is out of range`);
  const fresh = CaseSession.create(options.freshPath);
  try {
    const device = fresh.createDevice({ label: 'Phone' });
    const exportPath = join(options.dir, `export-${options.version}.ndjson`);
    writeFileSync(exportPath, `${options.lines.join('\n')}\n`);
    const o = await importFile({ db: fresh.db, path: exportPath, deviceId: device.id });
    if (o.status !== 'imported') throw new Error(`writeOldCase: the import was ${o.status}`);
  } finally {
    fresh.close();
  }
  const old = new Database(options.oldPath);
  try {
    old.pragma('journal_mode = WAL');
    old.pragma(`application_id = ${CASE_APPLICATION_ID}`);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= options.version),
    );
    old.pragma('foreign_keys = OFF');
    old.prepare('ATTACH DATABASE ? AS fresh').run(options.freshPath);
    old.transaction(() => {
      old.exec('DELETE FROM derived_pending');
      const freshTables = new Set(tablesOf(old, 'fresh'));
      for (const t of tablesOf(old, 'main')) {
        if (!freshTables.has(t)) continue;
        const freshColumns = new Set(columnsOf(old, 'fresh', t));
        const cols = columnsOf(old, 'main', t)
          .filter((c) => freshColumns.has(c))
          .map((c) => `"${c}"`)
          .join(', ');
        old.exec(`DELETE FROM main."${t}"`);
        old.exec(`INSERT INTO main."${t}" (${cols}) SELECT ${cols} FROM fresh."${t}"`);
      }
    })();
    old.exec('DETACH DATABASE fresh');
  } finally {
    old.close();
  }
}

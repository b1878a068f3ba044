import { writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * `Snoopscope --self-test[=report.json]`: the packaged app loads its native SQLite module, uses an
 * in-memory database, prints what it found and exits (0 when it works) without opening a window.
 * CI runs it on every package, because a native module that does not load in the packaged app
 * (wrong architecture, wrong Node-API version, left inside app.asar) fails only there.
 */
export const SELF_TEST_FLAG = '--self-test';

/** What the self-test found. */
export interface SelfTestReport {
  ok: boolean;
  platform: string;
  arch: string;
  electron: string | null;
  node: string;
  /** The Node-API version the runtime offers and the V8 module ABI. */
  napi: string | null;
  modules: string | null;
  sqlite: string | null;
  error: string | null;
}

/** The self-test the command line asks for, with the file to write its report to, or null. */
export function selfTestRequest(argv: readonly string[]): { out: string | null } | null {
  for (const arg of argv) {
    if (arg === SELF_TEST_FLAG) return { out: null };
    if (arg.startsWith(`${SELF_TEST_FLAG}=`)) {
      const out = arg.slice(SELF_TEST_FLAG.length + 1);
      return { out: out === '' ? null : out };
    }
  }
  return null;
}

type Open = (path: string) => Database.Database;

/** Opens an in-memory database through better-sqlite3, writes a row to a STRICT table and reads it back. */
export function runNativeSelfTest(open: Open = (path) => new Database(path)): SelfTestReport {
  const report: SelfTestReport = {
    ok: false,
    platform: process.platform,
    arch: process.arch,
    electron: process.versions.electron ?? null,
    node: process.versions.node,
    napi: process.versions.napi ?? null,
    modules: process.versions.modules ?? null,
    sqlite: null,
    error: null,
  };
  try {
    const db = open(':memory:');
    try {
      report.sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL) STRICT');
      db.prepare('INSERT INTO t (label) VALUES (?)').run('self-test');
      const row = db.prepare('SELECT label FROM t').get() as { label: string } | undefined;
      if (row?.label !== 'self-test') throw new Error('the row written was not read back');
    } finally {
      db.close();
    }
    report.ok = true;
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e);
  }
  return report;
}

/** Prints the report as one `SNOOPSCOPE_SELF_TEST {json}` line and writes it to `out` when given. */
export function writeSelfTestReport(report: SelfTestReport, out: string | null): void {
  const line = `SNOOPSCOPE_SELF_TEST ${JSON.stringify(report)}\n`;
  // Synchronous: the app exits right after, and a GUI executable may have no usable stdout at all.
  try {
    writeSync(1, line);
  } catch {
    // The report file below is the record where there is no stdout.
  }
  if (out) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
}

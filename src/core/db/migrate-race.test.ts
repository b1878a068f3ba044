import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../../cli/child-process';
import { REPORTS } from '../../cli/test-support';
import {
  CASE_APPLICATION_ID,
  createCaseDatabase,
  migrate,
  openCaseDatabase,
  schemaVersion,
} from './open';
import { MIGRATIONS } from './migrations';
import type { Migration } from './migrations/types';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-race-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LATEST = MIGRATIONS.at(-1)!.version;

describe('two connections migrating one case at once', () => {
  it('the second finds a migration the first applied after it looked, and skips it', () => {
    const path = join(dir, 'm.snoopcase');
    createCaseDatabase(path, 'm').close();
    const a = new Database(path);
    const b = new Database(path);
    for (const db of [a, b]) db.pragma('busy_timeout = 5000');
    const one: Migration = {
      version: 901,
      name: 'one',
      up: 'CREATE TABLE probe_one (x INTEGER) STRICT',
    };
    const two: Migration = {
      version: 902,
      name: 'two',
      up: 'ALTER TABLE devices ADD COLUMN probe TEXT',
    };
    const all = [...MIGRATIONS, one, two];
    // A's list hands out `two` only after B, which looked later, has applied it: the
    // interleaving two processes produce when the second opens the case a moment after the first.
    class Interleaved extends Array<Migration> {
      static override get [Symbol.species](): ArrayConstructor {
        return Array;
      }
      override *[Symbol.iterator](): ArrayIterator<Migration> {
        for (const m of all) {
          if (m === two) migrate(b, all);
          yield m;
        }
      }
    }
    const interleaved = Interleaved.from(all) as Interleaved;
    expect(() => migrate(a, interleaved)).not.toThrow();
    expect(schemaVersion(a)).toBe(902);
    const applied = a.prepare('SELECT version FROM schema_migrations WHERE version > 900').all();
    expect(applied).toEqual([{ version: 901 }, { version: 902 }]);
    a.close();
    b.close();
  });
});

describe('two processes opening one case at once', () => {
  /** Starts two `import`s together (each waits until both are loaded) and returns their exits. */
  async function together(casePath: string): Promise<{ code: number | null; stderr: string }[]> {
    const a = join(dir, 'a.ndjson');
    const c = join(dir, 'c.ndjson');
    writeFileSync(a, REPORTS.a);
    writeFileSync(c, REPORTS.c);
    const env = { SNOOPSCOPE_TEST_GO: '1' };
    const children = [
      startCli(['import', casePath, a, '--device', 'phone'], { env }),
      startCli(['import', casePath, c, '--device', 'tablet'], { env }),
    ];
    await Promise.all(children.map((ch) => ch.waitForStderr('READY')));
    for (const ch of children) ch.proceed();
    return Promise.all(
      children.map(async (ch) => ({ code: (await ch.exited).code, stderr: ch.stderr() })),
    );
  }

  it('applies pending migrations once: both commands succeed', async () => {
    const path = join(dir, 'old.snoopcase');
    // A case written by an older version: only the first two migrations applied.
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`application_id = ${CASE_APPLICATION_ID}`);
    migrate(db, MIGRATIONS.slice(0, 2));
    db.prepare(
      "INSERT INTO case_meta (key, value) VALUES ('name', 'old'), ('created_at', '1')",
    ).run();
    db.close();
    const runs = await together(path);
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/duplicate column|already exists|failed/);
      expect(r.code).toBe(0);
    }
    const check = openCaseDatabase(path);
    expect(schemaVersion(check)).toBe(LATEST);
    expect(check.prepare('SELECT COUNT(*) AS n FROM sources').get()).toEqual({ n: 2 });
    check.close();
  }, 30_000);

  it('creating the same new case: both commands succeed and both files are in it', async () => {
    const path = join(dir, 'new.snoopcase');
    const runs = await together(path);
    for (const r of runs) expect(r.code).toBe(0);
    const check = openCaseDatabase(path);
    expect(check.prepare('SELECT COUNT(*) AS n FROM sources').get()).toEqual({ n: 2 });
    expect(
      check.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'case-created'").get(),
    ).toEqual({ n: 1 });
    check.close();
  }, 30_000);
});

import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importOutcomeSchema, type ImportOutcome } from '../contract/records';
import { verifyAudit } from '../core/db/audit';
import { importBatch } from '../core/services/import-batch';
import { CaseSession } from '../core/services/case-service';
import { startCli } from './child-process';
import { main } from './main';
import { Capture, REPORTS, runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let casePath: string;
beforeEach(() => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'case.snoopcase');
});
afterEach(() => tmp.cleanup());

const outcomes = (stdout: string): ImportOutcome[] =>
  (JSON.parse(stdout) as unknown[]).map((o) => importOutcomeSchema.parse(o));
/** A stack trace line, which must never reach the user. */
const STACK = /^\s+at .+[:(]/m;

function inCase<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(casePath, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const count = (table: string): number =>
  inCase((db) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);

describe('a path that cannot be read', () => {
  it('is refused with its reason while every other path imports, one --json outcome per path', async () => {
    const good = tmp.file('good.ndjson', REPORTS.a);
    const folder = join(tmp.dir, 'empty-folder');
    mkdirSync(folder);
    const fifo = join(tmp.dir, 'pipe.ndjson');
    execFileSync('mkfifo', [fifo]);
    const missing = join(tmp.dir, 'missing.ndjson');
    const r = await runCli([
      'import',
      casePath,
      missing,
      fifo,
      good,
      '/dev/null',
      '--device',
      'p',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const o = outcomes(r.stdout);
    expect(o.map((x) => [x.path, x.status])).toEqual([
      [missing, 'refused'],
      [fifo, 'refused'],
      [good, 'imported'],
      ['/dev/null', 'refused'],
    ]);
    expect(o[0]!.error).toBe(`Cannot read ${missing}: no such file or folder.`);
    expect(o[1]!.error).toBe(`Cannot read ${fifo}: it is a named pipe (FIFO), not a file.`);
    expect(o[3]!.error).toBe('Cannot read /dev/null: it is a device, not a file.');
  });

  it('without permission to read it is refused, and the next path still imports', async () => {
    // A test run as root reads any file: the command then runs as "nobody" in a child process.
    chmodSync(tmp.dir, 0o777);
    const secret = tmp.file('secret.ndjson', REPORTS.c);
    const good = tmp.file('good.ndjson', REPORTS.a);
    chmodSync(good, 0o644);
    chmodSync(secret, 0o000);
    const argv = ['import', casePath, secret, good, '--device', 'p', '--json'];
    let code: number | null;
    let stdout: string;
    let stderr: string;
    if (process.getuid?.() === 0) {
      const child = startCli(argv, { uid: 65534, gid: 65534 });
      ({ code } = await child.exited);
      stdout = child.stdout();
      stderr = child.stderr();
    } else {
      ({ code, stdout, stderr } = await runCli(argv));
    }
    expect(stderr).not.toMatch(STACK);
    expect(code).toBe(1);
    const [os, og] = outcomes(stdout);
    expect(os).toMatchObject({
      path: secret,
      status: 'refused',
      error: `Cannot read ${secret}: permission denied.`,
    });
    expect(og).toMatchObject({ path: good, status: 'imported' });
  }, 30_000);
});

describe('a file whose import fails unexpectedly', () => {
  it('is refused with a sentence naming it and the reason; the files after it import', async () => {
    const first = tmp.file('first.ndjson', REPORTS.c);
    expect((await runCli(['import', casePath, first, '--device', 'p'])).code).toBe(0);
    const db = new Database(casePath);
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON network_observations
      WHEN NEW.domain = 'tracker.example.net' BEGIN SELECT RAISE(ABORT, 'the disk said no'); END`);
    db.close();
    const a = tmp.file('a.ndjson', REPORTS.a);
    const b = tmp.file('b.ndjson', REPORTS.b);
    const r = await runCli(['import', casePath, a, b, '--device', 'p', '--json']);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toContain('unexpected error');
    expect(r.code).toBe(1);
    const [oa, ob] = outcomes(r.stdout);
    expect(oa).toMatchObject({
      status: 'refused',
      sourceId: null,
      error: `Cannot import ${a}: the disk said no. Nothing of this file was kept.`,
    });
    expect(ob).toMatchObject({ status: 'imported' });
    expect(count('sources')).toBe(2);
  });

  it('is refused in the app’s import too, with the error handed to the log, and the others import', async () => {
    const session = CaseSession.create(casePath);
    const device = session.createDevice({ label: 'p', platform: 'ios' });
    session.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON network_observations
      WHEN NEW.domain = 'tracker.example.net' BEGIN SELECT RAISE(ABORT, 'the disk said no'); END`);
    const logged: string[] = [];
    const a = tmp.file('a.ndjson', REPORTS.a);
    const c = tmp.file('c.ndjson', REPORTS.c);
    const r = await importBatch({
      db: session.db,
      importId: 'x',
      paths: [a, c],
      deviceId: device.id,
      isCancelled: () => false,
      onProgress: () => undefined,
      onError: (path, e) => logged.push(`${path}: ${(e as Error).message}`),
    });
    session.close();
    expect(r.outcomes.map((o) => [o.path, o.status])).toEqual([
      [a, 'refused'],
      [c, 'imported'],
    ]);
    expect(r.outcomes[0]!.error).toContain('the disk said no');
    expect(logged).toEqual([`${a}: the disk said no`]);
  });
});

describe('a refused import leaves everything as it was', () => {
  it('creates no case file when nothing is imported, and leaves nothing beside it', async () => {
    const text = tmp.file('notes.txt', 'plain text\n');
    const r = await runCli(['import', casePath, text, '--device', 'p', '--json']);
    expect(r.code).toBe(1);
    expect(outcomes(r.stdout)[0]).toMatchObject({ status: 'refused', deviceId: null });
    expect(r.stderr).toContain(`no case file was created at ${casePath}: nothing was imported`);
    expect(existsSync(casePath)).toBe(false);
    expect(readdirSync(tmp.dir)).toEqual(['notes.txt']);
  });

  it('adds no device and no audit entry to an existing case', async () => {
    const c = tmp.file('c.ndjson', REPORTS.c);
    expect((await runCli(['import', casePath, c, '--device', 'tablet'])).code).toBe(0);
    const before = inCase((db) => ({
      devices: db.prepare('SELECT * FROM devices').all(),
      audit: db.prepare('SELECT * FROM audit_log').all(),
    }));
    const text = tmp.file('notes.txt', 'plain text\n');
    const r = await runCli(['import', casePath, text, '--device', 'new phone']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('created device');
    const after = inCase((db) => ({
      devices: db.prepare('SELECT * FROM devices').all(),
      audit: db.prepare('SELECT * FROM audit_log').all(),
    }));
    expect(after).toEqual(before);
  });

  it('creates the new device once, with the first file stored, when a refused file comes first', async () => {
    const text = tmp.file('notes.txt', 'plain text\n');
    const a = tmp.file('a.ndjson', REPORTS.a);
    const r = await runCli(['import', casePath, text, a, '--device', 'phone', '--json']);
    expect(r.code).toBe(1);
    const [ot, oa] = outcomes(r.stdout);
    expect(ot).toMatchObject({ status: 'refused', deviceId: null });
    expect(oa).toMatchObject({ status: 'imported', deviceId: 1 });
    expect(r.stderr).toContain('created device "phone"');
    const actions = inCase((db) =>
      (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[]).map(
        (x) => x.action,
      ),
    );
    expect(actions).toEqual(['case-created', 'device-created', 'import']);
    expect(inCase((db) => verifyAudit(db as never).intact)).toBe(true);
  });

  it('leaves the app’s case as it was when its import is refused', async () => {
    const session = CaseSession.create(casePath);
    const device = session.createDevice({ label: 'p' });
    const audit = (): number =>
      (session.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    const before = audit();
    const text = tmp.file('notes.txt', 'plain text\n');
    const r = await importBatch({
      db: session.db,
      importId: 'x',
      paths: [text],
      deviceId: device.id,
      isCancelled: () => false,
      onProgress: () => undefined,
    });
    expect(r.outcomes[0]!.status).toBe('refused');
    expect(audit()).toBe(before);
    expect(session.device(device.id).platform).toBe('unknown');
    expect(session.sources()).toEqual([]);
    session.close();
  });

  it('imports into the case another program created meanwhile', async () => {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const stdout = new Capture();
    let made = false;
    // Another program creates the case while this command reads its file.
    const stderr = new (class extends Capture {
      override _write(
        chunk: Buffer | string,
        encoding: BufferEncoding,
        callback: (error?: Error | null) => void,
      ): void {
        if (!made && chunk.toString().includes('[1/1]')) {
          made = true;
          CaseSession.create(casePath).close();
        }
        super._write(chunk, encoding, callback);
      }
    })();
    const code = await main(['import', casePath, a, '--device', 'phone', '--json'], {
      stdout,
      stderr,
      stderrIsTTY: true,
    });
    expect(code).toBe(0);
    expect(stderr.text).toContain('was created by another program meanwhile; importing into it');
    expect(outcomes(stdout.text)[0]).toMatchObject({ status: 'imported', sourceId: 1 });
    expect(count('sources')).toBe(1);
    expect(readdirSync(tmp.dir).filter((f) => !/-(wal|shm)$/.test(f))).toEqual([
      'a.ndjson',
      'case.snoopcase',
    ]);
  });
});

describe('Ctrl-C at any point of an import', () => {
  /**
   * Runs `import` of two files into a new case in a child, pauses it where `pause` is written,
   * sends SIGINT there, and lets it go on.
   */
  async function interrupt(pause: string): Promise<{
    code: number | null;
    outcomes: ImportOutcome[];
    stderr: string;
  }> {
    const a = tmp.file('a.ndjson', REPORTS.a);
    const b = tmp.file('b.ndjson', REPORTS.b);
    const child = startCli(['import', casePath, a, b, '--device', 'phone', '--json'], {
      env: { SNOOPSCOPE_TEST_PAUSE: pause },
    });
    await child.waitForStderr('PAUSED');
    child.process.kill('SIGINT');
    child.proceed();
    const { code } = await child.exited;
    return { code, outcomes: outcomes(child.stdout()), stderr: child.stderr() };
  }

  it('while the first file is read: nothing is kept and no case file is left', async () => {
    const r = await interrupt('[1/2] a.ndjson  reading');
    expect(r.code).toBe(130);
    expect(r.outcomes.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    expect(r.stderr).toMatch(
      /import cancelled: nothing was kept; rolled back or not read: a\.ndjson, b\.ndjson/,
    );
    expect(existsSync(casePath)).toBe(false);
  }, 30_000);

  for (const phase of ['reading', 'pairing', 'committing']) {
    it(`while the last file is ${phase}: it is rolled back, the first is kept, exit 130`, async () => {
      const r = await interrupt(`[2/2] b.ndjson  ${phase}`);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.code).toBe(130);
      expect(r.outcomes.map((o) => o.status)).toEqual(['imported', 'cancelled']);
      expect(r.outcomes[1]!.error).toContain('nothing of this file was kept');
      expect(r.stderr).toMatch(
        /import cancelled: kept a\.ndjson; rolled back or not read: b\.ndjson/,
      );
      expect(inCase((db) => db.prepare('SELECT file_name AS f FROM sources').all())).toEqual([
        { f: 'a.ndjson' },
      ]);
      expect(inCase((db) => verifyAudit(db as never).intact)).toBe(true);
    }, 30_000);
  }

  it('after the last file is stored: both are kept, the command says so and exits 130', async () => {
    const r = await interrupt('created case');
    expect(r.code).toBe(130);
    expect(r.outcomes.map((o) => o.status)).toEqual(['imported', 'imported']);
    expect(r.stderr).toContain(
      'the cancel came after the last file was stored, so nothing was rolled back',
    );
    expect(count('sources')).toBe(2);
  }, 30_000);
});

describe('a cancel in the app during the last steps of a file', () => {
  for (const phase of ['pairing', 'committing'] as const) {
    it(`rolls the file back when it comes while ${phase}`, async () => {
      const session = CaseSession.create(casePath);
      const device = session.createDevice({ label: 'p', platform: 'ios' });
      const a = tmp.file('a.ndjson', REPORTS.a);
      const c = tmp.file('c.ndjson', REPORTS.c);
      let cancelled = false;
      const r = await importBatch({
        db: session.db,
        importId: 'x',
        paths: [a, c],
        deviceId: device.id,
        isCancelled: () => cancelled,
        // The cancel message arrives while the last file is in this phase.
        onProgress: (p) => {
          if (p.path === c && p.phase === phase) cancelled = true;
        },
      });
      expect(r.cancelled).toBe(true);
      expect(r.outcomes.map((o) => o.status)).toEqual(['imported', 'cancelled']);
      expect(session.sources().map((s) => s.fileName)).toEqual(['a.ndjson']);
      session.close();
    });
  }
});

describe('an error no command expected', () => {
  it('prints one plain sentence and exits 1; the stack only when SNOOPSCOPE_DEBUG asks', async () => {
    const c = tmp.file('c.ndjson', REPORTS.c);
    expect((await runCli(['import', casePath, c, '--device', 'p'])).code).toBe(0);
    const db = new Database(casePath);
    db.exec('PRAGMA foreign_keys = OFF; DROP TABLE devices;');
    db.close();
    const saved = process.env.SNOOPSCOPE_DEBUG;
    try {
      delete process.env.SNOOPSCOPE_DEBUG;
      const r = await runCli(['devices', casePath]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'snoopscope: devices failed: no such table: devices.\n' +
          'Set SNOOPSCOPE_DEBUG=1 to print where it failed.\n',
      );
      process.env.SNOOPSCOPE_DEBUG = '1';
      const d = await runCli(['devices', casePath]);
      expect(d.code).toBe(1);
      expect(d.stderr).toMatch(STACK);
    } finally {
      if (saved === undefined) delete process.env.SNOOPSCOPE_DEBUG;
      else process.env.SNOOPSCOPE_DEBUG = saved;
    }
  });
});

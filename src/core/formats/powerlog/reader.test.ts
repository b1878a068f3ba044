import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePowerLog, PowerLogError, readPowerLogFile, type PowerLogStates } from './reader';
import { buildPowerLog } from './testing/synthetic';

const dir = mkdtempSync(join(tmpdir(), 'powerlog-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 2021-12-16 10:00:00 UTC in PowerLog seconds.
const T = Date.UTC(2021, 11, 16, 10) / 1000;
const OFFSETS = [
  { timestamp: T, system: -400 },
  { timestamp: T + 1000, system: -600 },
];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parse(rows: Parameters<typeof buildPowerLog>[0], untilMs?: number): PowerLogStates {
  return parsePowerLog(buildPowerLog(rows), untilMs === undefined ? {} : { untilMs });
}

describe('parsePowerLog', () => {
  it('reads lock changes, corrected by the offset in effect at each row', () => {
    const r = parse({
      PLStorageOperator_EventForward_TimeOffset: OFFSETS,
      PLSpringBoardAgent_EventForward_SBLock: [
        { timestamp: T + 10, Locked: 1 },
        { timestamp: T + 2000, Locked: 0 },
        { timestamp: T - 50, Locked: 0 },
      ],
    });
    const lock = r.changes.filter((c) => c.kind === 'lock');
    expect(lock.map((c) => [iso(c.atMs), c.value, c.offsetSeconds, c.offsetBasis])).toEqual([
      ['2021-12-16T09:52:30.000Z', false, -400, 'earliest'],
      ['2021-12-16T09:53:30.000Z', true, -400, 'in-effect'],
      ['2021-12-16T10:23:20.000Z', false, -600, 'in-effect'],
    ]);
    expect(lock[1]!.locator).toEqual({ table: 'PLSpringBoardAgent_EventForward_SBLock', rowid: 1 });
    expect(lock[1]!.rawTimestamp).toBe(T + 10);
    expect(r.timeOffsets).toHaveLength(2);
    expect(r.missingTables).toContain('PLSpringBoardAgent_EventForward_SBBlank');
  });

  it('turns forward states into intervals bounded by the coverage window', () => {
    const r = parse({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
      PLSpringBoardAgent_EventForward_SBBlank: [
        { timestamp: T + 100, Blanked: 1 },
        { timestamp: T + 200, Blanked: 0 },
        { timestamp: T + 300, Blanked: 1 },
      ],
    });
    const screen = r.intervals.filter((i) => i.kind === 'screen');
    expect(screen.map((i) => [i.value, i.startMs / 1000 - T, i.endMs / 1000 - T])).toEqual([
      ['off', 100, 200],
      ['on', 200, 300],
    ]);
    expect(screen[0]!.endLocator).toEqual({
      table: 'PLSpringBoardAgent_EventForward_SBBlank',
      rowid: 2,
    });
    const cover = r.coverage.find((c) => c.kind === 'screen')!;
    expect([cover.startMs / 1000 - T, cover.endMs / 1000 - T, cover.rows]).toEqual([100, 300, 3]);
  });

  it('extends forward coverage to the capture instant when the caller gives it', () => {
    const until = (T + 500) * 1000;
    const r = parse(
      {
        PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
        PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T + 100, Locked: 1 }],
      },
      until,
    );
    expect(r.intervals).toEqual([
      expect.objectContaining({
        kind: 'lock',
        value: true,
        startMs: (T + 100) * 1000,
        endMs: until,
        endLocator: null,
      }),
    ]);
  });

  it('ignores a capture instant that is not a plausible date', () => {
    const rows = {
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
      PLSpringBoardAgent_EventForward_SBLock: [
        { timestamp: T + 100, Locked: 1 },
        { timestamp: T + 200, Locked: 0 },
      ],
    };
    for (const until of [Infinity, NaN, 1e20]) {
      const r = parse(rows, until);
      expect(r.coverage[0]!.endMs).toBe((T + 200) * 1000);
    }
  });

  it("leaves the caller's bytes unchanged, WAL header included", () => {
    const bytes = buildPowerLog({
      PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T, Locked: 1 }],
    });
    bytes[18] = 2;
    bytes[19] = 2;
    const before = Buffer.from(bytes);
    expect(parsePowerLog(bytes).changes).toHaveLength(1);
    expect(bytes.equals(before)).toBe(true);
  });

  it('reads the app on screen per display, backlight levels, camera and application rows', () => {
    const r = parse({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
      PLScreenStateAgent_EventForward_ScreenState: [
        { timestamp: T + 1, Display: 0, bundleID: 'com.apple.lock-screen', AppRole: 3 },
        { timestamp: T + 5, Display: 0, bundleID: 'com.example.app', AppRole: 1 },
      ],
      PLScreenStateAgent_EventPoint_BacklightEvent: [{ timestamp: T + 2, BacklightLevel: 100 }],
      PLCameraAgent_EventForward_Camera: [
        { timestamp: T + 3, BundleId: 'com.apple.camera', State: 1 },
      ],
      PLApplicationAgent_EventForward_Application: [
        { timestamp: T + 4, Identifier: 'com.example.app', State: 8 },
      ],
    });
    expect(r.changes.map((c) => [c.kind, c.subject, c.value])).toEqual([
      ['screen-app', 'display 0', 'com.apple.lock-screen'],
      ['backlight', null, 100],
      ['camera', 'com.apple.camera', 'on'],
      ['app-state', 'com.example.app', 8],
      ['screen-app', 'display 0', 'com.example.app'],
    ]);
    // A backlight sample is a point: it gives no interval.
    expect(r.intervals.some((i) => i.kind === 'backlight')).toBe(false);
    expect(r.intervals.find((i) => i.kind === 'screen-app')).toEqual(
      expect.objectContaining({
        value: 'com.apple.lock-screen',
        startMs: (T + 1) * 1000,
        endMs: (T + 5) * 1000,
      }),
    );
  });

  it('reads location client activity with its own end time', () => {
    const r = parse({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: -10 }],
      PLLocationAgent_EventForward_ClientStatus: [
        {
          timestamp: T + 100,
          Client: 'CoreParsec.framework',
          Type: 'Location',
          timestampEnd: T + 160,
        },
        { timestamp: T + 200, BundleId: 'com.example.maps', Type: 'Significant' },
        { timestamp: T + 300, Type: 'Visit' },
      ],
    });
    const loc = r.changes.filter((c) => c.kind === 'location-client');
    expect(
      loc.map((c) => [c.subject, c.value, c.endMs === null ? null : c.endMs / 1000 - T]),
    ).toEqual([
      ['CoreParsec.framework', 'Location', 150],
      ['com.example.maps', 'Significant', null],
    ]);
    expect(r.intervals).toEqual([
      expect.objectContaining({
        kind: 'location-client',
        startMs: (T + 90) * 1000,
        endMs: (T + 150) * 1000,
      }),
    ]);
    expect(r.problems).toEqual([
      '1 row of PLLocationAgent_EventForward_ClientStatus in the PowerLog skipped: the row names no client.',
    ]);
  });

  it('skips rows with unknown values or implausible times, and says so', () => {
    const r = parse({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
      PLSpringBoardAgent_EventForward_SBLock: [
        { timestamp: T + 1, Locked: 2 },
        { timestamp: 1e300, Locked: 1 },
        { timestamp: -5, Locked: 1 },
        { timestamp: 'yesterday', Locked: 1 },
        { timestamp: T + 2, Locked: 'yes' },
        { timestamp: T + 3, Locked: 1 },
      ],
    });
    expect(r.changes).toHaveLength(1);
    expect(r.problems).toEqual([
      '2 rows of PLSpringBoardAgent_EventForward_SBLock in the PowerLog skipped: Locked is neither 0 nor 1.',
      '3 rows of PLSpringBoardAgent_EventForward_SBLock in the PowerLog skipped: its timestamp is not a plausible date.',
    ]);
  });

  it('leaves timestamps uncorrected, and says so, without a time-offset table', () => {
    const r = parse({ PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T, Locked: 1 }] });
    expect(r.changes[0]!.offsetBasis).toBe('none');
    expect(r.changes[0]!.atMs).toBe(T * 1000);
    expect(r.problems[0]).toMatch(/no usable PLStorageOperator_EventForward_TimeOffset table/);
  });

  it('ignores time-offset rows with absurd offsets', () => {
    const r = parse({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 1e12 }],
      PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T + 1, Locked: 1 }],
    });
    expect(r.changes[0]!.offsetSeconds).toBe(0);
    expect(r.problems[0]).toMatch(/1 row of PLStorageOperator_EventForward_TimeOffset .* skipped/);
  });

  it('names a table that lacks an expected column and does not read it', () => {
    const db = buildPowerLog(
      { PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T }] },
      {
        PLSpringBoardAgent_EventForward_SBLock:
          'CREATE TABLE PLSpringBoardAgent_EventForward_SBLock (timestamp REAL)',
      },
    );
    const r = parsePowerLog(db);
    expect(r.missingTables).toContain('PLSpringBoardAgent_EventForward_SBLock');
    expect(r.problems).toContain(
      'PLSpringBoardAgent_EventForward_SBLock in the PowerLog lacks the column Locked; it is not read.',
    );
  });

  it('caps the rows read per table', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ timestamp: T + i, Locked: i % 2 }));
    const r = parsePowerLog(buildPowerLog({ PLSpringBoardAgent_EventForward_SBLock: rows }), {
      maxRowsPerTable: 3,
    });
    expect(r.changes).toHaveLength(3);
    expect(r.problems).toContain(
      'PLSpringBoardAgent_EventForward_SBLock in the PowerLog holds more than 3 rows; only the first 3 are read.',
    );
  });

  it('refuses bytes that are not SQLite, and SQLite that is not a PowerLog', () => {
    expect(() => parsePowerLog(Buffer.from('not a database'))).toThrow(PowerLogError);
    const other = buildPowerLog({ notes: [{ timestamp: 1 }] });
    expect(() => parsePowerLog(other)).toThrow(
      'the PowerLog holds no PowerLog tables (no table named PL…).',
    );
  });
});

describe('readPowerLogFile', () => {
  it('reads a file without changing it or creating files beside it', async () => {
    const path = join(dir, 'powerlog_test.PLSQL');
    writeFileSync(
      path,
      buildPowerLog({ PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T, Locked: 1 }] }),
    );
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const mtime = statSync(path).mtimeMs;
    const r = await readPowerLogFile(path);
    expect(r.changes).toHaveLength(1);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readdirSync(dir).filter((n) => n.startsWith('powerlog_test'))).toEqual([
      'powerlog_test.PLSQL',
    ]);
  });

  it('reads a database left in WAL mode (from memory, marking only the private copy)', async () => {
    const path = join(dir, 'wal.PLSQL');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE PLSpringBoardAgent_EventForward_SBLock (ID INTEGER PRIMARY KEY, timestamp REAL, Locked INTEGER)',
    );
    db.prepare(
      'INSERT INTO PLSpringBoardAgent_EventForward_SBLock (timestamp, Locked) VALUES (?, ?)',
    ).run(T, 0);
    db.close();
    const bytes = readFileSync(path);
    expect(bytes[18]).toBe(2);
    const r = await readPowerLogFile(path);
    expect(r.changes.map((c) => c.value)).toEqual([false]);
    expect(readFileSync(path)[18]).toBe(2);
  });

  it('refuses a folder', async () => {
    await expect(readPowerLogFile(dir)).rejects.toThrow(`${dir} is a folder, not a PowerLog file.`);
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a FIFO without waiting for a writer',
    async () => {
      const fifo = join(dir, 'powerlog.fifo');
      execFileSync('mkfifo', [fifo]);
      await expect(readPowerLogFile(fifo)).rejects.toThrow(
        `${fifo} is a named pipe (FIFO), not a PowerLog file.`,
      );
    },
  );

  it('refuses a file over the size limit', async () => {
    const path = join(dir, 'big.PLSQL');
    writeFileSync(path, Buffer.alloc(4096));
    await expect(readPowerLogFile(path, { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'LIMIT',
    });
  });
});

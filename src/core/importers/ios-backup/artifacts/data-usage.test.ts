import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CORE_DATA_EPOCH_MS } from './core-data-time';
import { dataUsageManifest, readDataUsage } from './data-usage';

const T0 = 700_000_000; // 2023-03-07 in Core Data seconds
const ms = (s: number) => Math.round(CORE_DATA_EPOCH_MS + s * 1000);

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** An in-memory DataUsage.sqlite with the real Core Data column layout (optionally without ZWIFI*). */
function makeDb(opts: { wifi?: boolean; wwan?: boolean } = {}): Database.Database {
  const db = new Database(':memory:');
  open.push(db);
  const wifi = opts.wifi ?? true;
  const wwan = opts.wwan ?? true;
  db.exec(`
    CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP,
      ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
    CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER,
      ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP
      ${wifi ? ', ZWIFIIN FLOAT, ZWIFIOUT FLOAT' : ''}${wwan ? ', ZWWANIN FLOAT, ZWWANOUT FLOAT' : ''});
  `);
  const p = db.prepare(
    'INSERT INTO ZPROCESS (Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME) VALUES (?, ?, ?, ?, ?)',
  );
  p.run(1, T0, T0 + 10, 'com.example.app', '1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.example.app');
  p.run(2, T0 + 1, T0 + 2, null, '0A0B0C0D-1111-2222-3333-444455556666/com.example.fallback');
  p.run(3, T0 + 5, T0 + 6, 'com.garmin.connect.mobile', 'mDNSResponder/com.garmin.connect.mobile');
  p.run(4, null, 0, null, 'CumulativeUsageTracker');
  return db;
}

function addLive(db: Database.Database, cols: Record<string, unknown>): void {
  const names = Object.keys(cols);
  db.prepare(
    `INSERT INTO ZLIVEUSAGE (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
  ).run(...Object.values(cols));
}

describe('readDataUsage', () => {
  it('gives one record per ZLIVEUSAGE row, never summed, plus unused processes', () => {
    const db = makeDb();
    addLive(db, {
      Z_PK: 10,
      ZKIND: 0,
      ZHASPROCESS: 1,
      ZTIMESTAMP: T0 + 100,
      ZWIFIIN: 1000,
      ZWIFIOUT: 200,
      ZWWANIN: 30,
      ZWWANOUT: 4,
    });
    addLive(db, {
      Z_PK: 11,
      ZKIND: 0,
      ZHASPROCESS: 1,
      ZTIMESTAMP: T0 + 200,
      ZWIFIIN: 5,
      ZWIFIOUT: 6,
      ZWWANIN: 7,
      ZWWANOUT: 8,
    });
    addLive(db, {
      Z_PK: 12,
      ZKIND: 0,
      ZHASPROCESS: 3,
      ZTIMESTAMP: T0 + 300.5,
      ZWIFIIN: 0,
      ZWIFIOUT: 0,
      ZWWANIN: 9,
      ZWWANOUT: 1,
    });
    const { records, problems } = readDataUsage(db);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(5);
    expect(records[0]).toEqual({
      liveRowid: 10,
      processRowid: 1,
      process: '1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.example.app',
      bundleId: 'com.example.app',
      executable: null,
      kind: 0,
      wifiIn: 1000,
      wifiOut: 200,
      cellIn: 30,
      cellOut: 4,
      firstSeenMs: ms(T0),
      lastSeenMs: ms(T0 + 100),
      locator: 'ZLIVEUSAGE rowid 10',
    });
    expect(records[1]).toMatchObject({
      liveRowid: 11,
      processRowid: 1,
      wifiIn: 5,
      lastSeenMs: ms(T0 + 200),
    });
    expect(records[2]).toMatchObject({
      liveRowid: 12,
      bundleId: 'com.garmin.connect.mobile',
      executable: 'mDNSResponder',
      lastSeenMs: ms(T0 + 300.5),
    });
    // Processes 2 and 4 have no usage: null byte counts, their own times, a ZPROCESS locator.
    expect(records[3]).toEqual({
      liveRowid: null,
      processRowid: 2,
      process: '0A0B0C0D-1111-2222-3333-444455556666/com.example.fallback',
      bundleId: 'com.example.fallback',
      executable: null,
      kind: null,
      wifiIn: null,
      wifiOut: null,
      cellIn: null,
      cellOut: null,
      firstSeenMs: ms(T0 + 1),
      lastSeenMs: ms(T0 + 2),
      locator: 'ZPROCESS rowid 2',
    });
    expect(records[4]).toMatchObject({
      processRowid: 4,
      process: 'CumulativeUsageTracker',
      bundleId: null,
      executable: 'CumulativeUsageTracker',
      firstSeenMs: null,
      lastSeenMs: null,
      locator: 'ZPROCESS rowid 4',
    });
  });

  it('tolerates missing ZWIFI* columns with null counts and one problem per column', () => {
    const db = makeDb({ wifi: false });
    addLive(db, { Z_PK: 1, ZHASPROCESS: 1, ZTIMESTAMP: T0 + 1, ZWWANIN: 10, ZWWANOUT: 20 });
    const { records, problems } = readDataUsage(db);
    expect(records[0]).toMatchObject({ wifiIn: null, wifiOut: null, cellIn: 10, cellOut: 20 });
    expect(problems).toEqual([
      expect.stringContaining('no ZWIFIIN column'),
      expect.stringContaining('no ZWIFIOUT column'),
    ]);
  });

  it('tolerates missing ZWWAN* columns too', () => {
    const db = makeDb({ wwan: false });
    addLive(db, { Z_PK: 1, ZHASPROCESS: 1, ZTIMESTAMP: T0 + 1, ZWIFIIN: 3, ZWIFIOUT: 4 });
    const { records, problems } = readDataUsage(db);
    expect(records[0]).toMatchObject({ wifiIn: 3, wifiOut: 4, cellIn: null, cellOut: null });
    expect(problems).toHaveLength(2);
  });

  it('keeps orphan and unlinked live rows, unnamed, with a located problem', () => {
    const db = makeDb();
    addLive(db, {
      Z_PK: 7,
      ZHASPROCESS: 99,
      ZTIMESTAMP: T0,
      ZWIFIIN: 1,
      ZWIFIOUT: 1,
      ZWWANIN: 1,
      ZWWANOUT: 1,
    });
    addLive(db, {
      Z_PK: 8,
      ZHASPROCESS: null,
      ZTIMESTAMP: T0,
      ZWIFIIN: 1,
      ZWIFIOUT: 1,
      ZWWANIN: 1,
      ZWWANOUT: 1,
    });
    const { records, problems } = readDataUsage(db);
    expect(records.slice(0, 2)).toMatchObject([
      {
        liveRowid: 7,
        processRowid: 99,
        process: null,
        bundleId: null,
        firstSeenMs: null,
        lastSeenMs: ms(T0),
      },
      { liveRowid: 8, processRowid: null, process: null },
    ]);
    expect(problems).toEqual([
      'ZLIVEUSAGE rowid 7: ZHASPROCESS 99 names no ZPROCESS row; the usage is kept unnamed.',
      'ZLIVEUSAGE rowid 8: ZHASPROCESS is empty; the usage belongs to no process.',
    ]);
    // All four processes are unused, so each still yields a record.
    expect(records).toHaveLength(6);
  });

  it('reads null, zero and implausible times as null, reporting only the implausible', () => {
    const db = makeDb();
    addLive(db, {
      Z_PK: 1,
      ZHASPROCESS: 4,
      ZTIMESTAMP: null,
      ZWIFIIN: 1,
      ZWIFIOUT: 2,
      ZWWANIN: 3,
      ZWWANOUT: 4,
    });
    addLive(db, {
      Z_PK: 2,
      ZHASPROCESS: 1,
      ZTIMESTAMP: 1_681_224_294,
      ZWIFIIN: 1,
      ZWIFIOUT: 2,
      ZWWANIN: 3,
      ZWWANOUT: 4,
    });
    const { records, problems } = readDataUsage(db);
    expect(records[0]).toMatchObject({ processRowid: 4, firstSeenMs: null, lastSeenMs: null });
    expect(records[1]).toMatchObject({ processRowid: 1, firstSeenMs: ms(T0), lastSeenMs: null });
    expect(problems).toEqual([
      expect.stringMatching(
        /^ZLIVEUSAGE rowid 2: ZTIMESTAMP .*Unix seconds; it is read as null\.$/,
      ),
    ]);
  });

  it('reports negative or non-numeric byte counts as problems', () => {
    const db = makeDb();
    addLive(db, {
      Z_PK: 1,
      ZHASPROCESS: 1,
      ZTIMESTAMP: T0,
      ZWIFIIN: -5,
      ZWIFIOUT: 'x',
      ZWWANIN: 0,
      ZWWANOUT: null,
    });
    const { records, problems } = readDataUsage(db);
    expect(records[0]).toMatchObject({ wifiIn: null, wifiOut: null, cellIn: 0, cellOut: null });
    expect(problems).toHaveLength(2);
  });

  it('reports missing tables instead of throwing', () => {
    const empty = new Database(':memory:');
    open.push(empty);
    expect(readDataUsage(empty)).toEqual({
      records: [],
      problems: [
        expect.stringContaining('no ZPROCESS table'),
        expect.stringContaining('no ZLIVEUSAGE table'),
      ],
    });

    const onlyProcess = makeDb();
    onlyProcess.exec('DROP TABLE ZLIVEUSAGE');
    const r = readDataUsage(onlyProcess);
    expect(r.records).toHaveLength(4);
    expect(r.records.every((x) => x.liveRowid === null && x.wifiIn === null)).toBe(true);
    expect(r.problems).toEqual([expect.stringContaining('no ZLIVEUSAGE table')]);

    const onlyLive = makeDb();
    onlyLive.exec('DROP TABLE ZPROCESS');
    addLive(onlyLive, {
      Z_PK: 1,
      ZHASPROCESS: 1,
      ZTIMESTAMP: T0,
      ZWIFIIN: 1,
      ZWIFIOUT: 1,
      ZWWANIN: 1,
      ZWWANOUT: 1,
    });
    const l = readDataUsage(onlyLive);
    expect(l.records).toMatchObject([{ liveRowid: 1, processRowid: 1, process: null, wifiIn: 1 }]);
    expect(l.problems).toEqual([expect.stringContaining('no ZPROCESS table')]);
  });

  it('declares what it proves and does not', () => {
    expect(dataUsageManifest.proves.join(' ')).toMatch(/Wi-Fi.*cellular/);
    expect(dataUsageManifest.doesNotProve.join(' ')).toMatch(/destinations/);
    expect(dataUsageManifest.doesNotProve.join(' ')).toMatch(/content/);
  });
});

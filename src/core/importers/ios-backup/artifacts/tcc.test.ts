import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readTccDb, tccManifest, tccReasonLabel } from './tcc';

// Synthetic databases shaped like the schemas in reference ios-backup.md §10; no real data.
const MODERN = `CREATE TABLE access (
  service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL,
  auth_value INTEGER NOT NULL, auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL,
  csreq BLOB, policy_id INTEGER, indirect_object_identifier_type INTEGER,
  indirect_object_identifier TEXT NOT NULL DEFAULT 'UNUSED', indirect_object_code_identity BLOB,
  flags INTEGER, last_modified INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)),
  PRIMARY KEY (service, client, client_type, indirect_object_identifier))`;

const LEGACY = `CREATE TABLE access (
  service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL,
  allowed INTEGER NOT NULL, prompt_count INTEGER NOT NULL, csreq BLOB,
  PRIMARY KEY (service, client, client_type))`;

const open: Database.Database[] = [];
function db(schema: string): Database.Database {
  const d = new Database(':memory:');
  open.push(d);
  if (schema) d.exec(schema);
  return d;
}
afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

function insertModern(
  d: Database.Database,
  rows: Array<[string, string, number, number, number, number]>,
): void {
  const stmt = d.prepare(
    'INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES (?, ?, ?, ?, ?, 1, ?)',
  );
  for (const r of rows) stmt.run(...r);
}

describe('readTccDb, modern schema', () => {
  it('reads every auth_value', () => {
    const d = db(MODERN);
    insertModern(d, [
      ['kTCCServiceCamera', 'com.example.a', 0, 0, 2, 1_700_000_000],
      ['kTCCServiceMicrophone', 'com.example.a', 0, 1, 2, 1_700_000_001],
      ['kTCCServicePhotos', 'com.example.a', 0, 2, 2, 1_700_000_002],
      ['kTCCServicePhotos', 'com.example.b', 0, 3, 2, 1_700_000_003],
    ]);
    const { records, problems } = readTccDb(d);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.service, r.status, r.statusCode])).toEqual([
      ['kTCCServiceCamera', 'denied', 0],
      ['kTCCServiceMicrophone', 'unknown', 1],
      ['kTCCServicePhotos', 'granted', 2],
      ['kTCCServicePhotos', 'limited', 3],
    ]);
    const first = records[0];
    expect(first).toMatchObject({
      rowid: 1,
      category: 'camera',
      client: 'com.example.a',
      clientType: 'bundle',
      clientTypeCode: 0,
      reason: 'user consent',
      reasonCode: 2,
      lastModifiedMs: 1_700_000_000_000,
      locator: 'access rowid 1',
    });
    expect(first?.extra).toMatchObject({
      auth_version: 1,
      indirect_object_identifier: 'UNUSED',
      csreq: null,
    });
    expect(first?.extra).not.toHaveProperty('auth_value');
    expect(first?.extra).not.toHaveProperty('last_modified');
  });

  it('reads every documented auth_reason', () => {
    const d = db(MODERN);
    const expected = [
      'error',
      'user consent',
      'user set',
      'system set',
      'service policy',
      'MDM policy',
      'override policy',
      'missing usage string',
      'prompt timeout',
      'preflight unknown',
      'entitled',
      'app type policy',
    ];
    insertModern(
      d,
      expected.map((_, i) => ['kTCCServiceCamera', `com.example.r${i + 1}`, 0, 2, i + 1, 0]),
    );
    const { records, problems } = readTccDb(d);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.reasonCode, r.reason])).toEqual(
      expected.map((label, i) => [i + 1, label]),
    );
  });

  it('keeps undocumented values raw, with a problem per row', () => {
    const d = db(MODERN);
    insertModern(d, [['kTCCServiceBrandNew', '/usr/libexec/thing', 7, 9, 42, 1_600_000_000]]);
    d.prepare(
      "INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES ('kTCCServiceCamera', 'com.example.text', 1, 'yes', 2, 1, 'soon')",
    ).run();
    const { records, problems } = readTccDb(d);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      service: 'kTCCServiceBrandNew',
      category: 'other',
      clientType: 'unknown',
      clientTypeCode: 7,
      status: 'unknown',
      statusCode: 9,
      reason: 'unrecognised (42)',
      reasonCode: 42,
    });
    expect(records[1]).toMatchObject({
      clientType: 'path',
      status: 'unknown',
      statusCode: null,
      lastModifiedMs: null,
    });
    expect(records[1]?.extra).toMatchObject({ auth_value: 'yes', last_modified: 'soon' });
    expect(problems).toEqual([
      'access rowid 1: client_type 7 is not documented',
      'access rowid 1: auth_value 9 is not documented; status unknown',
      'access rowid 1: auth_reason 42 is not documented',
      'access rowid 2: auth_value is not an integer ("yes"); kept raw in extra',
      'access rowid 2: last_modified is not a number ("soon"); kept raw in extra',
    ]);
  });

  it('uses real rowids in locators', () => {
    const d = db(MODERN);
    insertModern(d, [
      ['kTCCServiceCamera', 'com.example.a', 0, 2, 2, 0],
      ['kTCCServiceCamera', 'com.example.b', 0, 2, 2, 0],
    ]);
    d.prepare("DELETE FROM access WHERE client = 'com.example.a'").run();
    const { records } = readTccDb(d);
    expect(records.map((r) => r.locator)).toEqual(['access rowid 2']);
    expect(records[0]?.rowid).toBe(2);
  });
});

describe('readTccDb, older schema', () => {
  it('maps allowed to granted and denied and keeps prompt_count', () => {
    const d = db(LEGACY);
    const stmt = d.prepare(
      'INSERT INTO access (service, client, client_type, allowed, prompt_count) VALUES (?, ?, ?, ?, ?)',
    );
    stmt.run('kTCCServiceAddressBook', 'com.example.a', 0, 1, 1);
    stmt.run('kTCCServicePhotos', 'com.example.a', 0, 0, 2);
    stmt.run('kTCCServiceCalendar', 'com.example.a', 0, 5, 0);
    const { records, problems } = readTccDb(d);
    expect(records.map((r) => [r.category, r.status, r.statusCode])).toEqual([
      ['contacts', 'granted', 1],
      ['photos', 'denied', 0],
      ['calendar', 'unknown', 5],
    ]);
    expect(records[0]).toMatchObject({ reason: null, reasonCode: null, lastModifiedMs: null });
    expect(records[0]?.extra).toMatchObject({ prompt_count: 1 });
    expect(problems).toEqual(['access rowid 3: allowed 5 is not 0 or 1; status unknown']);
  });

  it('accepts a table without client_type', () => {
    const d = db('CREATE TABLE access (service TEXT, client TEXT, allowed INTEGER)');
    d.prepare("INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.a', 1)").run();
    const { records, problems } = readTccDb(d);
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({ clientType: 'unknown', clientTypeCode: null });
  });
});

describe('readTccDb, broken input', () => {
  it('reports a missing access table', () => {
    expect(readTccDb(db('CREATE TABLE other (x)'))).toEqual({
      records: [],
      problems: ['TCC.db has no access table'],
    });
  });

  it('reports an access table without service or client', () => {
    const { records, problems } = readTccDb(db('CREATE TABLE access (a, b)'));
    expect(records).toEqual([]);
    expect(problems).toEqual(['TCC.db access table lacks service and client (columns: a, b)']);
  });

  it('reads rows with neither auth_value nor allowed as unknown', () => {
    const d = db('CREATE TABLE access (service TEXT, client TEXT, mystery INTEGER)');
    d.prepare("INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.a', 3)").run();
    const { records, problems } = readTccDb(d);
    expect(records[0]).toMatchObject({
      status: 'unknown',
      statusCode: null,
      extra: { mystery: 3 },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/neither auth_value nor allowed/);
  });

  it('skips rows without a service or client, with a problem', () => {
    const d = db('CREATE TABLE access (service TEXT, client TEXT, allowed INTEGER)');
    d.prepare("INSERT INTO access VALUES (NULL, 'com.example.a', 1)").run();
    const { records, problems } = readTccDb(d);
    expect(records).toEqual([]);
    expect(problems).toEqual(['access rowid 1: no service or client; row skipped']);
  });

  it('numbers rows of a WITHOUT ROWID table', () => {
    const d = db(
      'CREATE TABLE access (service TEXT, client TEXT, allowed INTEGER, PRIMARY KEY (service, client)) WITHOUT ROWID',
    );
    d.prepare("INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.a', 1)").run();
    const { records, problems } = readTccDb(d);
    expect(records[0]?.locator).toBe('access row 1');
    expect(problems).toHaveLength(1);
  });

  it('throws for a database that cannot be read, as the other SQLite artifact readers do', () => {
    const d = new Database(':memory:');
    d.close();
    expect(() => readTccDb(d)).toThrow(/not open/);
  });
});

describe('tccManifest and labels', () => {
  it('says what the records do not prove', () => {
    expect(tccManifest.doesNotProve.join(' ')).toMatch(/not access|any use/i);
    expect(tccManifest.proves.length).toBeGreaterThan(0);
  });

  it('labels undocumented reasons', () => {
    expect(tccReasonLabel(6)).toBe('MDM policy');
    expect(tccReasonLabel(0)).toBe('unrecognised (0)');
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../../contract/records';
import { importFile } from '../../services/import-run';
import { accessPair, networkLine } from '../../testing/apr-fixture';
import { tempCase, type TempCase } from '../../testing/temp-case';

const T0 = Date.UTC(2024, 4, 1, 0, 10);
let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const run = (lines: string[]): Promise<ImportOutcome> =>
  importFile({ db: t.session.db, path: t.write('report.ndjson', lines), deviceId: t.deviceId });
const all = <T>(sql: string): T[] => t.session.db.prepare(sql).all() as T[];
const good = (id: string, ms = T0): [string, string] =>
  accessPair({ app: 'com.good', category: 'photos', id, ms, durationMs: 2000 });
const sessionKeys = (): string[] =>
  all<{ k: string }>('SELECT interval_key AS k FROM access_sessions ORDER BY k').map((r) => r.k);

/** An access line whose `timeStamp` is exactly `ts`. */
const accessAt = (id: string, kind: 'intervalBegin' | 'intervalEnd', ts: string): string =>
  JSON.stringify({
    accessor: { identifier: 'com.bad', identifierType: 'bundleID' },
    category: 'photos',
    identifier: id,
    kind,
    timeStamp: ts,
    type: 'access',
  });

describe('a line nested thousands deep', () => {
  it('becomes a warning with its line number, and the lines after it import', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const [b1, e1] = good('G1');
    const [b2, e2] = good('G2', T0 + 60_000);
    const o = await run([
      b1,
      `{"type":${deep}}`,
      `{"type":"access","kind":${deep}}`,
      `{"type":"networkActivity","bundleID":"a","domain":"b","hits":${deep}}`,
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
      deep,
      e1,
      b2,
      e2,
    ]);
    expect(o.status).toBe('imported');
    expect(sessionKeys()).toEqual(['G1', 'G2']);
    const deepWarnings = o.warnings.filter((w) => /more than 64 levels deep/.test(w.message));
    expect(deepWarnings.map((w) => [w.line, w.code])).toEqual([
      [2, 'MALFORMED_LINE'],
      [3, 'MALFORMED_LINE'],
      [4, 'MALFORMED_LINE'],
      [5, 'MALFORMED_LINE'],
      [6, 'MALFORMED_LINE'],
    ]);
  });

  it('keeps a line whose brackets sit inside strings', async () => {
    const line = networkLine({
      app: 'com.good',
      domain: 'x.example',
      firstMs: T0,
      lastMs: T0 + 1000,
      context: '['.repeat(500) + '{'.repeat(500),
    });
    const o = await run([line]);
    expect(o.counts.network).toBe(1);
    expect(o.warnings).toEqual([]);
  });
});

describe('numbers a network row cannot hold', () => {
  const row = (field: string, raw: string): string => {
    const base = JSON.parse(
      networkLine({ app: 'com.net', domain: `${field}.example`, firstMs: T0, lastMs: T0 + 1000 }),
    ) as Record<string, unknown>;
    base[field] = '@@';
    return JSON.stringify(base).replace('"@@"', raw);
  };
  const cases: [string, string, RegExp][] = [
    ['hits', '99999999999999999999', /too large/],
    ['hits', '9223372036854775808', /too large/],
    ['hits', '9007199254740993', /too large/],
    ['domainType', '1e400', /not a whole number|too large/],
    ['contextVerificationType', '-1', /negative/],
    ['domainClassification', '1.5', /not a whole number/],
    ['hits', '"12"', /not a number/],
    ['domainType', 'true', /not a number/],
    ['hits', '[1]', /not a number/],
    ['hits', '{"n":1}', /not a number/],
  ];

  it('warns naming the line and the field, stores the row with that field unknown, and imports the rest', async () => {
    const lines = cases.map(([field, raw]) => row(field, raw));
    const [b, e] = good('AFTER');
    const okRow = networkLine({
      app: 'com.net',
      domain: 'ok.example',
      firstMs: T0,
      lastMs: T0 + 1,
      hits: 9,
    });
    const o = await run([...lines, okRow, b, e]);
    expect(o.status).toBe('imported');
    expect(o.counts.network).toBe(cases.length + 1);
    expect(sessionKeys()).toEqual(['AFTER']);
    cases.forEach(([field, , why], i) => {
      const w = o.warnings.find((x) => x.line === i + 1);
      expect(w, `line ${i + 1}`).toBeDefined();
      expect(w!.code).toBe('INVALID_FIELD');
      expect(w!.message).toContain(`Line ${i + 1}: ${field} is`);
      expect(w!.message).toMatch(why);
    });
    const stored = all<Record<string, number | null> & { line: number }>(
      `SELECT line, hits, domain_type AS domainType, context_verification_type AS contextVerificationType,
         domain_classification AS domainClassification FROM network_observations ORDER BY line`,
    );
    cases.forEach(([field], i) => expect(stored[i]![field], `line ${i + 1}`).toBeNull());
    expect(stored.at(-1)!.hits).toBe(9);
  });
});

describe('timestamps no device wrote', () => {
  const now = Date.now();
  const iso = (ms: number): string => new Date(ms).toISOString();
  const bad: [string, RegExp][] = [
    ['0002-05-01T02:10:00.000+02:00', /before 2021/],
    ['0099-12-31T23:59:59.000+00:00', /before 2021/],
    ['1999-05-01T02:10:00.000+02:00', /before 2021/],
    ['2020-12-31T23:59:59.999Z', /before 2021/],
    ['2024-05-01T02:10:60.000+02:00', /second 60/],
    ['2024-13-01T02:10:00.000+02:00', /month 13/],
    ['2024-05-32T02:10:00.000+02:00', /day 32/],
    ['2023-02-29T02:10:00.000+02:00', /day 29/],
    ['2024-02-30T02:10:00.000+02:00', /day 30/],
    ['2024-05-01T24:00:00.000+02:00', /hour 24/],
    ['2024-05-01T02:60:00.000+02:00', /minute 60/],
    ['2024-05-01T02:10:00.000+15:00', /beyond the ±14:00/],
    ['2024-05-01T02:10:00.000-14:01', /beyond the ±14:00/],
    ['2024-05-01T02:10:00.000+02:60', /minute 60/],
    [iso(now + 2 * 86_400_000), /after the time of this import/],
    ['9999-12-31T23:59:59.999Z', /after the time of this import/],
    ['2024-05-01 02:10:00', /not an ISO 8601/],
  ];

  it('warns with the line for each and stores none of them; good rows import', async () => {
    const lines = bad.map(([ts], i) => accessAt(`BAD${i}`, 'intervalBegin', ts));
    const o = await run([...lines, ...good('FINE')]);
    expect(o.status).toBe('imported');
    bad.forEach(([ts, why], i) => {
      const w = o.warnings.find((x) => x.line === i + 1);
      expect(w, ts).toMatchObject({ code: 'INVALID_TIMESTAMP', locator: `line ${i + 1}` });
      expect(w!.message, ts).toMatch(why);
    });
    expect(sessionKeys()).toEqual(['FINE']);
  });

  it('accepts the edges of the window: a leap day, ±14:00 and -12:00, a timestamp a few hours ahead', async () => {
    const lines = [
      accessAt('LEAP', 'intervalBegin', '2024-02-29T23:59:59.999+14:00'),
      accessAt('WEST', 'intervalBegin', '2021-01-01T00:00:00.000-12:00'),
      accessAt('AHEAD', 'intervalBegin', iso(now + 3 * 3_600_000)),
      accessAt('EAST', 'intervalBegin', '2021-01-01T14:00:00.000+14:00'),
    ];
    const o = await run(lines);
    expect(o.warnings).toEqual([]);
    const starts = all<{ k: string; s: number; off: number }>(
      'SELECT interval_key AS k, start_ms AS s, start_offset AS off FROM access_sessions ORDER BY k',
    );
    expect(starts).toEqual([
      { k: 'AHEAD', s: now + 3 * 3_600_000, off: 0 },
      { k: 'EAST', s: Date.UTC(2021, 0, 1), off: 840 },
      { k: 'LEAP', s: Date.UTC(2024, 1, 29, 9, 59, 59, 999), off: 840 },
      { k: 'WEST', s: Date.UTC(2021, 0, 1, 12), off: -720 },
    ]);
  });

  it('refuses an end before its begin, in one file and across exports: no negative duration is stored', async () => {
    const o = await run([
      accessAt('REV', 'intervalBegin', '2024-05-01T02:10:00.000+02:00'),
      accessAt('REV', 'intervalEnd', '2024-05-01T01:10:30.000+02:00'),
      accessAt('LATER', 'intervalBegin', '2024-05-02T10:00:00.000+02:00'),
      ...good('OK'),
    ]);
    expect(o.warnings.map((w) => [w.line, w.code])).toEqual([[2, 'INVALID_TIMESTAMP']]);
    expect(o.warnings[0]!.message).toMatch(/end before it begins.*line 1.*not stored/);
    const second = await importFile({
      db: t.session.db,
      path: t.write('next.ndjson', [
        accessAt('LATER', 'intervalEnd', '2024-05-02T09:59:59.000+02:00'),
      ]),
      deviceId: t.deviceId,
    });
    expect(second.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/interval LATER would end before it begins.*another export/),
    ]);
    const rows = all<{ k: string; d: number | null; open: number }>(
      'SELECT interval_key AS k, duration_ms AS d, open FROM access_sessions ORDER BY k',
    );
    expect(rows).toEqual([
      { k: 'LATER', d: null, open: 1 },
      { k: 'OK', d: 2000, open: 0 },
      { k: 'REV', d: null, open: 1 },
    ]);
    const negative = all<{ n: number }>(
      'SELECT (SELECT COUNT(*) FROM session_rollup WHERE busy_ms < 0) + (SELECT COUNT(*) FROM access_sessions WHERE duration_ms < 0) AS n',
    );
    expect(negative[0]!.n).toBe(0);
  });

  it('keeps a network row whose first and last times contradict, with both times unknown', async () => {
    const line = networkLine({ app: 'n', domain: 'd.example', firstMs: T0 + 5000, lastMs: T0 });
    const o = await run([line]);
    expect(o.counts.network).toBe(1);
    expect(o.warnings[0]).toMatchObject({ line: 1, code: 'INVALID_TIMESTAMP' });
    expect(all('SELECT first_ms AS f, last_ms AS l FROM network_observations')).toEqual([
      { f: null, l: null },
    ]);
  });

  it('reads a network time in year 0050 as unknown, never as 1950', async () => {
    const base = JSON.parse(
      networkLine({ app: 'n', domain: 'd.example', firstMs: T0, lastMs: T0 }),
    ) as Record<string, unknown>;
    base.firstTimeStamp = '0050-05-01T10:52:03.021-04:00';
    const o = await run([JSON.stringify(base)]);
    expect(o.warnings[0]!.message).toMatch(/firstTimeStamp "0050-05-01.*before 2021/);
    expect(all('SELECT first_ms AS f FROM network_observations')).toEqual([{ f: null }]);
  });
});

describe('keys that are not plain data', () => {
  it('keeps a "__proto__" key among a network row\'s unknown keys as data', async () => {
    const line = networkLine({ app: 'n', domain: 'd.example', firstMs: T0, lastMs: T0 }).replace(
      '"type":"networkActivity"',
      '"type":"networkActivity","__proto__":{"x":1}',
    );
    const o = await run([line]);
    expect(o.warnings).toEqual([]);
    expect(all('SELECT extra FROM network_observations')).toEqual([
      { extra: '{"__proto__":{"x":1}}' },
    ]);
  });
});

describe('an export saved in another encoding', () => {
  it('refuses UTF-16 (with or without a byte order mark) by name', async () => {
    const text = good('U16').join('\n') + '\n';
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.from(text, 'utf16le'),
    ]) {
      const path = join(t.dir, 'u16.ndjson');
      writeFileSync(path, bytes);
      const o = await importFile({ db: t.session.db, path, deviceId: t.deviceId });
      expect(o.status).toBe('refused');
      expect(o.error).toMatch(/UTF-16 text \(App Privacy Reports are UTF-8/);
    }
  });
});

describe('a damaged first line', () => {
  it('with a NUL and longer than the sniffed head does not get the whole file refused', async () => {
    const junk = '\u0000' + '['.repeat(100_000);
    const o = await run([junk, ...good('AFTER-JUNK')]);
    expect(o.status).toBe('imported');
    expect(sessionKeys()).toEqual(['AFTER-JUNK']);
    expect(o.warnings.map((w) => [w.line, w.code])).toContainEqual([1, 'MALFORMED_LINE']);
  });

  it('still refuses a binary file by name', async () => {
    const bytes = Buffer.alloc(8192);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7) % 32;
    const path = join(t.dir, 'photo.heic');
    writeFileSync(path, bytes);
    const o = await importFile({ db: t.session.db, path, deviceId: t.deviceId });
    expect(o.status).toBe('refused');
    expect(o.error).toMatch(/looks like a binary file/);
  });
});

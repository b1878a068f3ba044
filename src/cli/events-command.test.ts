import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessEventSchema,
  networkEventSchema,
  type AccessEvent,
  type NetworkEvent,
} from '../contract/records';
import { csvColumns } from './events-command';
import { main } from './main';
import { accessPair } from '../core/testing/apr-fixture';
import { Capture, parseCsv, REPORTS, runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let caseA: string;
let caseAll: string;
let shaA: string;
let shaB: string;
let shaC: string;

beforeAll(async () => {
  tmp = tempDir();
  const a = tmp.file('a.ndjson', REPORTS.a);
  const b = tmp.file('b.ndjson', REPORTS.b);
  const c = tmp.file('c.ndjson', REPORTS.c);
  caseA = join(tmp.dir, 'a.snoopcase');
  caseAll = join(tmp.dir, 'all.snoopcase');
  expect((await runCli(['import', caseA, a, '--device', 'phone'])).code).toBe(0);
  const ab = await runCli(['import', caseAll, a, b, '--device', 'phone', '--json']);
  const cc = await runCli(['import', caseAll, c, '--device', 'tablet', '--json']);
  [shaA, shaB] = (JSON.parse(ab.stdout) as { sha256: string }[]).map((o) => o.sha256) as [
    string,
    string,
  ];
  shaC = (JSON.parse(cc.stdout) as { sha256: string }[])[0]!.sha256;
  const db = new Database(caseAll);
  db.prepare(
    `UPDATE apps SET display_name = 'Example, App'
     WHERE identifier = 'com.example.app' AND device_id = (SELECT id FROM devices WHERE label = 'phone')`,
  ).run();
  db.close();
});
afterAll(() => tmp.cleanup());

type EventRecord = AccessEvent | NetworkEvent;

/** Parses JSON lines, checking each record has exactly the public fields of its kind. */
function records(stdout: string): EventRecord[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const raw = JSON.parse(line) as { kind?: unknown };
      const valid =
        raw.kind === 'access' ? accessEventSchema.parse(raw) : networkEventSchema.parse(raw);
      expect(raw).toStrictEqual(valid);
      return valid;
    });
}

async function jsonl(casePath: string, ...flags: string[]): Promise<EventRecord[]> {
  const r = await runCli(['events', casePath, ...flags]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout === '' ? [] : records(r.stdout);
}

const byId = (list: EventRecord[], suffix: string): EventRecord | undefined =>
  list.find((e) => e.id.endsWith(suffix));

describe('events --format jsonl', () => {
  it('prints access sessions in time order, then every network snapshot row', async () => {
    const list = await jsonl(caseAll, '--format', 'jsonl');
    expect(list.map((e) => e.kind)).toEqual([
      'access',
      'access',
      'access',
      'access',
      'access',
      'access',
      'network',
      'network',
      'network',
    ]);
    expect(list.filter((e) => e.kind === 'access').map((e) => e.id.split(':')[2])).toEqual([
      'U0',
      'U1',
      'U9',
      'U2',
      'U3',
      'U4',
    ]);
    expect(await jsonl(caseAll)).toEqual(list);
  });

  it('describes an access session with its device, app, category, local times and state', async () => {
    const list = await jsonl(caseAll, '--kind', 'access');
    expect(byId(list, ':U1')).toEqual({
      id: 's:1:U1',
      kind: 'access',
      device: 'phone',
      app: 'com.example.app',
      appName: 'Example, App',
      category: 'photos',
      raw: 'photos',
      start: '2024-05-01T02:10:00.000+02:00',
      end: '2024-05-01T02:10:30.500+02:00',
      durationSeconds: 30.5,
      state: 'unknown',
      stateSource: null,
      proxy: null,
      attributionTag: null,
      durationKnown: true,
      sources: [
        { sha256: shaA, locator: 'line 3' },
        { sha256: shaA, locator: 'line 4' },
      ],
      // No record of the device's own state covers the access: every field unknown.
      deviceState: { screen: null, locked: null, foregroundApp: null, basis: null, sources: [] },
    });
    expect(byId(list, ':U9')).toMatchObject({
      id: 's:2:U9',
      device: 'tablet',
      appName: null,
      category: 'location',
      start: '2024-05-01T03:00:00.000-04:00',
      end: '2024-05-01T03:01:00.000-04:00',
      durationSeconds: 60,
      sources: [
        { sha256: shaC, locator: 'line 1' },
        { sha256: shaC, locator: 'line 2' },
      ],
    });
    expect(byId(list, ':U0')).toMatchObject({
      start: '2024-04-30T08:00:00.000+01:00',
      durationSeconds: 0,
    });
  });

  it('keeps an open session with an unknown end', async () => {
    const u4 = byId(await jsonl(caseA, '--kind', 'access'), ':U4');
    expect(u4).toMatchObject({
      start: '2024-05-02T10:00:00.000+02:00',
      end: null,
      durationSeconds: null,
    });
    expect(u4!.sources).toEqual([
      { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), locator: 'line 9' },
    ]);
  });

  it('traces each session to the begin line, the end line and every further export holding an edge', async () => {
    const list = await jsonl(caseAll, '--kind', 'access');
    expect(byId(list, ':U4')).toMatchObject({
      end: '2024-05-02T10:05:00.000+02:00',
      durationSeconds: 300,
      sources: [
        { sha256: shaA, locator: 'line 9' },
        { sha256: shaB, locator: 'line 4' },
        { sha256: shaB, locator: 'line 3' },
      ],
    });
    expect(byId(list, ':U3')!.sources).toEqual([
      { sha256: shaA, locator: 'line 7' },
      { sha256: shaA, locator: 'line 8' },
      { sha256: shaB, locator: 'line 1' },
      { sha256: shaB, locator: 'line 2' },
    ]);
  });

  it('prints one network record per stored snapshot row, never summed', async () => {
    const list = (await jsonl(caseAll, '--kind', 'network')) as NetworkEvent[];
    expect(list.every((e) => e.kind === 'network')).toBe(true);
    const api = list.filter((e) => e.domain === 'api.example.com');
    expect(api.map((e) => e.hits).sort()).toEqual([3, 5]);
    expect(api.find((e) => e.hits === 3)).toEqual({
      id: expect.stringMatching(/^n:\d+$/),
      kind: 'network',
      device: 'phone',
      app: 'com.example.app',
      appName: 'Example, App',
      domain: 'api.example.com',
      domainOwner: null,
      domainType: 2,
      profiling: false,
      initiatedType: 'AppInitiated',
      context: null,
      hits: 3,
      firstSeen: '2024-05-01T09:00:00.000+02:00',
      lastSeen: '2024-05-01T12:00:00.000+02:00',
      contextVerificationType: null,
      domainClassification: null,
      sources: [{ sha256: shaA, locator: 'line 10' }],
    });
    expect(api.find((e) => e.hits === 5)!.sources).toEqual([{ sha256: shaB, locator: 'line 5' }]);
    expect(list.find((e) => e.domain === 'tracker.example.net')).toMatchObject({
      app: 'com.other.app',
      domainOwner: 'Tracker Inc',
      domainType: 1,
      profiling: true,
      hits: 7,
    });
  });

  it('applies the filters: sessions by every flag, network rows by device, app and date range', async () => {
    const ids = (list: EventRecord[]): string[] =>
      list.map((e) => `${e.kind}:${e.id.split(':').pop() ?? ''}`);
    const other = await jsonl(caseAll, '--app', 'com.other.app');
    expect(other.map((e) => e.app)).toEqual(['com.other.app', 'com.other.app']);
    expect(other.map((e) => e.kind)).toEqual(['access', 'network']);
    expect(ids(await jsonl(caseAll, '--device', 'tablet'))).toEqual(['access:U9']);
    expect(ids(await jsonl(caseAll, '--kind', 'access', '--category', 'camera'))).toEqual([
      'access:U2',
    ]);
    expect(ids(await jsonl(caseAll, '--kind', 'access', '--hours', '13:00-15:00'))).toEqual([
      'access:U2',
    ]);
    expect(ids(await jsonl(caseAll, '--kind', 'access', '--min-seconds', '100'))).toEqual([
      'access:U2',
      'access:U4',
    ]);
    const day = await jsonl(
      caseAll,
      '--from',
      '2024-05-02T00:00:00+02:00',
      '--to',
      '2024-05-03T00:00:00+02:00',
    );
    expect(day.filter((e) => e.kind === 'access').map((e) => e.id)).toEqual(['s:1:U4']);
    expect(
      (day.filter((e) => e.kind === 'network') as NetworkEvent[])
        .map((e) => `${e.domain} ${e.hits}`)
        .sort(),
    ).toEqual(['api.example.com 5', 'tracker.example.net 7']);
    expect(ids(await jsonl(caseAll, '--kind', 'access', '--from', '2024-05-02'))).toEqual([
      'access:U4',
    ]);
    const r = await runCli(['events', caseAll, '--device', 'watch']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('prints nothing for an empty result', async () => {
    const r = await runCli(['events', caseAll, '--app', 'com.nothing']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('rejects unknown kinds and formats with exit 2', async () => {
    for (const flags of [['--kind', 'usages'], ['--format', 'xml'], ['--json']]) {
      const r = await runCli(['events', caseAll, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});

/** CSV rows as records keyed by the header. */
function csvRecords(stdout: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...rows] = parseCsv(stdout);
  expect(header).toBeDefined();
  return {
    header: header!,
    rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']))),
  };
}

/** What the CSV cell of a JSON record field must be. */
function expectedCell(value: unknown): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    return (value as { sha256: string; locator: string }[])
      .map((s) => `${s.sha256}:${s.locator}`)
      .join(';');
  }
  // Other objects (the device state) are their JSON.
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

describe('events --format csv', () => {
  it('has a header of the record fields and one row per record, matching the JSON lines', async () => {
    const r = await runCli(['events', caseAll, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n')[0]).toBe(csvColumns(['access', 'network']).join(','));
    const { header, rows } = csvRecords(r.stdout);
    const expectedHeader = [...Object.keys(accessEventSchema.shape)];
    for (const k of Object.keys(networkEventSchema.shape)) {
      if (!expectedHeader.includes(k)) expectedHeader.push(k);
    }
    expect(header).toEqual(expectedHeader);
    const list = await jsonl(caseAll);
    expect(rows).toHaveLength(list.length);
    list.forEach((record, i) => {
      const fields = record as unknown as Record<string, unknown>;
      for (const column of header) {
        const cell = rows[i]![column];
        expect(cell, `${record.id} ${column}`).toBe(expectedCell(fields[column] ?? null));
      }
    });
    const u3 = rows.find((row) => row.id === 's:1:U3')!;
    expect(u3.sources).toBe(`${shaA}:line 7;${shaA}:line 8;${shaB}:line 1;${shaB}:line 2`);
    expect(u3.appName).toBe('Example, App');
    expect(r.stdout).toContain(',"Example, App",');
  });

  it('has only the fields of the chosen kind', async () => {
    const access = csvRecords(
      (await runCli(['events', caseAll, '--kind', 'access', '--format', 'csv'])).stdout,
    );
    expect(access.header).toEqual(Object.keys(accessEventSchema.shape));
    expect(access.rows).toHaveLength(6);
    const network = csvRecords(
      (await runCli(['events', caseAll, '--kind', 'network', '--format', 'CSV'])).stdout,
    );
    expect(network.header).toEqual(Object.keys(networkEventSchema.shape));
    expect(network.rows.map((row) => row.hits).sort()).toEqual(['3', '5', '7']);
    expect(network.rows.find((row) => row.hits === '7')).toMatchObject({
      profiling: 'true',
      domainOwner: 'Tracker Inc',
      context: '',
    });
  });

  it('prints only the header for an empty result', async () => {
    const r = await runCli([
      'events',
      caseAll,
      '--app',
      'com.nothing',
      '--kind',
      'network',
      '--format',
      'csv',
    ]);
    expect(r.stdout).toBe(Object.keys(networkEventSchema.shape).join(',') + '\r\n');
  });
});

describe('events streaming', () => {
  let bigCase: string;
  const SESSIONS = 3000;

  beforeAll(async () => {
    const lines: string[] = [];
    for (let i = 0; i < SESSIONS; i += 1) {
      const minute = String(i % 60).padStart(2, '0');
      const hour = String(Math.floor(i / 60) % 24).padStart(2, '0');
      const day = String(1 + Math.floor(i / 1440)).padStart(2, '0');
      const at = `2024-06-${day}T${hour}:${minute}`;
      lines.push(
        ...accessPair({
          app: `com.example.app${i % 7}`,
          category: 'camera',
          id: `B-${i}`,
          timeStamp: `${at}:00.000+02:00`,
          endTimeStamp: `${at}:05.000+02:00`,
        }),
      );
    }
    const file = tmp.file('big.ndjson', lines.join('\n') + '\n');
    bigCase = join(tmp.dir, 'big.snoopcase');
    expect((await runCli(['import', bigCase, file, '--device', 'phone'])).code).toBe(0);
  });

  it('waits for a slow reader instead of buffering the whole output', async () => {
    let text = '';
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        maxBuffered = Math.max(maxBuffered, this.writableLength);
        text += chunk.toString();
        setImmediate(callback);
      },
    });
    const code = await main(['events', bigCase, '--kind', 'access'], {
      stdout: slow,
      stderr: new Capture(),
    });
    expect(code).toBe(0);
    const list = records(text);
    expect(list).toHaveLength(SESSIONS);
    expect(new Set(list.map((e) => e.id)).size).toBe(SESSIONS);
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(maxBuffered).toBeLessThan(200_000);
  });

  it('stops quietly when the reader goes away', async () => {
    let writes = 0;
    const closing = new Writable({
      write(_chunk, _encoding, callback) {
        writes += 1;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new Capture();
    const code = await main(['events', bigCase], { stdout: closing, stderr });
    expect(code).toBe(0);
    expect(writes).toBe(1);
    expect(stderr.text).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import type {
  AccessEdgeRecord,
  ImportRecord as ParsedItem,
  NetworkRecord,
} from '../../model/import-records';
import { accessLine, accessPair, networkLine } from '../../testing/apr-fixture';
import { bytesSource, testContext } from '../testing/source-input';
import { appPrivacyReportImporter } from '.';

async function parse(text: string | Uint8Array): Promise<ParsedItem[]> {
  const out: ParsedItem[] = [];
  for await (const batch of appPrivacyReportImporter.parse(bytesSource(text), testContext()))
    for (const item of batch)
      if (item.type !== 'progress' && item.type !== 'member') out.push(item);
  return out;
}

const edges = (items: ParsedItem[]) =>
  items.filter((i): i is AccessEdgeRecord => i.type === 'access-edge');
const nets = (items: ParsedItem[]) => items.filter((i): i is NetworkRecord => i.type === 'network');
const warnings = (items: ParsedItem[]) =>
  items.flatMap((i) => (i.type === 'warning' ? [i.warning] : []));
const refusal = (items: ParsedItem[]) => items.find((i) => i.type === 'refusal');

const T0 = Date.UTC(2024, 4, 1, 0, 10);

describe('App Privacy Report parser: access rows', () => {
  it('reads begin and end edges with instant, offset and raw timestamp', async () => {
    const [b, e] = accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'ID-1',
      ms: T0,
      durationMs: 60_000,
      offsetMin: 480,
    });
    const items = await parse(`${b}\n${e}\n`);
    expect(edges(items)).toEqual([
      expect.objectContaining({
        edge: 'begin',
        app: 'com.tencent.xin',
        category: 'photos',
        intervalKey: 'ID-1',
        tsMs: T0,
        offsetMin: 480,
        line: 1,
      }),
      expect.objectContaining({
        edge: 'end',
        tsMs: T0 + 60_000,
        line: 2,
        rawTs: '2024-05-01T08:11:00.000+08:00',
      }),
    ]);
    expect(edges(items)[0]?.rawLine).toBe(b);
  });

  it('accepts every field variant and keeps the extra keys (accessCount, outOfProcess, broadcaster, unknown keys)', async () => {
    const lines = [
      accessLine({
        app: 'a',
        category: 'photos',
        id: 'X',
        kind: 'intervalBegin',
        ms: T0,
        extra: { accessCount: 0, outOfProcess: true },
      }),
      accessLine({
        app: 'com.apple.springboard',
        category: 'screenRecording',
        id: 'Y',
        kind: 'intervalBegin',
        ms: T0,
        extra: {
          broadcaster: { identifier: 'com.apple.facetime', identifierType: 'bundleID' },
          futureKey: 'kept',
        },
      }),
    ];
    const items = await parse(lines.join('\n') + '\n');
    const [a, s] = edges(items);
    expect(a?.extra).toMatchObject({
      accessCount: 0,
      outOfProcess: true,
      identifierType: 'bundleID',
    });
    expect(s?.category).toBe('screenRecording');
    expect(s?.extra).toMatchObject({
      broadcaster: { identifier: 'com.apple.facetime' },
      futureKey: 'kept',
    });
    expect(warnings(items)).toEqual([]);
  });

  it('does not depend on key order and keeps Team-ID-prefixed identifiers raw', async () => {
    const reordered = JSON.stringify({
      type: 'access',
      timeStamp: '2024-05-01T02:10:00.000+02:00',
      kind: 'intervalEnd',
      identifier: 'Z',
      category: 'location',
      accessor: { identifierType: 'bundleID', identifier: '5Q4J53EFRC.com.sbb.ch' },
    });
    const [e] = edges(await parse(reordered + '\n'));
    expect(e).toMatchObject({
      app: '5Q4J53EFRC.com.sbb.ch',
      edge: 'end',
      tsMs: T0,
      offsetMin: 120,
    });
  });

  it('parses each timestamp with its own offset (DST change inside one file)', async () => {
    const before = accessLine({
      app: 'a',
      category: 'photos',
      id: 'D1',
      kind: 'intervalBegin',
      ms: Date.UTC(2024, 2, 31, 0, 59),
      offsetMin: 60,
    });
    const after = accessLine({
      app: 'a',
      category: 'photos',
      id: 'D1',
      kind: 'intervalEnd',
      ms: Date.UTC(2024, 2, 31, 1, 1),
      offsetMin: 120,
    });
    const [b, e] = edges(await parse(`${before}\n${after}\n`));
    expect(b?.offsetMin).toBe(60);
    expect(e?.offsetMin).toBe(120);
    expect((e?.tsMs ?? 0) - (b?.tsMs ?? 0)).toBe(120_000);
  });

  it('maps unknown categories to other, keeping the raw name', async () => {
    const [e] = edges(
      await parse(
        accessLine({ app: 'a', category: 'bluetooth', id: 'Q', kind: 'intervalBegin', ms: T0 }) +
          '\n',
      ),
    );
    expect(e).toMatchObject({ category: 'other', rawCategory: 'bluetooth' });
  });
});

describe('App Privacy Report parser: network rows', () => {
  it('reads the 12-key layout and the 10-key 2021 layout', async () => {
    const modern = networkLine({
      app: 'com.google.chrome.ios',
      domain: 'google.com',
      firstMs: T0,
      lastMs: T0 + 1000,
      offsetMin: -240,
      hits: 4,
      domainType: 1,
      domainOwner: 'Google LLC',
      context: 'youtube.com',
      initiatedType: 'NonAppInitiated',
    });
    const legacy = networkLine({
      app: 'com.tencent.xin',
      domain: '203.209.230.39',
      firstMs: T0,
      lastMs: T0,
      legacy: true,
    });
    const [m, l] = nets(await parse(`${modern}\n${legacy}\n`));
    expect(m).toMatchObject({
      domain: 'google.com',
      domainOwner: 'Google LLC',
      domainType: 1,
      context: 'youtube.com',
      initiatedType: 'NonAppInitiated',
      hits: 4,
      contextVerificationType: 2,
      domainClassification: 1,
      first: { ms: T0, offsetMin: -240 },
    });
    expect(l).toMatchObject({
      domain: '203.209.230.39',
      domainOwner: null,
      context: null,
      contextVerificationType: null,
      domainClassification: null,
    });
  });

  it('keeps upper-case and IPv6 domains raw', async () => {
    const line = networkLine({
      app: 'a',
      domain: 'D3097B24-NETSEER.xz.fbcdn.net',
      firstMs: T0,
      lastMs: T0,
    });
    const v6 = networkLine({ app: 'a', domain: '::ffff:178.197.215.15', firstMs: T0, lastMs: T0 });
    expect(nets(await parse(`${line}\n${v6}\n`)).map((n) => n.domain)).toEqual([
      'D3097B24-NETSEER.xz.fbcdn.net',
      '::ffff:178.197.215.15',
    ]);
  });

  it('keeps a row with an unreadable time as unknown, with a warning', async () => {
    const row = JSON.parse(
      networkLine({ app: 'a', domain: 'x.com', firstMs: T0, lastMs: T0 }),
    ) as Record<string, unknown>;
    row.firstTimeStamp = 'not a time';
    const items = await parse(JSON.stringify(row) + '\n');
    expect(nets(items)[0]?.first).toBeNull();
    expect(warnings(items)).toEqual([
      expect.objectContaining({ code: 'INVALID_TIMESTAMP', line: 1 }),
    ]);
  });
});

describe('App Privacy Report parser: damaged input', () => {
  const good = accessLine({ app: 'a', category: 'photos', id: 'G', kind: 'intervalBegin', ms: T0 });

  it('reports malformed, unknown-type and invalid-field lines with their numbers and imports the rest', async () => {
    const text = [
      good,
      '{"type":"access", broken',
      JSON.stringify({ type: 'somethingNew', x: 1 }),
      JSON.stringify({
        type: 'access',
        category: 'photos',
        identifier: 'N',
        kind: 'intervalBegin',
        timeStamp: '2024-05-01T00:00:00Z',
      }),
      JSON.stringify({
        type: 'access',
        accessor: { identifier: 'a' },
        category: 'photos',
        identifier: 'N',
        kind: 'intervalBegin',
        timeStamp: 'garbage',
      }),
      JSON.stringify({
        type: 'access',
        accessor: { identifier: 'a' },
        category: 'photos',
        identifier: 'N',
        kind: 'sideways',
        timeStamp: '2024-05-01T00:00:00Z',
      }),
      good.replace('"G"', '"H"'),
    ].join('\n');
    const items = await parse(text + '\n');
    expect(edges(items).map((e) => e.intervalKey)).toEqual(['G', 'H']);
    expect(warnings(items).map((w) => [w.line, w.code])).toEqual([
      [2, 'MALFORMED_LINE'],
      [3, 'UNKNOWN_RECORD_TYPE'],
      [4, 'INVALID_FIELD'],
      [5, 'INVALID_TIMESTAMP'],
      [6, 'INVALID_FIELD'],
    ]);
    expect(refusal(items)).toBeUndefined();
  });

  it('reports a cut-off last line as truncated', async () => {
    const items = await parse(`${good}\n${good.slice(0, 40)}`);
    expect(warnings(items)).toEqual([expect.objectContaining({ code: 'TRUNCATED_LINE', line: 2 })]);
    expect(edges(items)).toHaveLength(1);
  });

  it('gives one file-level warning for a BOM and for CRLF endings', async () => {
    const items = await parse(`\uFEFF${good}\r\n${good.replace('"G"', '"H"')}\r\n`);
    expect(warnings(items).map((w) => w.code)).toEqual(['BOM_STRIPPED', 'CRLF_LINE_ENDINGS']);
    expect(edges(items)).toHaveLength(2);
  });

  it('accepts a report whose first record comes after up to 19 non-report lines', async () => {
    const junk = Array.from({ length: 19 }, (_, i) => `junk ${i}`);
    const items = await parse([...junk, good].join('\n') + '\n');
    expect(refusal(items)).toBeUndefined();
    expect(edges(items)).toHaveLength(1);
  });

  it('refuses when none of the first 20 non-empty lines is a record, naming what the file looks like', async () => {
    const cases: [string | Uint8Array, RegExp][] = [
      [
        Array.from({ length: 25 }, (_, i) => `name,size,date\nrow${i},1,2`).join('\n'),
        /CSV or other delimited text/,
      ],
      [
        Array.from({ length: 25 }, () => JSON.stringify({ hello: 'world' })).join('\n'),
        /JSON that is not an App Privacy Report/,
      ],
      ['', /an empty file/],
      ['   \n\n  \n', /empty file/],
      [Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100, 1)]), /zip archive/],
      [
        Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(100, 0)]),
        /SQLite database/,
      ],
      [
        '<?xml version="1.0"?>\n<!DOCTYPE plist>\n<plist version="1.0"><dict/></plist>\n',
        /XML property list/,
      ],
    ];
    for (const [input, pattern] of cases) {
      const r = refusal(await parse(input));
      expect(r, String(pattern)).toBeDefined();
      expect(r?.type === 'refusal' ? r.message : '').toMatch(pattern);
    }
  });
});

describe('App Privacy Report parser: iOS 15 beta formats', () => {
  it('recognises beta 1 and refuses it with a message naming it', async () => {
    const text = [
      '{"version":2,"recordType":"access","exportTimestamp":"2021-06-22T13:51:39.720+08:00","_marker":"<metadata>"}',
      '{"_marker": "<end-of-section>"}',
      '',
      '{',
      '  "com.sample.app" : [',
      '    { "domain" : "edge.sample.app", "timeStamp" : "2021-06-21T17:03:07Z" },',
      '  ]',
      '}',
    ].join('\n');
    const r = refusal(await parse(text));
    expect(r?.type === 'refusal' ? r.message : '').toMatch(/iOS 15 beta 1 "Record App Activity"/);
  });

  it('imports beta 2 where begin and end are marked', async () => {
    const text = [
      '{"version":3,"recordType":"access","exportTimestamp":"2021-06-30T10:00:00.000+02:00","_marker":"<metadata>"}',
      JSON.stringify({
        accessor: { identifier: 'com.x', identifierType: 'bundleID' },
        tccService: 'kTCCServicePhotos',
        identifier: 'B1',
        kind: 'intervalBegin',
        timestamp: '2021-06-29T10:00:00.000+02:00',
      }),
      JSON.stringify({
        accessor: { identifier: 'com.x', identifierType: 'bundleID' },
        tccService: 'kTCCServicePhotos',
        identifier: 'B1',
        kind: 'intervalEnd',
        timestamp: '2021-06-29T10:00:05.000+02:00',
      }),
      '{"_marker":"<end-of-section>"}',
      '{"recordType":"networkActivity","_marker":"<metadata>","exportTimestamp":"2021-06-30T10:00:00.000+02:00","version":1}',
      JSON.stringify({
        domain: 'x.com',
        firstTimeStamp: '2021-06-29T10:00:00.000+02:00',
        domainType: 2,
        timeStamp: '2021-06-29T11:00:00.000+02:00',
        context: '',
        initiatedType: 'AppInitiated',
        hits: 2,
        domainOwner: '',
        bundleID: 'com.x',
      }),
    ].join('\n');
    const items = await parse(text + '\n');
    expect(edges(items).map((e) => [e.edge, e.category, e.rawCategory])).toEqual([
      ['begin', 'photos', 'kTCCServicePhotos'],
      ['end', 'photos', 'kTCCServicePhotos'],
    ]);
    expect(nets(items)).toHaveLength(1);
    expect(warnings(items).map((w) => w.code)).toEqual(['BETA_FORMAT']);
  });
});

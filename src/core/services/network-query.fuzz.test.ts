import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkGroupItem, NetworkItem } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { compareNetworkGroups, networkGroups, networkRows } from './network-query';

// Texts that SQLite's BINARY order and JavaScript's UTF-16 order put differently (past U+FFFF),
// cases that NOCASE folds, and equal texts, so that ties and collations are exercised.
const text: fc.Arbitrary<string> = fc.constantFrom(
  'a',
  'B',
  'b',
  'é',
  'Z',
  '\u{1F600}',
  '\uFF61',
  'a b',
  'ab',
  '',
);
const label = fc.tuple(text, text).map(([a, b]) => `${a}${b}`);

interface NetRow {
  device: number;
  app: number;
  /** The app's device instead of the row's own (a crafted case). */
  foreignApp: boolean;
  source: number;
  domain: string;
  hits: number | null;
  domainType: number | null;
  context: string | null;
  initiated: string | null;
  verification: number | null;
  firstMs: number | null;
  lastMs: number | null;
}

const caseShape = fc.record({
  devices: fc.uniqueArray(label, {
    minLength: 1,
    maxLength: 3,
    selector: (l) => l.toLowerCase(),
  }),
  apps: fc.array(fc.tuple(fc.nat(3), text, fc.option(text, { nil: null })), {
    minLength: 1,
    maxLength: 5,
  }),
  sources: fc.array(fc.tuple(fc.nat(3), fc.option(fc.integer({ min: 0, max: 3 }), { nil: null })), {
    minLength: 1,
    maxLength: 5,
  }),
  rows: fc.array(
    fc.record<NetRow>({
      device: fc.nat(3),
      app: fc.nat(7),
      foreignApp: fc.boolean(),
      source: fc.nat(4),
      domain: fc.constantFrom('a', 'A', '\uFF61', '\u{1F600}', '\u{1F600}a'),
      hits: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }),
      // Missing and empty (or -1) values are one snapshot row to the latest rank.
      domainType: fc.constantFrom(null, -1, 1),
      context: fc.constantFrom(null, ''),
      initiated: fc.constantFrom(null, ''),
      verification: fc.constantFrom(null, -1),
      firstMs: fc.option(
        fc.integer({ min: 0, max: 10 }).map((d) => Date.UTC(2024, 4, d)),
        {
          nil: null,
        },
      ),
      lastMs: fc.option(
        fc.integer({ min: 0, max: 10 }).map((d) => Date.UTC(2024, 4, d)),
        {
          nil: null,
        },
      ),
    }),
    { minLength: 1, maxLength: 40 },
  ),
});

type CaseShape = typeof caseShape extends fc.Arbitrary<infer T> ? T : never;

const filter: fc.Arbitrary<Filter> = fc.record(
  {
    devices: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
    apps: fc.uniqueArray(text, { maxLength: 2 }),
    // A range around every dated row: the latest are chosen among the filter's rows, not kept ones.
    from: fc.constantFrom('2024-04-01', '2024-04-01', '2024-05-03', '2024-05-09'),
    to: fc.constantFrom('2024-06-01', '2024-05-04', '2024-05-08'),
    starred: fc.boolean(),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Filter>;

let t: TempCase;
let readOnly: Db;
beforeAll(() => {
  t = tempCase();
  readOnly = new Database(join(t.dir, 'case.snoopcase'), { readonly: true });
});
afterAll(() => {
  readOnly.close();
  t.cleanup();
});

/**
 * Replaces the case's devices, apps, sources and network rows by those of `shape`; true when some
 * row names an app of another device.
 */
function fill(shape: CaseShape, seed: number): boolean {
  const db = t.session.db;
  db.exec(`DELETE FROM annotations; DELETE FROM network_latest; DELETE FROM network_latest_state;
    DELETE FROM network_spans; DELETE FROM network_groups; DELETE FROM network_ranks;
    DELETE FROM network_observations; DELETE FROM apps;
    DELETE FROM sources; DELETE FROM devices`);
  const devices = shape.devices.map((l) =>
    Number(
      db.prepare("INSERT INTO devices (label, platform, created_at) VALUES (?, 'ios', 0)").run(l)
        .lastInsertRowid,
    ),
  );
  const pickDevice = (i: number): number => devices[i % devices.length]!;
  const apps: { id: number; device: number }[] = [];
  for (const [d, identifier, name] of shape.apps) {
    const device = pickDevice(d);
    const r = db
      .prepare('INSERT OR IGNORE INTO apps (device_id, identifier, display_name) VALUES (?, ?, ?)')
      .run(device, identifier, name);
    if (r.changes > 0) apps.push({ id: Number(r.lastInsertRowid), device });
  }
  const sources = shape.sources.map(([d, to], k) => ({
    device: pickDevice(d),
    id: Number(
      db
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at, data_from, data_to)
           VALUES (?, 'ios-app-privacy-report', '1', 'x', ?, 0, ?, 0, 0, ?)`,
        )
        .run(pickDevice(d), `file ${k}`, `${seed}-${k}`, to).lastInsertRowid,
    ),
  }));
  if (apps.length === 0) return false;
  let foreign = false;
  const insert = db.prepare(
    `INSERT INTO network_observations (device_id, app_id, source_id, line, domain, domain_lower,
       domain_type, context, initiated_type, context_verification_type, hits, first_ms, first_offset,
       last_ms, last_offset, raw_line)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 60, ?, 120, '')`,
  );
  shape.rows.forEach((r, line) => {
    const device = pickDevice(r.device);
    const own = apps.filter((a) => a.device === device);
    const app = (r.foreignApp || own.length === 0 ? apps : own)[r.app % (own.length || apps.length)]
      ?.id;
    const source = sources[r.source % sources.length]!.id;
    const appId = app ?? apps[0]!.id;
    if (apps.find((a) => a.id === appId)!.device !== device) foreign = true;
    const id = Number(
      insert.run(
        device,
        appId,
        source,
        line + 1,
        r.domain,
        r.domain.toLowerCase(),
        r.domainType,
        r.context,
        r.initiated,
        r.verification,
        r.hits,
        r.firstMs,
        r.lastMs,
      ).lastInsertRowid,
    );
    if (line % 3 === 0)
      db.prepare(
        "INSERT INTO annotations (target, kind, star, updated_at, row_id) VALUES (?, 'network', 1, 0, ?)",
      ).run(`n:${id}`, id);
  });
  return foreign;
}

describe('network rows read without joins', () => {
  it('are those of the reference query, in its order, for every snapshot and the latest', () => {
    fc.assert(
      fc.property(caseShape, filter, fc.integer(), (shape, f, seed) => {
        const foreign = fill(shape, seed);
        const q = t.session.queries;
        expect(q.network(f, 'all')).toEqual(q.network(f, 'all', 'scan'));
        // The latest rows are kept per device from the rows of its own apps only (see
        // `refreshNetworkLatest`): a row naming another device's app is not among them. A date
        // range or a star chooses the latest among the filter's rows, from every app.
        if (!foreign || f.from || f.to || f.starred === true)
          expect(q.network(f, 'latest')).toEqual(q.network(f, 'latest', 'scan'));
      }),
      fuzzOptions(150),
    );
  });

  it('choose as latest the row of the source with the latest data, none last, then the later source', () => {
    const row = (source: number) => ({
      device: 0,
      app: 0,
      foreignApp: false,
      source,
      domain: 'a',
      hits: 1,
      domainType: null,
      context: null,
      initiated: null,
      verification: null,
      firstMs: Date.UTC(2024, 4, 2),
      lastMs: null,
    });
    fill(
      {
        devices: ['Phone'],
        apps: [[0, 'a', null]],
        sources: [
          [0, 3],
          [0, null],
          [0, 3],
        ],
        rows: [row(0), row(1), row(2)],
      },
      0,
    );
    // The date range makes the latest be chosen among the filter's rows instead of read as kept.
    const f: Filter = { from: '2024-04-01' };
    const latest = t.session.queries.network(f, 'latest');
    expect(latest.map((n) => n.sourceName)).toEqual(['file 2']);
    expect(latest).toEqual(t.session.queries.network(f, 'latest', 'scan'));
  });

  it('order domains as SQLite does, by code point, not by UTF-16 unit', () => {
    const shape: CaseShape = {
      devices: ['Phone'],
      apps: [[0, 'a', null]],
      sources: [[0, 1]],
      rows: ['\u{1F600}', '\uFF61'].map((domain) => ({
        device: 0,
        app: 0,
        foreignApp: false,
        source: 0,
        domain,
        hits: 1,
        domainType: null,
        context: null,
        initiated: null,
        verification: null,
        firstMs: null,
        lastMs: null,
      })),
    };
    fill(shape, 0);
    const all = t.session.queries.network({}, 'all');
    expect(all.map((n) => n.domain)).toEqual(['\uFF61', '\u{1F600}']);
    expect(all).toEqual(t.session.queries.network({}, 'all', 'scan'));
  });
});

/** The reference groups: the full answer grouped per device and app identifier, in the view's order. */
function groupedReference(items: readonly NetworkItem[]): {
  groups: NetworkGroupItem[];
  rows: Map<string, NetworkItem[]>;
} {
  const byKey = new Map<string, NetworkItem[]>();
  for (const item of items) {
    const key = JSON.stringify([item.deviceId, item.app]);
    const list = byKey.get(key);
    if (list) list.push(item);
    else byKey.set(key, [item]);
  }
  // The shown name is the device's own app's, else that of the app with the identifier added first.
  const named = t.session.db.prepare(
    'SELECT display_name FROM apps WHERE identifier = ? ORDER BY device_id = ? DESC, id LIMIT 1',
  );
  const groups = [...byKey.values()].map((list) => ({
    deviceId: list[0]!.deviceId,
    device: list[0]!.device,
    app: list[0]!.app,
    appName: (named.pluck().get(list[0]!.app, list[0]!.deviceId) ?? null) as string | null,
    rows: list.length,
    domains: new Set(list.map((i) => i.domain)).size,
    profiling: new Set(list.filter((i) => i.profiling).map((i) => i.domain)).size,
  }));
  return { groups: groups.sort(compareNetworkGroups), rows: byKey };
}

describe('the Network view in two calls', () => {
  it('counts the groups of the full answer, and its pages put together are each group’s rows in order', () => {
    fc.assert(
      fc.property(
        caseShape,
        filter,
        fc.integer(),
        fc.constantFrom<'latest' | 'all'>('latest', 'all'),
        fc.integer({ min: 1, max: 4 }),
        (shape, f, seed, snapshots, limit) => {
          const foreign = fill(shape, seed);
          // As above: kept latest rows leave out rows naming another device's app.
          if (snapshots === 'latest' && foreign && !f.from && !f.to && f.starred !== true) return;
          const db = t.session.db;
          const reference = groupedReference(t.session.queries.network(f, snapshots));
          const answer = networkGroups(db, f, snapshots);
          expect(answer.groups).toEqual(reference.groups);
          expect(answer.rows).toBe(reference.groups.reduce((n, g) => n + g.rows, 0));
          for (const g of answer.groups) {
            const pages: NetworkItem[] = [];
            for (let offset = 0; ; offset += limit) {
              const page = networkRows(db, {
                filter: f,
                snapshots,
                deviceId: g.deviceId,
                app: g.app,
                offset,
                limit,
              });
              expect(page.total).toBe(g.rows);
              expect(page.offset).toBe(offset);
              if (page.items.length === 0) break;
              expect(page.items.length).toBeLessThanOrEqual(limit);
              pages.push(...page.items);
            }
            expect(pages).toEqual(reference.rows.get(JSON.stringify([g.deviceId, g.app])));
          }
          // A connection that cannot bring what is kept up to date counts from the rows.
          db.exec('DELETE FROM network_latest_state');
          expect(networkGroups(readOnly, f, snapshots).groups).toEqual(reference.groups);
        },
      ),
      fuzzOptions(100),
    );
  });

  it('say whether the devices hold any network row, whatever the rest of the filter', () => {
    fill(
      {
        devices: ['Phone', 'Other'],
        apps: [[0, 'a', 'App A']],
        sources: [[0, 1]],
        rows: [
          {
            device: 0,
            app: 0,
            foreignApp: false,
            source: 0,
            domain: 'a',
            hits: 1,
            domainType: 1,
            context: null,
            initiated: null,
            verification: null,
            firstMs: Date.UTC(2024, 4, 2),
            lastMs: null,
          },
        ],
      },
      0,
    );
    const db = t.session.db;
    const [phone, other] = db
      .prepare('SELECT id FROM devices ORDER BY id')
      .pluck()
      .all() as number[];
    expect(networkGroups(db, {}).groups).toMatchObject([
      { deviceId: phone, app: 'a', appName: 'App A', rows: 1, domains: 1, profiling: 1 },
    ]);
    expect(networkGroups(db, { apps: ['nothing'] })).toEqual({
      groups: [],
      rows: 0,
      recorded: true,
    });
    expect(networkGroups(db, { devices: [other!] })).toEqual({
      groups: [],
      rows: 0,
      recorded: false,
    });
    // A group the case does not hold, or an offset past the end, is an empty page.
    expect(networkRows(db, { filter: {}, deviceId: other!, app: 'a' })).toEqual({
      items: [],
      total: 0,
      offset: 0,
    });
    expect(networkRows(db, { filter: {}, deviceId: 999, app: 'a' }).items).toEqual([]);
    expect(
      networkRows(db, { filter: {}, deviceId: phone!, app: 'a', offset: 1e9, limit: 500 }),
    ).toEqual({ items: [], total: 1, offset: 1e9 });
  });

  it('name a group after its device’s own app even when another device’s app of the identifier has a name', () => {
    // The counterexample seed -9367260 found: device 'aa' holds app '\u{1F600}' with no name, and
    // device 'aB' holds an app of the same identifier named 'a'.
    fill(
      {
        devices: ['aa', 'aB'],
        apps: [
          [1, '\u{1F600}', 'a'],
          [0, '\u{1F600}', null],
          [0, 'a', null],
        ],
        sources: [[0, null]],
        rows: [
          {
            device: 0,
            app: 0,
            foreignApp: false,
            source: 0,
            domain: 'a',
            hits: null,
            domainType: null,
            context: null,
            initiated: null,
            verification: null,
            firstMs: null,
            lastMs: Date.UTC(2024, 4, 1),
          },
        ],
      },
      0,
    );
    const db = t.session.db;
    const aa = db.prepare("SELECT id FROM devices WHERE label = 'aa'").pluck().get() as number;
    for (const snapshots of ['latest', 'all'] as const) {
      const [group, ...rest] = networkGroups(db, {}, snapshots).groups;
      expect(rest).toEqual([]);
      expect(group).toMatchObject({ deviceId: aa, app: '\u{1F600}', appName: null, rows: 1 });
      // The group's name is the one its rows show (and the CSVs write).
      const rows = networkRows(db, { filter: {}, snapshots, deviceId: aa, app: '\u{1F600}' });
      expect(rows.items.map((n) => n.appName)).toEqual([null]);
      expect(t.session.queries.network({}, snapshots).map((n) => n.appName)).toEqual([null]);
      // The same, counted from the rows by a connection that cannot bring what is kept up to date.
      db.exec('DELETE FROM network_latest_state');
      expect(networkGroups(readOnly, {}, snapshots).groups).toEqual([group]);
    }
  });

  it('count the domains of a group once when its rows name two apps of one identifier', () => {
    const row = (device: number, domain: string) => ({
      device,
      app: 0,
      foreignApp: false,
      source: 0,
      domain,
      hits: 1,
      domainType: 1,
      context: null,
      initiated: null,
      verification: null,
      firstMs: null,
      lastMs: null,
    });
    fill(
      {
        devices: ['Phone', 'Other'],
        apps: [
          [0, 'a', null],
          [1, 'a', null],
        ],
        sources: [[0, 1]],
        rows: [row(0, 'x'), row(0, 'y'), row(1, 'z')],
      },
      0,
    );
    const db = t.session.db;
    // A crafted case: the third row is the phone's, naming the other device's app 'a'.
    const phone = db
      .prepare("SELECT id FROM devices WHERE label = 'Phone'")
      .pluck()
      .get() as number;
    db.prepare('UPDATE network_observations SET device_id = ? WHERE line = 3').run(phone);
    const q = t.session.queries;
    expect(networkGroups(db, {}, 'all').groups).toEqual(
      groupedReference(q.network({}, 'all')).groups,
    );
    // The latest chosen among a date range's rows take every app's rows, as the reference does.
    const f: Filter = { from: '2000-01-01' };
    expect(networkGroups(db, f, 'latest').groups).toEqual(
      groupedReference(q.network(f, 'latest')).groups,
    );
    expect(networkGroups(db, {}, 'all').groups).toMatchObject([
      { rows: 3, domains: 3, profiling: 3 },
    ]);
  });
});

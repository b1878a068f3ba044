import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { importFile } from '../../services/import-run';

// Real exports from public repositories; read in place, never copied (see shared/fixtures/README.md).
const dir = sharedFixtures('apr');

describe.skipIf(dir === null)('conformance: real App Privacy Report exports', () => {
  let t: TempCase;
  beforeEach(() => {
    t = tempCase();
  });
  afterEach(() => t.cleanup());
  const file = (name: string) => join(dir!, name);
  const one = <T>(sql: string, ...p: unknown[]) => t.session.db.prepare(sql).get(...p) as T;

  it('plaso iOS 15.4 export: 8 access rows in 4 pairs, 64 network rows, -04:00', async () => {
    const o = await importFile({
      db: t.session.db,
      path: file('plaso-ios15.4.ndjson'),
      deviceId: t.deviceId,
    });
    expect(o).toMatchObject({
      status: 'imported',
      counts: { lines: 72, access: 8, network: 64, sessions: 4, openSessions: 0 },
      duplicateLines: 0,
      warnings: [],
    });
    expect(
      one<{ n: number }>('SELECT COUNT(DISTINCT start_offset) AS n FROM access_sessions').n,
    ).toBe(1);
    expect(one<{ o: number }>('SELECT end_offset AS o FROM access_sessions LIMIT 1').o).toBe(-240);
    expect(
      one<{ n: number }>('SELECT COUNT(*) AS n FROM network_observations WHERE context IS NOT NULL')
        .n,
    ).toBe(15);
    expect(
      one<{ n: number }>(
        'SELECT COUNT(*) AS n FROM network_observations WHERE domain_owner IS NOT NULL',
      ).n,
    ).toBe(5);
    const again = await importFile({
      db: t.session.db,
      path: file('plaso-ios15.4.ndjson'),
      deviceId: t.deviceId,
    });
    expect(again.status).toBe('already-imported');
  });

  it('hestia export: 7,216 access rows all paired, 43 zero-length, Team-ID ids kept raw', async () => {
    const o = await importFile({
      db: t.session.db,
      path: file('hestia-apple-tracker.ndjson'),
      deviceId: t.deviceId,
    });
    expect(o).toMatchObject({
      status: 'imported',
      counts: { lines: 8457, access: 7216, network: 1241, sessions: 3608, openSessions: 0 },
      warnings: [],
    });
    expect(
      one<{ n: number }>('SELECT COUNT(*) AS n FROM access_sessions WHERE duration_ms = 0').n,
    ).toBe(43);
    expect(
      one<{ n: number }>(
        "SELECT COUNT(*) * 2 AS n FROM access_sessions e JOIN apps a ON a.id = e.app_id WHERE a.identifier GLOB '[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9].*'",
      ).n,
    ).toBe(40);
    expect(
      one<{ n: number }>('SELECT COUNT(*) AS n FROM network_observations WHERE context IS NOT NULL')
        .n,
    ).toBe(379);
    const days = one<{ d: number }>(
      'SELECT (MAX(anchor_ms) - MIN(anchor_ms)) / 86400000.0 AS d FROM access_sessions',
    ).d;
    expect(days).toBeGreaterThan(29);
  });

  it('iOS 15 beta 1 sample: recognised and refused with a message naming it; the case is unchanged', async () => {
    const o = await importFile({
      db: t.session.db,
      path: file('ios15-beta-sample.json'),
      deviceId: t.deviceId,
    });
    expect(o.status).toBe('refused');
    expect(o.error).toMatch(/iOS 15 beta 1/);
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM sources').n).toBe(0);
  });
});

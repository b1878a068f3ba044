import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTarGz } from '../../formats/tar/testing/tar-writer';
import { importPath } from '../../services/import-pipeline';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { tempCase, type TempCase } from '../../testing/temp-case';

// The real iPadOS 15 PowerLog of the shared fixtures (plaso's test data), imported bare and inside
// a synthetic sysdiagnose archive built in a temporary folder (never copied into the repository).
const dir = sharedFixtures('ios-sysdiagnose');
const NAME = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
const ROOT = 'sysdiagnose_2021.12.16_05-54-30-0500_iPad_iPadOS_15.0.2_19A404';
// 05:54 in the file name, at UTC-5 (New York in December).
const CAPTURE_MS = Date.UTC(2021, 11, 16, 10, 54);
const ZONE = 'America/New_York';

describe.skipIf(dir === null)('conformance: the real PowerLog through importPath', () => {
  let c: TempCase | null = null;
  afterEach(() => {
    c?.cleanup();
    c = null;
  });

  it('imports the bare PowerLog: its last corrected row lands at the capture time in its name', async () => {
    c = tempCase();
    const r = await importPath(c.session.db, join(dir!, NAME), {
      device: c.deviceId,
      timeZone: ZONE,
    });
    expect(r.outcomes.map((o) => o.status)).toEqual(['imported']);
    const db = c.session.db;
    const last = db
      .prepare(
        'SELECT from_ms AS ms, from_offset AS off, locator FROM device_states ORDER BY from_ms DESC LIMIT 1',
      )
      .get() as { ms: number; off: number; locator: string };
    // The name keeps the minute: the last row (10:54:17 UTC after the −631.94 s offset) is in it.
    expect(last.ms).toBeGreaterThanOrEqual(CAPTURE_MS);
    expect(last.ms).toBeLessThan(CAPTURE_MS + 60_000);
    expect(last.off).toBe(-300);
    expect(last.locator).toBe('PLScreenStateAgent_EventForward_ScreenState rowid 1019');
    const src = db.prepare('SELECT captured_at AS at, details FROM sources').get() as {
      at: number | null;
      details: string;
    };
    expect(src.at).toBe(CAPTURE_MS);
    expect(src.details).toContain('TimeOffset row in effect');
    const kinds = db
      .prepare('SELECT kind, COUNT(*) AS n FROM device_states GROUP BY kind ORDER BY kind')
      .all() as { kind: string; n: number }[];
    expect(kinds.map((k) => k.kind)).toEqual(['foreground', 'lock', 'screen']);
    // Six SBLock rows in the fixture, each an interval.
    expect(kinds.find((k) => k.kind === 'lock')!.n).toBe(6);
    const cov = db
      .prepare('SELECT kind, MAX(to_ms) AS until FROM device_state_coverage GROUP BY kind')
      .all() as { kind: string; until: number }[];
    expect(cov.every((x) => x.until === CAPTURE_MS || x.until > CAPTURE_MS)).toBe(true);
  });

  it('imports the same PowerLog from a sysdiagnose archive as a member of its own', async () => {
    c = tempCase();
    const tmp = mkdtempSync(join(tmpdir(), 'sysdiagnose-import-'));
    try {
      const archive = join(tmp, `${ROOT}.tar.gz`);
      writeFileSync(
        archive,
        buildTarGz([
          { name: `${ROOT}/`, type: '5' },
          {
            name: 'x',
            pax: { path: `${ROOT}/logs/powerlogs/${NAME}` },
            content: readFileSync(join(dir!, NAME)),
          },
        ]),
      );
      const r = await importPath(c.session.db, archive, { device: c.deviceId, timeZone: ZONE });
      expect(r.outcomes.map((o) => [o.status, o.locator])).toEqual([
        ['imported', `${ROOT}/logs/powerlogs/${NAME}`],
      ]);
      const n = c.session.db
        .prepare("SELECT COUNT(*) AS n FROM device_states WHERE kind = 'lock'")
        .get() as {
        n: number;
      };
      expect(n.n).toBe(6);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

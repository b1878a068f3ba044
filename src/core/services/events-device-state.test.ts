import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPowerLog } from '../formats/powerlog/testing/synthetic';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { sessionCsvText } from '../bundle/events-csv';
import { accessEvents, accessEventText } from './access-events';
import { sessionCsvLines } from './export-service';
import { importPath } from './import-pipeline';

// `events --kind access` records carry the device's state at each access's start, from its own
// logs, the same in the records, their JSON lines and their CSV rows.

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const T = Date.UTC(2021, 11, 16, 10);

describe('access records with the device state', () => {
  it('say the device was locked with its screen off when PowerLog says so, and unknown outside', async () => {
    const report = t.write('report.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'IN',
        ms: T + 60_000,
        durationMs: 1_000,
        offsetMin: -300,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'OUT',
        ms: T - 86_400_000,
        durationMs: 1_000,
        offsetMin: -300,
      }),
    ]);
    expect(
      (await importPath(t.session.db, report, { device: t.deviceId })).outcomes[0]?.status,
    ).toBe('imported');
    const s = T / 1000;
    const powerlog = join(t.dir, 'powerlog_2021-12-16_05-54_84E2141B.PLSQL');
    writeFileSync(
      powerlog,
      buildPowerLog({
        PLStorageOperator_EventForward_TimeOffset: [{ timestamp: s - 600, system: 0 }],
        PLSpringBoardAgent_EventForward_SBLock: [
          { timestamp: s - 600, Locked: 1 },
          { timestamp: s + 3000, Locked: 0 },
        ],
        PLSpringBoardAgent_EventForward_SBBlank: [
          { timestamp: s - 600, Blanked: 1 },
          { timestamp: s + 3000, Blanked: 0 },
        ],
      }),
    );
    const imported = await importPath(t.session.db, powerlog, {
      device: t.deviceId,
      timeZone: 'America/New_York',
    });
    expect(imported.outcomes[0]?.status).toBe('imported');
    const records = [...accessEvents(t.session, {})];
    const inside = records.find((r) => r.id.endsWith(':IN'))!;
    expect(inside.deviceState).toMatchObject({ screen: 'off', locked: true, basis: 'powerlog' });
    expect(inside.deviceState.sources.map((x) => x.locator).join(' ')).toMatch(/SBLock rowid \d/);
    const outside = records.find((r) => r.id.endsWith(':OUT'))!;
    expect(outside.deviceState).toEqual({
      screen: null,
      locked: null,
      foregroundApp: null,
      basis: null,
      sources: [],
    });
    const lines = [...accessEventText(t.session, {}, { format: 'jsonl' })].join('');
    expect(lines).toBe(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    // The sessions CSV (the app's export and a bundle's events.csv) ends each row with the state.
    const csv = [...sessionCsvLines(t.session, {})].join('');
    expect(csv.split('\r\n')[0]).toMatch(
      /,device_screen,device_locked,device_foreground_app,device_state_basis$/,
    );
    const rows = csv.split('\r\n').filter((l) => l.includes('com.tencent.xin'));
    expect(rows.find((l) => l.includes(':IN'))).toMatch(/,off,true,,powerlog$/);
    expect(rows.find((l) => l.includes(':OUT'))).toMatch(/,,,,$/);
    expect([...sessionCsvText(t.session, {})].join('')).toBe(csv);
  });
});

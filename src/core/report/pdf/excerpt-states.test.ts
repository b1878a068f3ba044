import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleExtras } from '../../bundle/extras';
import { buildPowerLog } from '../../formats/powerlog/testing/synthetic';
import { importPath } from '../../services/import-pipeline';
import { accessPair } from '../../testing/apr-fixture';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { renderReportPdf } from './render';
import { excerptDeviceStates } from './excerpt-states';
import type { ExcerptMark } from './excerpt';
import type { ReportInput } from './types';

// The report's timeline excerpts carry the device's screen and lock bands of their own window,
// read from the case (an App Privacy Report plus a PowerLog of the same phone).

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DAY0 = Date.UTC(2024, 4, 1);
/** The night accesses: 01:00 UTC on each of 15 days, 4 s each. */
const ACCESS = (i: number): ExcerptMark => ({ ms: DAY0 + i * DAY + HOUR, durationMs: 4000 });

let t: TempCase;
beforeEach(async () => {
  t = tempCase();
  const lines: string[] = [];
  for (let i = 0; i < 15; i += 1)
    lines.push(
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: `N${String(i).padStart(2, '0')}`,
        ms: ACCESS(i).ms,
        durationMs: 4000,
      }),
    );
  const report = await importPath(t.session.db, t.write('App_Privacy_Report.ndjson', lines), {
    device: t.deviceId,
  });
  expect(report.outcomes[0]?.status).toBe('imported');
  // Locked 00:30–01:30 on day 3, then from day 5 00:00 to the capture (day 7, 12:00 UTC); the
  // screen off over the same stretches.
  const s = (ms: number): number => ms / 1000;
  const powerlog = join(t.dir, 'powerlog_2024-05-08_12-00_84E2141B.PLSQL');
  writeFileSync(
    powerlog,
    buildPowerLog({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: s(DAY0), system: 0 }],
      PLSpringBoardAgent_EventForward_SBLock: [
        { timestamp: s(DAY0 + 3 * DAY + HOUR / 2), Locked: 1 },
        { timestamp: s(DAY0 + 3 * DAY + 1.5 * HOUR), Locked: 0 },
        { timestamp: s(DAY0 + 5 * DAY), Locked: 1 },
      ],
      PLSpringBoardAgent_EventForward_SBBlank: [
        { timestamp: s(DAY0 + 3 * DAY + HOUR / 2), Blanked: 1 },
        { timestamp: s(DAY0 + 3 * DAY + 1.5 * HOUR), Blanked: 0 },
        { timestamp: s(DAY0 + 5 * DAY), Blanked: 1 },
      ],
    }),
  );
  const imported = await importPath(t.session.db, powerlog, {
    device: t.deviceId,
    timeZone: 'UTC',
  });
  expect(imported.outcomes[0]?.status).toBe('imported');
});
afterEach(() => t.cleanup());

describe('excerptDeviceStates', () => {
  it('gives an excerpt the bands and coverage of its own window, cut to it', () => {
    const marks = [2, 3, 4, 5, 6].map(ACCESS);
    const end = ACCESS(6).ms + 4000;
    const out = excerptDeviceStates(t.session.db, [{ id: 'f:1', deviceId: t.deviceId }], {
      'f:1': marks,
    });
    expect(out['f:1']).toEqual({
      deviceId: t.deviceId,
      recorded: true,
      fromMs: ACCESS(2).ms,
      toMs: end,
      coverage: [
        { kind: 'lock', fromMs: DAY0 + 3 * DAY + HOUR / 2, toMs: end },
        { kind: 'screen', fromMs: DAY0 + 3 * DAY + HOUR / 2, toMs: end },
      ],
      bands: [
        {
          kind: 'locked',
          fromMs: DAY0 + 3 * DAY + HOUR / 2,
          toMs: DAY0 + 3 * DAY + 1.5 * HOUR,
          basis: 'powerlog',
        },
        { kind: 'locked', fromMs: DAY0 + 5 * DAY, toMs: end, basis: 'powerlog' },
        {
          kind: 'screen-off',
          fromMs: DAY0 + 3 * DAY + HOUR / 2,
          toMs: DAY0 + 3 * DAY + 1.5 * HOUR,
          basis: 'powerlog',
        },
        { kind: 'screen-off', fromMs: DAY0 + 5 * DAY, toMs: end, basis: 'powerlog' },
      ],
      bases: ['powerlog'],
    });
  });

  it('reads nothing outside the window: an excerpt before the PowerLog has no bands', () => {
    const out = excerptDeviceStates(
      t.session.db,
      [{ id: 'early', deviceId: t.deviceId }],
      { early: [0, 1, 2].map(ACCESS) },
      (id) => `key:${id}`,
    );
    expect(out['key:early']).toMatchObject({
      recorded: true,
      coverage: [],
      bands: [],
      bases: ['powerlog'],
    });
  });

  it('marks a device with no screen or lock record as not recorded, with nothing to draw', () => {
    const other = t.session.createDevice({ label: 'Phone B', platform: 'ios' });
    const out = excerptDeviceStates(
      t.session.db,
      [
        { id: 'b', deviceId: other.id },
        { id: 'none', deviceId: t.deviceId },
      ],
      { b: [ACCESS(4)], none: [] },
    );
    expect(out).toEqual({
      b: {
        deviceId: other.id,
        recorded: false,
        fromMs: ACCESS(4).ms,
        toMs: ACCESS(4).ms + 4000,
        coverage: [],
        bands: [],
        bases: [],
      },
    });
  });

  it('joins stretches closer than a hairline of the window into one, and keeps wider gaps', () => {
    const db = t.session.db;
    const { sourceId } = db
      .prepare('SELECT source_id AS sourceId FROM device_state_coverage LIMIT 1')
      .get() as { sourceId: number };
    const insert = db.prepare(
      `INSERT INTO device_states (device_id, source_id, kind, value, from_ms, from_offset, to_ms, to_offset, basis, locator)
       VALUES (?, ?, 'lock', 'locked', ?, 0, ?, 0, 'powerlog', 'test')`,
    );
    const D10 = DAY0 + 10 * DAY;
    // 1 ms apart (far below a hairline of a three-day window), then 2 minutes apart.
    insert.run(t.deviceId, sourceId, D10, D10 + HOUR);
    insert.run(t.deviceId, sourceId, D10 + HOUR + 1, D10 + DAY);
    insert.run(t.deviceId, sourceId, D10 + DAY + 120_000, D10 + DAY + HOUR);
    db.prepare(
      `INSERT INTO device_state_coverage (device_id, source_id, kind, basis, from_ms, to_ms)
       VALUES (?, ?, 'lock', 'powerlog', ?, ?)`,
    ).run(t.deviceId, sourceId, D10, D10 + 2 * DAY);
    const out = excerptDeviceStates(db, [{ id: 'w', deviceId: t.deviceId }], {
      w: [9, 12].map(ACCESS),
    });
    expect(out.w?.bands.filter((b) => b.kind === 'locked')).toEqual([
      { kind: 'locked', fromMs: D10, toMs: D10 + DAY, basis: 'powerlog' },
      { kind: 'locked', fromMs: D10 + DAY + 120_000, toMs: D10 + DAY + HOUR, basis: 'powerlog' },
    ]);
    expect(out.w?.coverage).toEqual([{ kind: 'lock', fromMs: D10, toMs: D10 + 2 * DAY }]);
  });
});

/** The text of a PDF (pdftotext), or null when poppler is not installed. */
function pdfText(pdf: Uint8Array, dir: string): string | null {
  if (spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error !== undefined) {
    console.warn('pdftotext not found (install poppler-utils): the report text was not checked');
    return null;
  }
  const file = join(dir, 'report.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

describe('report.pdf timeline excerpts with device state', () => {
  it('draw the bands with a legend naming PowerLog under the finding of the phone', async () => {
    const files = await bundleExtras(
      t.session,
      {},
      {
        version: '1',
        fingerprint: 'SHA256:test',
        unmask: false,
        redaction: { contexts: false, apps: [] },
      },
    );
    const pdf = files.find((f) => f.name === 'report.pdf')!.content as Uint8Array;
    const text = pdfText(pdf, t.dir);
    if (text === null) return;
    expect(text).toContain('Device state from PowerLog.');
    expect(text).toContain('no device-state record');
    expect(text).toMatch(/Screen off/);
    expect(text).toMatch(/Locked/);
    expect(text).not.toContain('no screen or lock record');
  });

  it('say in one sentence that a device without records has no state, drawing no row', async () => {
    const input: ReportInput = {
      caseName: 'Case',
      exportedAt: new Date(DAY0),
      timeZone: 'UTC',
      toolVersion: '1',
      fingerprint: 'SHA256:test',
      devices: [],
      filterText: 'none',
      summary: [],
      findings: [
        {
          id: 'f:night-access:9:a:photos',
          rule: 'night-access',
          severity: 'medium',
          deviceId: 9,
          device: 'Phone B',
          app: 'a',
          appName: null,
          category: 'photos',
          count: 1,
          first: '2024-05-05T01:00:00Z',
          last: '2024-05-05T01:00:04Z',
          title: 'a read the photo library at night',
          caveat: 'Times are as reported.',
          evidence: [],
          details: {},
        },
      ],
      sources: [],
      excerpts: { 'f:night-access:9:a:photos': [ACCESS(4)] },
      excerptStates: {
        'f:night-access:9:a:photos': {
          deviceId: 9,
          recorded: false,
          fromMs: ACCESS(4).ms,
          toMs: ACCESS(4).ms + 4000,
          coverage: [],
          bands: [],
          bases: [],
        },
      },
      redaction: { contexts: false, apps: 0, identifiersMasked: true },
    };
    const text = pdfText(await renderReportPdf(input), t.dir);
    if (text === null) return;
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Device state: no screen or lock record of Phone B is in this case');
    expect(flat).not.toContain('Device state from');
    expect(flat).not.toContain('Screen off');
  });
});

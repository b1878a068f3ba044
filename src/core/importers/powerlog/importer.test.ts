import { describe, expect, it } from 'vitest';
import { buildPowerLog, type SyntheticRows } from '../../formats/powerlog/testing/synthetic';
import type { ParseItem } from '../importer';
import type { DeviceStateRecord, ImportRecord } from '../../model/import-records';
import { bytesSource, testContext } from '../testing/source-input';
import { captureInstantFromName } from './clock';
import { powerLogImporter } from '.';

// 2021-12-16 10:00:00 UTC in PowerLog seconds.
const T = Date.UTC(2021, 11, 16, 10) / 1000;
const NAME = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
const ZONE = 'America/New_York';

async function collect(
  rows: SyntheticRows,
  fields: Parameters<typeof testContext>[0] = { timeZone: ZONE },
  name = NAME,
): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const batch of powerLogImporter.parse(
    bytesSource(buildPowerLog(rows), name),
    testContext(fields),
  ))
    out.push(...batch);
  return out;
}

function states(items: readonly ParseItem[], kind: DeviceStateRecord['kind']): DeviceStateRecord[] {
  return items.filter((i): i is DeviceStateRecord => i.type === 'device-state' && i.kind === kind);
}

const OFFSET = { PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: -60 }] };

describe('PowerLog importer: sniff', () => {
  const sqlite = buildPowerLog({ PLSpringBoardAgent_EventForward_SBLock: [] });
  it('recognises a SQLite file named .PLSQL', () => {
    const r = powerLogImporter.sniff({ kind: 'file', name: NAME, size: 1, head: sqlite });
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.reason).toContain(NAME);
  });
  it('gives any other SQLite file a low confidence, and non-SQLite none', () => {
    const empty = buildPowerLog({ other: [] });
    expect(
      powerLogImporter.sniff({ kind: 'file', name: 'x.db', size: 1, head: empty }).confidence,
    ).toBe(0.3);
    expect(
      powerLogImporter.sniff({ kind: 'file', name: NAME, size: 3, head: Buffer.from('abc') })
        .confidence,
    ).toBe(0);
    expect(powerLogImporter.sniff({ kind: 'folder', name: 'x', entries: [] }).confidence).toBe(0);
  });
  it('sees PowerLog table names in the head of a renamed file', () => {
    const r = powerLogImporter.sniff({ kind: 'file', name: 'renamed.db', size: 1, head: sqlite });
    expect(r.confidence).toBe(0.8);
  });
});

describe('PowerLog importer: parse', () => {
  it('yields screen intervals from SBBlank with corrected times, the zone offset and the row', async () => {
    const items = await collect({
      ...OFFSET,
      PLSpringBoardAgent_EventForward_SBBlank: [
        { timestamp: T + 100, Blanked: 1 },
        { timestamp: T + 200, Blanked: 0 },
      ],
    });
    const screen = states(items, 'screen');
    expect(screen.map((s) => [s.value, s.from.ms, s.to?.ms, s.from.offsetMin, s.locator])).toEqual([
      [
        'off',
        (T + 40) * 1000,
        (T + 140) * 1000,
        -300,
        'PLSpringBoardAgent_EventForward_SBBlank rowid 1',
      ],
      // The last row holds to the end of the capture minute in the file name (05:54 at UTC-5).
      [
        'on',
        (T + 140) * 1000,
        Date.UTC(2021, 11, 16, 10, 54) + 59_999,
        -300,
        'PLSpringBoardAgent_EventForward_SBBlank rowid 2',
      ],
    ]);
    expect(screen.every((s) => s.basis === 'powerlog')).toBe(true);
    const cov = items.filter((i) => i.type === 'device-state-coverage');
    expect(cov).toEqual([
      {
        type: 'device-state-coverage',
        kind: 'screen',
        basis: 'powerlog',
        fromMs: (T + 40) * 1000,
        toMs: Date.UTC(2021, 11, 16, 10, 54) + 59_999,
      },
    ]);
  });

  it('yields lock intervals from SBLock as locked/unlocked', async () => {
    const items = await collect({
      ...OFFSET,
      PLSpringBoardAgent_EventForward_SBLock: [
        { timestamp: T + 10, Locked: 1 },
        { timestamp: T + 20, Locked: 0 },
        { timestamp: T + 30, Locked: 7 },
      ],
    });
    expect(states(items, 'lock').map((s) => s.value)).toEqual(['locked', 'unlocked']);
    const warnings = items.filter((i) => i.type === 'warning');
    expect(JSON.stringify(warnings)).toContain('Locked is neither 0 nor 1');
  });

  it('yields foreground intervals from ScreenState, system surfaces kept as named', async () => {
    const items = await collect({
      ...OFFSET,
      PLScreenStateAgent_EventForward_ScreenState: [
        { timestamp: T + 10, bundleID: 'com.apple.lock-screen', Display: 0 },
        { timestamp: T + 20, bundleID: 'com.example.app', Display: 0 },
      ],
    });
    const fg = states(items, 'foreground');
    expect(fg.map((s) => [s.value, s.locator])).toEqual([
      ['com.apple.lock-screen', 'PLScreenStateAgent_EventForward_ScreenState rowid 1'],
      ['com.example.app', 'PLScreenStateAgent_EventForward_ScreenState rowid 2'],
    ]);
  });

  it('leaves camera, location and application-state rows out', async () => {
    const items = await collect({
      ...OFFSET,
      PLCameraAgent_EventForward_Camera: [{ timestamp: T + 10, State: 1, BundleId: 'a' }],
      PLApplicationAgent_EventForward_Application: [
        { timestamp: T + 10, State: 4, Identifier: 'a' },
      ],
    });
    expect(
      items.filter((i) => i.type === 'device-state' || i.type === 'device-state-coverage'),
    ).toEqual([]);
  });

  it('records the clock: the zone, the capture time from the name and the offset rule', async () => {
    const items = await collect({
      ...OFFSET,
      PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T, Locked: 1 }],
    });
    const clock = items.find((i) => i.type === 'clock') as Extract<ImportRecord, { type: 'clock' }>;
    expect(clock.clock).toEqual({ zone: ZONE, offsets: [-300], source: 'examiner' });
    expect(clock.capturedAtMs).toBe(Date.UTC(2021, 11, 16, 10, 54));
    expect(JSON.stringify(clock.details)).toContain('TimeOffset row in effect');
  });

  it('takes the zone the sysdiagnose hands down as the device clock', async () => {
    const items = await collect(
      // 05:00 UTC, before the capture at 05:54 in Lisbon (UTC+0 in December).
      {
        ...OFFSET,
        PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T - 5 * 3600, Locked: 1 }],
      },
      { hints: { timeZone: 'Europe/Lisbon' } },
    );
    const clock = items.find((i) => i.type === 'clock') as Extract<ImportRecord, { type: 'clock' }>;
    expect(clock.clock).toEqual({ zone: 'Europe/Lisbon', offsets: [0], source: 'device' });
  });

  it('takes the capture instant the container hands down, unless it is implausible', async () => {
    const rows = {
      ...OFFSET,
      PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T, Locked: 1 }],
    };
    const at = Date.UTC(2021, 11, 16, 10, 54, 30);
    const clockOf = (items: ParseItem[]) =>
      items.find((i) => i.type === 'clock') as Extract<ImportRecord, { type: 'clock' }>;
    const hinted = await collect(rows, { timeZone: ZONE, hints: { capturedAtMs: at } });
    expect(clockOf(hinted).capturedAtMs).toBe(at);
    expect(states(hinted, 'lock').at(-1)!.to!.ms).toBe(at);
    const crafted = await collect(rows, { timeZone: ZONE, hints: { capturedAtMs: 1e20 } });
    expect(clockOf(crafted).capturedAtMs).toBe(Date.UTC(2021, 11, 16, 10, 54));
  });

  it('warns when the archive offset at capture disagrees with the zone', async () => {
    const items = await collect(
      { ...OFFSET, PLSpringBoardAgent_EventForward_SBLock: [{ timestamp: T, Locked: 1 }] },
      { timeZone: ZONE, hints: { captureOffsetMin: 60 } },
    );
    expect(JSON.stringify(items)).toContain('was taken at UTC+01:00');
  });

  it('asks for the time zone when neither the examiner nor the container gives one', async () => {
    await expect(collect({ ...OFFSET }, {})).rejects.toMatchObject({ code: 'TIMEZONE_REQUIRED' });
  });

  it('refuses an unknown zone name', async () => {
    await expect(collect({ ...OFFSET }, { timeZone: 'Mars/Base' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('refuses a SQLite file without PowerLog tables by name, before asking for a zone', async () => {
    const items = await collect({ notes: [] }, {}, 'notes.db');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'refusal' });
    expect((items[0] as { message: string }).message).toContain(
      'notes.db holds no PowerLog tables',
    );
  });

  it('refuses bytes that are not SQLite', async () => {
    const out: ParseItem[] = [];
    for await (const b of powerLogImporter.parse(
      bytesSource('hello', NAME),
      testContext({ timeZone: ZONE }),
    ))
      out.push(...b);
    expect(out).toEqual([
      { type: 'refusal', message: `${NAME} is not a SQLite database, so not a PowerLog.` },
    ]);
  });
});

describe('captureInstantFromName', () => {
  it('places the name time in the zone, taking the earlier instant in a repeated hour', () => {
    expect(captureInstantFromName(NAME, ZONE)).toBe(Date.UTC(2021, 11, 16, 10, 54));
    // 01:30 on 2021-11-07 happened twice in New York: the EDT one is earlier.
    expect(captureInstantFromName('powerlog_2021-11-07_01-30_AB.PLSQL', ZONE)).toBe(
      Date.UTC(2021, 10, 7, 5, 30),
    );
    // 02:30 on 2021-03-14 never happened: read with the offset before the change.
    expect(captureInstantFromName('powerlog_2021-03-14_02-30_AB.PLSQL', ZONE)).toBe(
      Date.UTC(2021, 2, 14, 7, 30),
    );
    expect(captureInstantFromName('other.PLSQL', ZONE)).toBeNull();
  });
});

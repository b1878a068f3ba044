import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SYNTHETIC_APPOPS,
  SYNTHETIC_BATTERY_HISTORY,
  syntheticGetprop,
} from '../../../acquire/testing/stand-in-adb';
import { importPath } from '../../../services/import-pipeline';
import { tempCase, type TempCase } from '../../../testing/temp-case';
import { readAndroidInput } from '../input';
import { detectSingleDump } from '../sections';

// The batterystats section of a bugreport or an AndroidQF dumpsys.txt is read like the other
// services, and a plain `dumpsys batterystats --history` output is recognised by its first line.

const RULE = '-'.repeat(79);

/** A bugreport main text holding getprop, appops and the battery history. */
function mainText(): string {
  return [
    '== dumpstate: 2025-06-18 19:20:45',
    '',
    '------ SYSTEM PROPERTIES (getprop) ------',
    ...syntheticGetprop(34).trim().split('\n'),
    '',
    RULE,
    'DUMP OF SERVICE appops:',
    ...SYNTHETIC_APPOPS.split('\n'),
    RULE,
    'DUMP OF SERVICE batterystats:',
    ...SYNTHETIC_BATTERY_HISTORY.split('\n'),
    'Daily stats:',
    '  Current start time: 2025-06-18-01-15-45',
    '',
  ].join('\n');
}

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const batteryStates = (): { kind: string; value: string }[] =>
  t.session.db
    .prepare(
      `SELECT kind, value FROM device_states WHERE basis = 'batterystats' ORDER BY kind, from_ms`,
    )
    .all() as { kind: string; value: string }[];

describe('batterystats in Android captures', () => {
  it('recognises a plain battery history output by its first line', () => {
    expect(detectSingleDump(SYNTHETIC_BATTERY_HISTORY)).toBe('batterystats');
    expect(detectSingleDump('\n\nBattery History (1% used):\n')).toBe('batterystats');
    expect(detectSingleDump('Battery History\n')).toBeNull();
    expect(detectSingleDump('Unknown option: --history\nBattery History (1%):\n')).toBeNull();
  });

  it('keeps the batterystats section of a bugreport main text', async () => {
    const input = await readAndroidInput(t.write('bugreport-x.txt', mainText()));
    expect(input.found).toContain('batterystats');
    expect(input.sections.find((s) => s.service === 'batterystats')?.text).toMatch(
      /^Battery History \(/,
    );
  });

  it('imports a bugreport text’s battery history as device states', async () => {
    const r = await importPath(t.session.db, t.write('bugreport-x.txt', mainText()), {});
    expect(r.outcomes[0]?.status).toBe('imported');
    const rows = batteryStates();
    expect(rows.filter((x) => x.kind === 'screen').map((x) => x.value)).toEqual([
      'on',
      'off',
      'on',
      'off',
      'on',
    ]);
    expect(rows.filter((x) => x.kind === 'foreground').map((x) => x.value)).toEqual([
      'com.example.launcher',
      'com.example.social',
    ]);
  });

  it('imports the battery history of an AndroidQF folder’s dumpsys.txt', async () => {
    const dir = join(t.dir, 'androidqf');
    mkdirSync(dir);
    writeFileSync(join(dir, 'getprop.txt'), syntheticGetprop(34));
    writeFileSync(
      join(dir, 'dumpsys.txt'),
      [
        RULE,
        'DUMP OF SERVICE appops:',
        ...SYNTHETIC_APPOPS.split('\n'),
        RULE,
        'DUMP OF SERVICE batterystats:',
        ...SYNTHETIC_BATTERY_HISTORY.split('\n'),
      ].join('\n'),
    );
    const r = await importPath(t.session.db, dir, {});
    expect(r.outcomes.some((o) => o.status === 'imported')).toBe(true);
    expect(batteryStates().filter((x) => x.kind === 'screen')).toHaveLength(5);
  });
});

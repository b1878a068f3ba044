import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importAndroid } from '../../services/android-import';
import { writeAndroidCapture } from '../../testing/android-capture';
import { tempCase, type TempCase } from '../../testing/temp-case';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

// A battery history whose clock is set back half an hour by a TIME line in its middle.
const HISTORY = [
  'Battery History (1% used, 2720 used of 4096KB):',
  '                    0 (19) RESET:TIME: 2025-06-18-10-00-00',
  '                    0 (2) 100 +screen top=u0a44:"com.example.social"',
  '               +20m (2) 100 -screen',
  '               +30m (2) 100 +screen',
  '               +40m (19) TIME: 2025-06-18-10-10-00',
  '               +45m (2) 100 -screen',
  '               +70m (2) 100 +screen top=u0a45:"com.example.maps"',
  '               +90m (2) 100 -screen',
  '',
];

interface StoredState {
  kind: string;
  value: string;
  from_ms: number;
  to_ms: number;
  locator: string;
}

describe('a battery history whose clock goes back, imported', () => {
  it('stores no overlapping states of one kind and counts a warning naming the file and line', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap'));
    writeFileSync(join(dir, 'batterystats.txt'), HISTORY.join('\n'));
    const r = await importAndroid(t.session, dir, { label: 'Pixel' });
    const battery = r.outcomes.find((o) => o.path.endsWith('batterystats.txt'))!;
    expect(battery.status).toBe('imported');
    expect(battery.warnings).toEqual([
      expect.objectContaining({
        line: 7,
        locator: 'batterystats.txt line 7',
        code: 'INVALID_TIMESTAMP',
        message: expect.stringMatching(
          /^batterystats\.txt line 7: the battery history's time goes back here \(placed by the TIME line at line 6\): 2025-06-18 10:15:00 \(UTC[+-]\d\d:\d\d\) comes after 2025-06-18 10:30:00 \(UTC[+-]\d\d:\d\d\), 15 min earlier\./,
        ),
      }),
    ]);
    const source = t.session.sources().find((s) => s.fileName === 'batterystats.txt')!;
    expect(source.warnings).toBe(1);

    const rows = t.session.db
      .prepare(
        `SELECT kind, value, from_ms, to_ms, locator FROM device_states
         WHERE source_id = ? AND basis = 'batterystats' ORDER BY kind, from_ms`,
      )
      .all(source.id) as StoredState[];
    expect(rows.length).toBeGreaterThan(0);
    for (const a of rows) {
      expect(a.to_ms).toBeGreaterThanOrEqual(a.from_ms);
      for (const b of rows)
        if (a !== b && a.kind === b.kind)
          expect(a.from_ms < b.to_ms && b.from_ms < a.to_ms, JSON.stringify([a, b])).toBe(false);
    }
    // The screen on read from 10:15 (line 7 sets it off) lies before 10:30, the last time read
    // before the step: only the states after 10:30 are kept from the second run.
    const screens = rows.filter((s) => s.kind === 'screen').map((s) => [s.value, s.locator]);
    expect(screens).toEqual([
      ['on', 'batterystats.txt line 3'],
      ['off', 'batterystats.txt line 4'],
      ['off', 'batterystats.txt line 7'],
      ['on', 'batterystats.txt line 8'],
      ['off', 'batterystats.txt line 9'],
    ]);
  });
});

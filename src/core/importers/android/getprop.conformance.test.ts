import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { deviceFacts, parseGetprop } from './getprop';

// Real third-party data (MVT tests/artifacts), read in place and never copied. Both files are
// trimmed: they hold dalvik/audio properties only, no build, model or time zone (fixtures README).
const dir = sharedFixtures('android');

describe.skipIf(dir === null)('conformance: real getprop files (MVT)', () => {
  const read = (path: string) => readFileSync(join(dir!, path), 'utf8');

  it('reads the 13 properties of android_data/getprop.txt across its blank line', () => {
    const { props, problems } = parseGetprop(read('android_data/getprop.txt'));
    expect(problems).toEqual([]);
    expect(props.size).toBe(13);
    expect(props.get('af.fast_track_multiplier')).toBe('1');
    expect(props.get('dalvik.vm.dex2oat-max-image-block-size')).toBe('524288');
    expect(props.get('dalvik.vm.heapgrowthlimit')).toBe('192m');
  });

  it('reads the 10 properties of androidqf/getprop.txt', () => {
    const { props, problems } = parseGetprop(read('androidqf/getprop.txt'));
    expect(problems).toEqual([]);
    expect(props.size).toBe(10);
    expect(props.get('dalvik.vm.heapgrowthlimit')).toBe('128m');
    expect(props.get('dalvik.vm.heapminfree')).toBe('512k');
  });

  it('reports the zone as unknown rather than guessing it', () => {
    for (const path of ['android_data/getprop.txt', 'androidqf/getprop.txt']) {
      const facts = deviceFacts(parseGetprop(read(path)).props);
      expect(facts).toMatchObject({
        timeZone: null,
        model: null,
        sdk: null,
        androidVersion: null,
        serial: null,
      });
      expect(facts.problems.map((p) => p.message)).toEqual([
        'No persist.sys.timezone: the device time zone is unknown.',
      ]);
    }
  });
});

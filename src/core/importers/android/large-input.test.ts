import { describe, expect, it } from 'vitest';
import { withoutRelativeTime } from '../../services/android-import';
import { DumpSplitter, detectSingleDump } from './sections';
import { foregroundIntervals, parseUsageStats, screenIntervals, splitPairs } from './usagestats';

// Large arrays spread into a call (`push(...many)`) put every element on the stack and overflow
// it ("Maximum call stack size exceeded"); a whole 100 MB import takes tens of seconds, so the
// functions are tested here with inputs just large enough to overflow the stack the old way (the
// rollup's own case is in db/rollup.test.ts).
//
// Lines with long runs of spaces once made regular expressions backtrack for minutes (the time
// grows with the square of the run): without the fix, these tests do not finish.

/** A usagestats dump whose `count` activities are resumed and never paused. */
function resumedOnly(count: number): string {
  const lines = ['user=0', '  Last 24 hour events (timeRange="x" )'];
  for (let i = 0; i < count; i += 1) {
    lines.push(
      `    time="2025-06-18 07:41:04" type=ACTIVITY_RESUMED package=com.example.app${i} class=A instanceId=${i} flags=0x0`,
      `    time="2025-06-18 07:41:05" type=SCREEN_INTERACTIVE package=android flags=0x0`,
    );
  }
  return lines.join('\n');
}

describe('large inputs', () => {
  it('pairs 150,000 activities that never pause', () => {
    const { records } = parseUsageStats(resumedOnly(150_000));
    const intervals = foregroundIntervals(records);
    expect(intervals).toHaveLength(150_000);
    expect(intervals.every((i) => i.end === null)).toBe(true);
    expect(screenIntervals(records)).toHaveLength(150_000);
  });
});

describe('lines with long runs of spaces', () => {
  const spaces = ' '.repeat(1_000_000);

  it('recognises a plain dump whose first line is a million spaces and a word', () => {
    expect(detectSingleDump(`x${spaces}y\nCurrent AppOps Service state:\n`)).toBeNull();
  });

  it('reads the bugreport header and section end lines', () => {
    const splitter = new DumpSplitter();
    for (const line of [
      `== dumpstate: 2025-06-18 19:20:45${spaces}x`,
      `Build fingerprint: 'a${spaces}b`,
      `Build: a${spaces}b`,
      `Bootloader: a${spaces}b`,
      '-'.repeat(79),
      'DUMP OF SERVICE appops:',
      'Current AppOps Service state:',
      `--------- 0.050s was the duration of dumpsys appops, ending at: a${spaces}b`,
    ])
      splitter.push(line);
    const split = splitter.finish();
    expect(split.header.dumpstateTime).toBe(`2025-06-18 19:20:45${spaces}x`);
    expect(split.header.build).toBe(`a${spaces}b`);
    expect(split.sections[0]?.endedAt).toBe(`a${spaces}b`);
  });

  it('splits usagestats pairs around a million spaces', () => {
    expect(splitPairs(`type=X package=a${spaces}!`).pairs).toEqual([
      ['type', 'X'],
      ['package', `a${spaces}!`],
    ]);
    expect(splitPairs(`!${spaces}!`).rest).toBe(`!${spaces}!`);
  });

  it('compares capture lines without their relative time around a million spaces', () => {
    expect(withoutRelativeTime(`a${spaces}b`)).toBe(`a${spaces}b`);
    expect(
      withoutRelativeTime(`Access: [top-s] 2025-06-18 07:41:07.412${spaces}(-1h2m3s4ms)`),
    ).toBe('Access: [top-s] 2025-06-18 07:41:07.412');
  });
});

import { describe, expect, it } from 'vitest';
import { FILTER_OPTIONS, parseCommandArgs, parseFilterFlags } from './args';

describe('--device-state', () => {
  it('becomes the filter’s device states, deduplicated, any case', () => {
    const { values } = parseCommandArgs(
      ['--device-state', 'Locked', '--device-state', 'screen-off', '--device-state', 'locked'],
      FILTER_OPTIONS,
    );
    expect(parseFilterFlags(values).filter.deviceStates).toEqual(['locked', 'screen-off']);
  });

  it('refuses a word outside in-use, screen-off, locked and unknown, naming them', () => {
    const { values } = parseCommandArgs(['--device-state', 'asleep'], FILTER_OPTIONS);
    expect(() => parseFilterFlags(values)).toThrow(
      '--device-state asleep: expected one of in-use, screen-off, locked, unknown.',
    );
  });
});

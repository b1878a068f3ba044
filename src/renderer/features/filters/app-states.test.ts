import { describe, expect, it } from 'vitest';
import { APP_STATES, appStateLabel, parseAppState } from './app-states';

describe('app states', () => {
  it('labels and parses every state', () => {
    expect(APP_STATES.map(appStateLabel)).toEqual(['Foreground', 'Background', 'Unknown']);
    expect(parseAppState(' BACKGROUND ')).toBe('background');
    expect(parseAppState('bg')).toBeNull();
  });
});

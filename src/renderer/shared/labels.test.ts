import { describe, expect, it } from 'vitest';
import { wordsOfKey } from './labels';

describe('wordsOfKey', () => {
  it('turns code-style keys into words', () => {
    expect(wordsOfKey('busiestNightSessions')).toBe('Busiest night sessions');
    expect(wordsOfKey('medianGapSeconds')).toBe('Median gap seconds');
    expect(wordsOfKey('night-access')).toBe('Night access');
    expect(wordsOfKey('perDay')).toBe('Per day');
    expect(wordsOfKey('maxCv')).toBe('Max cv');
    expect(wordsOfKey('HTTPSRows')).toBe('Https rows');
    expect(wordsOfKey('from')).toBe('From');
    expect(wordsOfKey('')).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { whenParts } from './when-parts';

describe('whenParts', () => {
  it('splits a compact timestamp between the date and the time with its offset', () => {
    expect(whenParts('2024-05-01 09:00:00 +08:00')).toEqual(['2024-05-01', '09:00:00 +08:00']);
    expect(whenParts('2024-05-01 01:00:00 Z')).toEqual(['2024-05-01', '01:00:00 Z']);
  });

  it('keeps a time of day, a dash or other text whole', () => {
    expect(whenParts('09:00:00')).toEqual(['09:00:00']);
    expect(whenParts('—')).toEqual(['—']);
    expect(whenParts('2024-05-01')).toEqual(['2024-05-01']);
    expect(whenParts('not a time at all')).toEqual(['not a time at all']);
  });
});

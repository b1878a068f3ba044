import { describe, expect, it } from 'vitest';
import { identParts } from './ident-parts';

describe('identParts', () => {
  it('cuts after dots, underscores, slashes and colons and loses no character', () => {
    expect(identParts('com.android.providers.contacts')).toEqual([
      'com.',
      'android.',
      'providers.',
      'contacts',
    ]);
    expect(identParts('android.permission.READ_MEDIA_IMAGES')).toEqual([
      'android.',
      'permission.',
      'READ_',
      'MEDIA_',
      'IMAGES',
    ]);
    for (const text of ['a..b', '.lead', 'trail.', 'x/y:z', '', 'plain'])
      expect(identParts(text).join('')).toBe(text);
  });
});

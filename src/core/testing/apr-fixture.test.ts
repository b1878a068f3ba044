import { describe, expect, it } from 'vitest';
import { accessLine, accessPair, networkLine } from './apr-fixture';

describe('App Privacy Report line builders', () => {
  it('write an instant with its offset, or a timestamp text as it is given', () => {
    const ms = Date.UTC(2024, 4, 1, 0, 10);
    const fromInstant = accessPair({
      app: 'a',
      category: 'photos',
      id: 'U1',
      ms,
      offsetMin: 120,
      durationMs: 30_500,
    });
    const fromText = accessPair({
      app: 'a',
      category: 'photos',
      id: 'U1',
      timeStamp: '2024-05-01T02:10:00.000+02:00',
      endTimeStamp: '2024-05-01T02:10:30.500+02:00',
    });
    expect(fromText).toEqual(fromInstant);
    expect(JSON.parse(fromText[1]).timeStamp).toBe('2024-05-01T02:10:30.500+02:00');
    // A malformed text is written as is.
    expect(
      JSON.parse(
        accessLine({
          app: 'a',
          category: 'camera',
          id: 'X',
          kind: 'intervalBegin',
          timeStamp: 'not a date',
        }),
      ).timeStamp,
    ).toBe('not a date');
  });

  it('write network lines from texts, with or without the classification keys', () => {
    const line = networkLine({
      app: 'a',
      domain: 'api.example.com',
      first: '2024-05-01T09:00:00.000+02:00',
      last: '2024-05-01T12:00:00.000+02:00',
      hits: 3,
      classified: false,
    });
    expect(Object.keys(JSON.parse(line))).toEqual([
      'timeStamp',
      'initiatedType',
      'context',
      'domain',
      'type',
      'domainType',
      'firstTimeStamp',
      'bundleID',
      'domainOwner',
      'hits',
    ]);
    const full = JSON.parse(
      networkLine({ app: 'a', domain: '10.0.0.1', firstMs: 0, lastMs: 1000, offsetMin: 60 }),
    );
    expect(full).toMatchObject({
      firstTimeStamp: '1970-01-01T01:00:00.000+01:00',
      timeStamp: '1970-01-01T01:00:01.000+01:00',
      contextVerificationType: 0,
      domainClassification: 2,
    });
    expect(() => networkLine({ app: 'a', domain: 'x' })).toThrow(/needs a time/);
  });
});

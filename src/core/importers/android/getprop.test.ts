import { describe, expect, it } from 'vitest';
import { deviceFacts, parseGetprop } from './getprop';

// Synthetic getprop output in the `[key]: [value]` form of android-sources.md §5; the values are
// invented (an "examplebrand" phone on Android 14 in Europe/Lisbon).
const GETPROP = [
  '[persist.sys.timezone]: [Europe/Lisbon]',
  '[ro.build.version.sdk]: [34]',
  '[ro.build.version.release]: [14]',
  '[ro.build.fingerprint]: [examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1234:user/release-keys]',
  '[ro.build.id]: [UP1A.231005.007]',
  '[ro.product.model]: [Example Phone 5]',
  '[ro.product.manufacturer]: [ExampleCorp]',
  '[ro.product.brand]: [examplebrand]',
  '[ro.serialno]: []',
  '[ro.boot.serialno]: [EX0123456789]',
  '',
  '[ro.example.banner]: [first line',
  'second line',
  'last line]',
  '[ro.example.empty]: []',
].join('\n');

describe('parseGetprop', () => {
  it('reads single-line and multi-line values', () => {
    const { props, problems } = parseGetprop(GETPROP);
    expect(problems).toEqual([]);
    expect(props.size).toBe(12);
    expect(props.get('ro.product.model')).toBe('Example Phone 5');
    expect(props.get('ro.example.banner')).toBe('first line\nsecond line\nlast line');
    expect(props.get('ro.example.empty')).toBe('');
  });

  it('accepts CRLF, keeps brackets inside values, and reports bad or repeated lines', () => {
    const text = [
      '[a.b]: [x [y] z]\r',
      'garbage here',
      '[a.c]: [1]',
      '[a.c]: [1]',
      '[a.c]: [2]',
      '[a.open]: [never closed',
      '[a.d]: [ok]',
    ].join('\n');
    const { props, problems } = parseGetprop(text);
    expect(props.get('a.b')).toBe('x [y] z');
    expect(props.get('a.c')).toBe('2');
    expect(props.get('a.d')).toBe('ok');
    expect(props.has('a.open')).toBe(false);
    expect(problems).toEqual([
      { line: 2, message: 'Not a getprop line: garbage here' },
      {
        line: 5,
        message: '[a.c] repeats line 4 with another value ([1] → [2]); the later value is kept.',
      },
      { line: 6, message: '[a.open] has no closing bracket; skipped.' },
    ]);
  });
});

describe('deviceFacts', () => {
  it('reads the build, model and time zone; the serial falls back to ro.boot.serialno', () => {
    expect(deviceFacts(parseGetprop(GETPROP).props)).toEqual({
      model: 'Example Phone 5',
      manufacturer: 'ExampleCorp',
      brand: 'examplebrand',
      androidVersion: '14',
      sdk: 34,
      fingerprint:
        'examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1234:user/release-keys',
      buildId: 'UP1A.231005.007',
      timeZone: 'Europe/Lisbon',
      serial: 'EX0123456789',
      problems: [],
    });
  });

  it('falls back to partition properties', () => {
    const props = new Map([
      ['ro.product.system.model', 'Fallback Model'],
      ['ro.product.vendor.brand', 'fallbackbrand'],
      ['ro.system.build.fingerprint', 'fb/fp:15/X/1:user/release-keys'],
      ['ro.build.version.release_or_codename', '15'],
      ['persist.sys.timezone', 'Asia/Shanghai'],
    ]);
    expect(deviceFacts(props)).toMatchObject({
      model: 'Fallback Model',
      brand: 'fallbackbrand',
      fingerprint: 'fb/fp:15/X/1:user/release-keys',
      androidVersion: '15',
      timeZone: 'Asia/Shanghai',
      serial: null,
      sdk: null,
    });
  });

  it('never guesses a zone: missing or unknown gives null and a problem', () => {
    expect(deviceFacts(new Map()).timeZone).toBeNull();
    expect(deviceFacts(new Map()).problems).toEqual([
      { line: null, message: 'No persist.sys.timezone: the device time zone is unknown.' },
    ]);
    const bad = deviceFacts(
      new Map([
        ['persist.sys.timezone', 'Mars/Olympus'],
        ['ro.build.version.sdk', 'thirty'],
      ]),
    );
    expect(bad.timeZone).toBeNull();
    expect(bad.sdk).toBeNull();
    expect(bad.problems.map((p) => p.message)).toEqual([
      'ro.build.version.sdk "thirty" is not a number.',
      'persist.sys.timezone "Mars/Olympus" is not a known IANA time zone: the device time zone is unknown.',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { BackupCryptoError } from './errors';
import type { KeybagRecord } from './keybag';
import { buildKeybag, encodeKeybagRecords, keybagRecords, parseKeybag } from './keybag';
import { SYNTHETIC_VECTOR, syntheticKeybag } from './reference-vectors';

const hex = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

/** The §9.1 keybag's records with some changed, removed or added. */
function records(edit: (r: KeybagRecord[]) => KeybagRecord[]): Uint8Array {
  return encodeKeybagRecords(edit(keybagRecords(syntheticKeybag())));
}

function expectMalformed(buf: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    parseKeybag(buf);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BackupCryptoError);
  expect((caught as BackupCryptoError).code).toBe('MALFORMED');
  expect((caught as BackupCryptoError).message).toMatch(message);
}

describe('parseKeybag', () => {
  it('reads the §9.1 keybag rebuilt from its table', () => {
    const kb = parseKeybag(buildKeybag(syntheticKeybag()));
    expect(kb.version).toBe(5);
    expect(kb.type).toBe(1);
    expect(hex(kb.uuid)).toBe('00'.repeat(16));
    expect(hex(kb.hmck)).toBe('00'.repeat(40));
    expect(kb.wrap).toBe(0);
    expect(hex(kb.salt)).toBe('00'.repeat(20));
    expect(kb.iterations).toBe(10_000);
    expect(kb.dpwt).toBe(1);
    expect(kb.dpic).toBe(10_000_000);
    expect(hex(kb.dpsl)).toBe('00'.repeat(20));
    expect(kb.classes.map((c) => [c.protectionClass, c.wrap])).toEqual([
      [11, 3],
      [10, 3],
      [9, 3],
      [5, 3],
      [8, 2],
      [7, 2],
      [6, 2],
      [4, 2],
      [3, 2],
      [2, 2],
      [1, 2],
    ]);
    for (const c of kb.classes) {
      expect(c.keyType).toBe(0);
      expect(hex(c.wpky)).toBe(SYNTHETIC_VECTOR.wpky);
      expect(c.pbky).toBeUndefined();
    }
  });

  it('starts the header at the first UUID and a class record at each later one', () => {
    const buf = encodeKeybagRecords([
      { tag: 'VERS', value: 3 },
      { tag: 'TYPE', value: 1 },
      { tag: 'UUID', value: new Uint8Array(16).fill(0xaa) },
      { tag: 'WRAP', value: 1 },
      { tag: 'SALT', value: new Uint8Array([1, 2, 3]) },
      { tag: 'ITER', value: 7 },
      { tag: 'UUID', value: new Uint8Array(16).fill(0xbb) },
      { tag: 'CLAS', value: 2 },
      { tag: 'WRAP', value: 3 },
      { tag: 'KTYP', value: 1 },
      { tag: 'WPKY', value: new Uint8Array(40).fill(1) },
      { tag: 'PBKY', value: new Uint8Array(32).fill(2) },
      { tag: 'UUID', value: new Uint8Array(16).fill(0xcc) },
      { tag: 'CLAS', value: 4 },
      { tag: 'WRAP', value: 2 },
      { tag: 'XTRA', value: new Uint8Array([9]) },
    ]);
    const kb = parseKeybag(buf);
    expect(kb.wrap).toBe(1);
    expect(kb.dpic).toBeUndefined();
    expect(kb.dpsl).toBeUndefined();
    expect(hex(kb.uuid)).toBe('aa'.repeat(16));
    expect(kb.classes).toHaveLength(2);
    const [first, second] = kb.classes;
    expect(first).toMatchObject({ protectionClass: 2, wrap: 3, keyType: 1 });
    expect(hex(first?.uuid)).toBe('bb'.repeat(16));
    expect(hex(first?.pbky)).toBe('02'.repeat(32));
    // No KTYP: AES; no WPKY: nothing to unwrap.
    expect(second).toMatchObject({ protectionClass: 4, wrap: 2, keyType: 0 });
    expect(second?.wpky).toBeUndefined();
  });

  it('round-trips buildKeybag with any iteration counts', () => {
    const original = { ...syntheticKeybag(), iterations: 3, dpic: 5 };
    const again = parseKeybag(buildKeybag(original));
    expect(again.iterations).toBe(3);
    expect(again.dpic).toBe(5);
    expect(buildKeybag(again)).toEqual(buildKeybag(original));
  });

  it('refuses an empty buffer', () => {
    expectMalformed(new Uint8Array(0), /empty/);
  });

  it('refuses a truncated record header', () => {
    const whole = buildKeybag(syntheticKeybag());
    const cut = Buffer.concat([whole, Buffer.from('WPK')]);
    expectMalformed(cut, /truncated record at byte \d+: 3 bytes left/);
  });

  it('refuses a length past the end', () => {
    const whole = buildKeybag(syntheticKeybag());
    expectMalformed(
      whole.subarray(0, whole.length - 1),
      /WPKY at byte \d+ claims 40 bytes but only 39 remain/,
    );
  });

  it('refuses data that is not TLV records', () => {
    expectMalformed(new Uint8Array(64).fill(0xff), /4-character ASCII tag/);
  });

  it('refuses a keybag without SALT or ITER', () => {
    expectMalformed(
      records((r) => r.filter((x) => x.tag !== 'SALT')),
      /no SALT/,
    );
    expectMalformed(
      records((r) => r.filter((x) => x.tag !== 'ITER')),
      /no ITER/,
    );
  });

  it('refuses a keybag without VERS, TYPE or UUID', () => {
    expectMalformed(
      records((r) => r.filter((x) => x.tag !== 'VERS')),
      /no VERS/,
    );
    expectMalformed(
      records((r) => r.filter((x) => x.tag !== 'TYPE')),
      /no TYPE/,
    );
    expectMalformed(
      encodeKeybagRecords([
        { tag: 'VERS', value: 3 },
        { tag: 'TYPE', value: 1 },
        { tag: 'SALT', value: new Uint8Array(20) },
        { tag: 'ITER', value: 10 },
      ]),
      /no UUID/,
    );
  });

  it('refuses absurd or zero iteration counts', () => {
    const setNumber = (tag: string, value: number) =>
      records((r) => r.map((x) => (x.tag === tag ? { tag, value } : x)));
    expectMalformed(setNumber('ITER', 100_000_001), /ITER is 100000001.*between 1 and 100,000,000/);
    expectMalformed(setNumber('DPIC', 0xffffffff), /DPIC is 4294967295/);
    expectMalformed(setNumber('ITER', 0), /ITER is 0/);
    // The limit itself is allowed.
    expect(parseKeybag(setNumber('DPIC', 100_000_000)).dpic).toBe(100_000_000);
  });

  it('refuses a number that is not 4 bytes', () => {
    expectMalformed(
      records((r) =>
        r.map((x) =>
          x.tag === 'ITER' ? { tag: 'ITER', value: new Uint8Array([0, 0, 39, 16, 0]) } : x,
        ),
      ),
      /ITER at byte \d+ holds 5 bytes/,
    );
  });

  it('refuses DPIC without DPSL and the reverse', () => {
    expectMalformed(
      records((r) => r.filter((x) => x.tag !== 'DPSL')),
      /DPIC but no DPSL/,
    );
    expectMalformed(
      records((r) => r.filter((x) => x.tag !== 'DPIC')),
      /DPSL but no DPIC/,
    );
  });

  it('refuses a header tag given twice', () => {
    expectMalformed(
      records((r) => [...r.slice(0, 3), { tag: 'SALT', value: new Uint8Array(20) }, ...r.slice(3)]),
      /holds SALT twice/,
    );
  });

  it('refuses class records without CLAS or WRAP or with a class tag twice, a class listed twice, and a bad WPKY length', () => {
    const header = keybagRecords({ ...syntheticKeybag(), classes: [] });
    const uuid: KeybagRecord = { tag: 'UUID', value: new Uint8Array(16) };
    const wpky: KeybagRecord = { tag: 'WPKY', value: new Uint8Array(40) };
    expectMalformed(
      encodeKeybagRecords([...header, uuid, { tag: 'WRAP', value: 2 }, wpky]),
      /class record starting at byte \d+ has no CLAS/,
    );
    expectMalformed(
      encodeKeybagRecords([...header, uuid, { tag: 'CLAS', value: 3 }, wpky]),
      /class 3 has no WRAP/,
    );
    const class3: KeybagRecord[] = [
      uuid,
      { tag: 'CLAS', value: 3 },
      { tag: 'WRAP', value: 2 },
      wpky,
    ];
    for (const twice of [{ tag: 'WRAP', value: 2 }, { tag: 'CLAS', value: 4 }, wpky])
      expectMalformed(
        encodeKeybagRecords([...header, ...class3, twice]),
        new RegExp(
          `class record starting at byte \\d+ holds ${twice.tag} twice \\(second at byte \\d+\\)`,
        ),
      );
    expectMalformed(
      encodeKeybagRecords([...header, ...class3, ...class3]),
      /class 3 is listed twice/,
    );
    expectMalformed(
      encodeKeybagRecords([
        ...header,
        uuid,
        { tag: 'CLAS', value: 3 },
        { tag: 'WRAP', value: 2 },
        { tag: 'WPKY', value: new Uint8Array(20) },
      ]),
      /WPKY of class 3 is 20 bytes/,
    );
    // A password-wrapped class key is 32 bytes: a WPKY wrapping 40 bytes would unlock to a key
    // that no file key unwraps with.
    expectMalformed(
      encodeKeybagRecords([
        ...header,
        uuid,
        { tag: 'CLAS', value: 3 },
        { tag: 'WRAP', value: 2 },
        { tag: 'WPKY', value: new Uint8Array(48) },
      ]),
      /WPKY of class 3 is 48 bytes, not an RFC 3394-wrapped 32-byte key/,
    );
  });
});

import { createCipheriv, getCiphers, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesKeyUnwrap, aesKeyWrap } from './aes-kw';
import { RFC3394_VECTOR } from './reference-vectors';

const hex = (s: string) => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

describe('RFC 3394 AES key wrap', () => {
  it('wraps the RFC 3394 §4.6 vector (256-bit KEK, 256-bit key data)', () => {
    const wrapped = aesKeyWrap(hex(RFC3394_VECTOR.kek), hex(RFC3394_VECTOR.keyData));
    expect(toHex(wrapped)).toBe(RFC3394_VECTOR.wrapped);
  });

  it('unwraps the RFC 3394 §4.6 vector', () => {
    const key = aesKeyUnwrap(hex(RFC3394_VECTOR.kek), hex(RFC3394_VECTOR.wrapped));
    expect(toHex(key)).toBe(RFC3394_VECTOR.keyData);
  });

  it('returns null when any bit of the wrapped data is flipped', () => {
    const kek = hex(RFC3394_VECTOR.kek);
    for (const byte of [0, 7, 8, 20, 39]) {
      const damaged = hex(RFC3394_VECTOR.wrapped);
      damaged[byte]! ^= 0x01;
      expect(aesKeyUnwrap(kek, damaged)).toBeNull();
    }
  });

  it('returns null with the wrong KEK', () => {
    const kek = hex(RFC3394_VECTOR.kek);
    kek[31]! ^= 0x80;
    expect(aesKeyUnwrap(kek, hex(RFC3394_VECTOR.wrapped))).toBeNull();
  });

  it('does not modify its inputs', () => {
    const kek = hex(RFC3394_VECTOR.kek);
    const wrapped = hex(RFC3394_VECTOR.wrapped);
    aesKeyUnwrap(kek, wrapped);
    expect(toHex(wrapped)).toBe(RFC3394_VECTOR.wrapped);
    expect(toHex(kek)).toBe(RFC3394_VECTOR.kek);
  });

  it('round-trips key data of 2 to 8 semiblocks', () => {
    const kek = randomBytes(32);
    for (let n = 2; n <= 8; n++) {
      const data = randomBytes(8 * n);
      const wrapped = aesKeyWrap(kek, data);
      expect(wrapped.length).toBe(8 * n + 8);
      expect(toHex(aesKeyUnwrap(kek, wrapped))).toBe(data.toString('hex'));
    }
  });

  it('throws clear errors on impossible lengths', () => {
    const kek = randomBytes(32);
    expect(() => aesKeyUnwrap(randomBytes(16), randomBytes(40))).toThrow(
      /32-byte key-encryption key/,
    );
    expect(() => aesKeyUnwrap(kek, randomBytes(16))).toThrow(/at least 24 bytes/);
    expect(() => aesKeyUnwrap(kek, randomBytes(41))).toThrow(/whole 8-byte blocks/);
    expect(() => aesKeyWrap(kek, randomBytes(8))).toThrow(/at least 16 bytes/);
    expect(() => aesKeyWrap(kek, randomBytes(33))).toThrow(/whole 8-byte blocks/);
    expect(() => aesKeyWrap(randomBytes(24), randomBytes(32))).toThrow(RangeError);
  });

  // Plain Node's OpenSSL has the native cipher that Electron lacks: a cross-check where it exists.
  it.skipIf(!getCiphers().includes('id-aes256-wrap'))(
    'agrees with OpenSSL id-aes256-wrap on random keys',
    () => {
      const iv = hex('a6a6a6a6a6a6a6a6');
      for (let round = 0; round < 20; round++) {
        const kek = randomBytes(32);
        const data = randomBytes(8 * (2 + (round % 5)));
        const cipher = createCipheriv('id-aes256-wrap', kek, iv);
        const native = Buffer.concat([cipher.update(data), cipher.final()]);
        expect(toHex(aesKeyWrap(kek, data))).toBe(native.toString('hex'));
        expect(toHex(aesKeyUnwrap(kek, native))).toBe(data.toString('hex'));
      }
    },
  );
});

import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';

// RFC 3394 AES key wrap over single-block AES-256-ECB operations. Electron's BoringSSL has no
// `id-aes256-wrap` cipher, but it has `aes-256-ecb` (ios-backup.md §8), so the six wrap rounds
// are done here block by block.

const KEK_BYTES = 32;
const SEMIBLOCK = 8;
const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/** One AES block operation: 16 bytes in, 16 bytes out. */
type BlockOperation = (block: Buffer) => Buffer;

function blockCipher(kek: Uint8Array, direction: 'encrypt' | 'decrypt'): BlockOperation {
  const cipher =
    direction === 'encrypt'
      ? createCipheriv('aes-256-ecb', kek, null)
      : createDecipheriv('aes-256-ecb', kek, null);
  cipher.setAutoPadding(false);
  return (block) => {
    const out = cipher.update(block);
    // Without padding, ECB returns each whole block at once; anything else would misalign A and R.
    if (out.length !== 16) throw new Error('AES-ECB did not return one whole block.');
    return out;
  };
}

function checkKek(kek: Uint8Array): void {
  if (kek.length !== KEK_BYTES) {
    throw new RangeError(
      `AES key wrap needs a 32-byte key-encryption key, got ${kek.length} bytes.`,
    );
  }
}

/** XORs the 64-bit big-endian counter t into the first 8 bytes of `block`. */
function xorCounter(block: Buffer, t: number): void {
  const high = Math.floor(t / 0x1_0000_0000);
  const low = t >>> 0;
  block.writeUInt32BE((block.readUInt32BE(0) ^ high) >>> 0, 0);
  block.writeUInt32BE((block.readUInt32BE(4) ^ low) >>> 0, 4);
}

/**
 * Wraps key data with a 256-bit key-encryption key (RFC 3394 §2.2.1).
 * The key data must be a multiple of 8 bytes and at least 16; the result is 8 bytes longer.
 */
export function aesKeyWrap(kek: Uint8Array, keyData: Uint8Array): Uint8Array {
  checkKek(kek);
  if (keyData.length < 2 * SEMIBLOCK || keyData.length % SEMIBLOCK !== 0) {
    throw new RangeError(
      `AES key wrap needs key data of at least 16 bytes in whole 8-byte blocks, got ${keyData.length} bytes.`,
    );
  }
  const encrypt = blockCipher(kek, 'encrypt');
  const n = keyData.length / SEMIBLOCK;
  const r = Buffer.from(keyData);
  const a = Buffer.from(DEFAULT_IV);
  const block = Buffer.alloc(16);
  for (let j = 0; j <= 5; j++) {
    for (let i = 1; i <= n; i++) {
      a.copy(block, 0);
      r.copy(block, SEMIBLOCK, (i - 1) * SEMIBLOCK, i * SEMIBLOCK);
      const b = encrypt(block);
      b.copy(a, 0, 0, SEMIBLOCK);
      xorCounter(a, n * j + i);
      b.copy(r, (i - 1) * SEMIBLOCK, SEMIBLOCK, 16);
    }
  }
  block.fill(0);
  return Buffer.concat([a, r]);
}

/**
 * Unwraps RFC 3394-wrapped key data with a 256-bit key-encryption key (RFC 3394 §2.2.2).
 * Returns null when the integrity check value is not A6A6A6A6A6A6A6A6 (wrong key or damaged
 * data); throws a RangeError when the key or the wrapped data has an impossible length.
 */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null {
  checkKek(kek);
  if (wrapped.length < 3 * SEMIBLOCK || wrapped.length % SEMIBLOCK !== 0) {
    throw new RangeError(
      `AES key unwrap needs at least 24 bytes in whole 8-byte blocks, got ${wrapped.length} bytes.`,
    );
  }
  const decrypt = blockCipher(kek, 'decrypt');
  const n = wrapped.length / SEMIBLOCK - 1;
  const a = Buffer.from(wrapped.subarray(0, SEMIBLOCK));
  const r = Buffer.from(wrapped.subarray(SEMIBLOCK));
  const block = Buffer.alloc(16);
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      a.copy(block, 0);
      xorCounter(block, n * j + i);
      r.copy(block, SEMIBLOCK, (i - 1) * SEMIBLOCK, i * SEMIBLOCK);
      const b = decrypt(block);
      b.copy(a, 0, 0, SEMIBLOCK);
      b.copy(r, (i - 1) * SEMIBLOCK, SEMIBLOCK, 16);
      b.fill(0);
    }
  }
  block.fill(0);
  if (!timingSafeEqual(a, DEFAULT_IV)) {
    r.fill(0);
    return null;
  }
  return r;
}

import { createDecipheriv } from 'node:crypto';
import type { Decipher } from 'node:crypto';
import { aesKeyUnwrap } from './aes-kw';
import { BackupCryptoError } from './errors';

// Manifest.db and payload-file decryption, ios-backup.md §7 steps 4 and 5: a 44-byte key blob is a
// 4-byte little-endian protection class and a 40-byte RFC 3394-wrapped AES-256 key; content is
// AES-256-CBC with a zero IV. Manifest.db is page-aligned and unpadded; files are PKCS#7-padded.

/** Protection class → unwrapped class key, as `unlockClassKeys` returns it. */
export type ClassKeys = ReadonlyMap<number, Uint8Array>;

const WRAPPED_KEY_BLOB_BYTES = 44;
const BLOCK = 16;
const ZERO_IV = Buffer.alloc(BLOCK);
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function corrupt(message: string): BackupCryptoError {
  return new BackupCryptoError('CORRUPT', message);
}

function keyBlobClass(blob: Uint8Array): number {
  return new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, true);
}

/**
 * Unwraps the AES key of a 44-byte key blob with a class key. The class is `protectionClass` when
 * given, else the blob's own prefix; if the two differ and the first does not unwrap, the prefix
 * is tried too (the integrity check makes a wrong choice harmless).
 */
function unwrapBlobKey(
  blob: Uint8Array,
  protectionClass: number | null,
  classKeys: ClassKeys,
  what: string,
): Buffer {
  if (blob.length !== WRAPPED_KEY_BLOB_BYTES) {
    throw corrupt(`The ${what} key is ${blob.length} bytes; expected 44 (class + wrapped key).`);
  }
  const prefix = keyBlobClass(blob);
  const candidates = protectionClass === null ? [prefix] : [protectionClass];
  if (protectionClass !== null && prefix !== protectionClass) candidates.push(prefix);
  const wrapped = blob.subarray(4);
  let triedWithKey: number | null = null;
  for (const cls of candidates) {
    const classKey = classKeys.get(cls);
    if (classKey === undefined) continue;
    if (classKey.length !== 32) {
      throw corrupt(`The key of protection class ${cls} is ${classKey.length} bytes, not 32.`);
    }
    triedWithKey = cls;
    const key = aesKeyUnwrap(classKey, wrapped);
    if (key !== null && key.length === 32) return Buffer.from(key.buffer, key.byteOffset, 32);
  }
  if (triedWithKey === null) {
    throw corrupt(
      `No key was unlocked for protection class ${candidates.join(' or ')}, which the ${what} needs.`,
    );
  }
  throw corrupt(
    `The ${what} key does not unwrap with the key of protection class ${triedWithKey}: the key blob is damaged or belongs to another backup.`,
  );
}

function cbcDecipher(key: Buffer): Decipher {
  const decipher = createDecipheriv('aes-256-cbc', key, ZERO_IV);
  decipher.setAutoPadding(false);
  key.fill(0);
  return decipher;
}

/** The PKCS#7 pad length of a final plaintext block, or null when the padding is invalid. */
function padLength(lastBlock: Uint8Array): number | null {
  const n = lastBlock[lastBlock.length - 1] ?? 0;
  if (n < 1 || n > BLOCK || n > lastBlock.length) return null;
  for (let i = lastBlock.length - n; i < lastBlock.length; i++) {
    if (lastBlock[i] !== n) return null;
  }
  return n;
}

function badPadding(): BackupCryptoError {
  return corrupt(
    'The decrypted file has invalid PKCS#7 padding: the file is damaged or its key is wrong.',
  );
}

function checkCiphertextLength(length: number): void {
  if (length === 0)
    throw corrupt('The encrypted file is empty; it should hold at least one block.');
  if (length % BLOCK !== 0) {
    throw corrupt(
      `The encrypted file is ${length} bytes, not a multiple of 16: it is truncated or damaged.`,
    );
  }
}

function sizeMismatch(actual: number, expected: number): BackupCryptoError {
  return corrupt(
    `The decrypted file is ${actual} bytes but the backup records a size of ${expected}.`,
  );
}

/**
 * Decrypts an encrypted Manifest.db (iOS ≥ 10.2) with the 44-byte `Manifest.plist:ManifestKey`.
 * Returns the whole SQLite file; throws CORRUPT when the key does not unwrap or the result does
 * not start with the SQLite header. Open it with `new Database(patchWalHeader(result))`.
 */
export function decryptManifestDb(
  encrypted: Uint8Array,
  manifestKey: Uint8Array,
  classKeys: ClassKeys,
): Uint8Array {
  const key = unwrapBlobKey(manifestKey, null, classKeys, 'Manifest.db');
  if (encrypted.length === 0 || encrypted.length % BLOCK !== 0) {
    key.fill(0);
    throw corrupt(
      `The encrypted Manifest.db is ${encrypted.length} bytes, not a non-zero multiple of 16: it is truncated or damaged.`,
    );
  }
  const decipher = cbcDecipher(key);
  const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  if (!plain.subarray(0, BLOCK).equals(SQLITE_HEADER)) {
    throw corrupt(
      'The decrypted Manifest.db does not start with "SQLite format 3": the ManifestKey or the file is damaged, or they belong to different backups.',
    );
  }
  return plain;
}

/**
 * Decrypts one backup payload file held in memory (ios-backup.md §7 step 5).
 * `encryptionKey44` is the MBFile `EncryptionKey` data; `protectionClass` the MBFile
 * `ProtectionClass` (null to take the class from the key's prefix); `expectedSize` the MBFile
 * `Size` (null to skip the check). Throws CORRUPT on a bad length, padding or size.
 */
export function decryptFile(
  ciphertext: Uint8Array,
  encryptionKey44: Uint8Array,
  protectionClass: number | null,
  classKeys: ClassKeys,
  expectedSize: number | null,
): Uint8Array {
  const key = unwrapBlobKey(encryptionKey44, protectionClass, classKeys, 'file');
  try {
    checkCiphertextLength(ciphertext.length);
  } catch (error) {
    key.fill(0);
    throw error;
  }
  const decipher = cbcDecipher(key);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const pad = padLength(plain.subarray(plain.length - BLOCK));
  if (pad === null) throw badPadding();
  const size = plain.length - pad;
  if (expectedSize !== null && size !== expectedSize) throw sizeMismatch(size, expectedSize);
  return plain.subarray(0, size);
}

/**
 * Decrypts one backup payload file as a stream, yielding plaintext chunks; the file is never
 * held whole. Arguments as `decryptFile`. Padding is removed from the end only, so chunks are
 * yielded before the padding and size are validated: treat the output as failed if the
 * iteration throws (CORRUPT on a bad length, padding or size, as soon as it is detectable).
 */
export async function* decryptFileChunks(
  chunks: AsyncIterable<Uint8Array>,
  encryptionKey44: Uint8Array,
  protectionClass: number | null,
  classKeys: ClassKeys,
  expectedSize: number | null,
): AsyncGenerator<Uint8Array, void, undefined> {
  const decipher = cbcDecipher(unwrapBlobKey(encryptionKey44, protectionClass, classKeys, 'file'));
  // The last plaintext block is held back until the input ends, since only it carries padding.
  let held: Buffer = Buffer.alloc(0);
  let ciphertextBytes = 0;
  let emitted = 0;
  for await (const chunk of chunks) {
    ciphertextBytes += chunk.length;
    // PKCS#7 adds 1–16 bytes, so more than Size + 16 bytes of ciphertext is already wrong.
    if (expectedSize !== null && ciphertextBytes > expectedSize + BLOCK) {
      throw corrupt(
        `The encrypted file is longer than its recorded size of ${expectedSize} bytes allows.`,
      );
    }
    const out = decipher.update(chunk);
    if (out.length === 0) continue;
    const pending = held.length === 0 ? out : Buffer.concat([held, out]);
    const keep = pending.length - BLOCK;
    held = Buffer.from(pending.subarray(keep));
    if (keep > 0) {
      emitted += keep;
      yield pending.subarray(0, keep);
    }
  }
  checkCiphertextLength(ciphertextBytes);
  decipher.final();
  const pad = padLength(held);
  if (pad === null || held.length !== BLOCK) throw badPadding();
  const tail = held.subarray(0, BLOCK - pad);
  const size = emitted + tail.length;
  if (expectedSize !== null && size !== expectedSize) throw sizeMismatch(size, expectedSize);
  if (tail.length > 0) yield tail;
}

/**
 * Returns a copy of a SQLite file whose header bytes 18 and 19 (write and read version) are set
 * from 2 (WAL) to 1 (rollback journal), so better-sqlite3 can open it from a Buffer; other
 * bytes, and files without the SQLite header, are copied unchanged (ios-backup.md §7 step 4).
 */
export function patchWalHeader(db: Uint8Array): Uint8Array {
  const copy = Buffer.from(db);
  if (copy.length < 20 || !copy.subarray(0, BLOCK).equals(SQLITE_HEADER)) return copy;
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  return copy;
}

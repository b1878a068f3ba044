import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptFile, decryptFileChunks, decryptManifestDb, patchWalHeader } from './decrypt';
import { BackupCryptoError } from './errors';
import { createTestBackupKeys, encryptTestFile, encryptTestManifestDb } from './test-backup';

const keys = createTestBackupKeys({ password: 'pw', iterations: 1, dpic: 1 });

async function* chunked(data: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let i = 0;
  while (offset < data.length) {
    const size = sizes[i++ % sizes.length] ?? 16;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

function thrown(fn: () => unknown): BackupCryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BackupCryptoError);
    return error as BackupCryptoError;
  }
  throw new Error('expected a BackupCryptoError');
}

async function rejected(work: Promise<unknown>): Promise<BackupCryptoError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(BackupCryptoError);
    return error as BackupCryptoError;
  }
  throw new Error('expected a BackupCryptoError');
}

function sqliteBytes(): Buffer {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER)');
  db.prepare('INSERT INTO t VALUES (?)').run(42);
  const bytes = db.serialize();
  db.close();
  return bytes;
}

describe('decryptFile', () => {
  it('decrypts files of every length around the block size', () => {
    for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 1000]) {
      const plain = randomBytes(length);
      const f = encryptTestFile(plain, keys, 1 + (length % 4));
      expect(f.ciphertext.length).toBe(16 * Math.floor(length / 16) + 16);
      const out = decryptFile(
        f.ciphertext,
        f.encryptionKey,
        f.protectionClass,
        keys.classKeys,
        f.size,
      );
      expect(Buffer.from(out).equals(plain)).toBe(true);
      // The class can also come from the key blob's prefix.
      expect(
        Buffer.from(decryptFile(f.ciphertext, f.encryptionKey, null, keys.classKeys, null)).equals(
          plain,
        ),
      ).toBe(true);
    }
  });

  it('falls back to the key prefix when the recorded class does not unwrap', () => {
    const f = encryptTestFile(Buffer.from('hello'), keys, 3);
    const out = decryptFile(f.ciphertext, f.encryptionKey, 1, keys.classKeys, 5);
    expect(Buffer.from(out).toString()).toBe('hello');
  });

  it('refuses ciphertext that is not a multiple of 16, or empty', () => {
    const f = encryptTestFile(randomBytes(40), keys);
    const e = thrown(() =>
      decryptFile(f.ciphertext.subarray(0, 40), f.encryptionKey, 3, keys.classKeys, 40),
    );
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(/40 bytes, not a multiple of 16/);
    expect(
      thrown(() => decryptFile(new Uint8Array(0), f.encryptionKey, 3, keys.classKeys, 0)).message,
    ).toMatch(/empty/);
  });

  it('refuses a size different from the recorded Size', () => {
    const f = encryptTestFile(randomBytes(20), keys);
    const e = thrown(() => decryptFile(f.ciphertext, f.encryptionKey, 3, keys.classKeys, 21));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(/is 20 bytes but the backup records a size of 21/);
  });

  it('refuses invalid padding', () => {
    // Dropping the padding block leaves plaintext ending in a 0 byte, which is never padding.
    const plain = randomBytes(32);
    plain[31] = 0;
    const f = encryptTestFile(plain, keys);
    const e = thrown(() =>
      decryptFile(f.ciphertext.subarray(0, 32), f.encryptionKey, 3, keys.classKeys, null),
    );
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(/padding/);
  });

  it('refuses a damaged key blob, a wrong-length blob and a missing class key', () => {
    const f = encryptTestFile(randomBytes(20), keys);
    const blob = Buffer.from(f.encryptionKey);
    blob[20]! ^= 1;
    expect(thrown(() => decryptFile(f.ciphertext, blob, 3, keys.classKeys, 20)).message).toMatch(
      /does not unwrap with the key of protection class 3/,
    );
    expect(
      thrown(() => decryptFile(f.ciphertext, blob.subarray(0, 40), 3, keys.classKeys, 20)).message,
    ).toMatch(/40 bytes; expected 44/);
    const fewer = new Map([...keys.classKeys].filter(([cls]) => cls !== 3));
    expect(thrown(() => decryptFile(f.ciphertext, f.encryptionKey, 3, fewer, 20)).message).toMatch(
      /No key was unlocked for protection class 3/,
    );
  });
});

describe('decryptFileChunks', () => {
  it('matches decryptFile for any chunking', async () => {
    const plain = randomBytes(5000);
    const f = encryptTestFile(plain, keys, 2);
    for (const sizes of [[1], [7, 9, 33], [16], [4096], [100_000]]) {
      const out = await collect(
        decryptFileChunks(chunked(f.ciphertext, sizes), f.encryptionKey, 2, keys.classKeys, f.size),
      );
      expect(out.equals(plain)).toBe(true);
    }
  });

  it('yields nothing for an empty plaintext', async () => {
    const f = encryptTestFile(new Uint8Array(0), keys);
    const parts: Uint8Array[] = [];
    for await (const c of decryptFileChunks(
      chunked(f.ciphertext, [16]),
      f.encryptionKey,
      3,
      keys.classKeys,
      0,
    )) {
      parts.push(c);
    }
    expect(parts).toEqual([]);
  });

  it('refuses truncated, empty, over-long, badly padded and wrongly sized input', async () => {
    const plain = randomBytes(100);
    plain[95] = 0;
    const f = encryptTestFile(plain, keys);
    const run = (data: Uint8Array, size: number | null) =>
      collect(decryptFileChunks(chunked(data, [32]), f.encryptionKey, 3, keys.classKeys, size));
    expect((await rejected(run(f.ciphertext.subarray(0, 105), null))).message).toMatch(
      /not a multiple of 16/,
    );
    expect((await rejected(run(new Uint8Array(0), null))).message).toMatch(/empty/);
    expect((await rejected(run(f.ciphertext, 50))).message).toMatch(
      /longer than its recorded size of 50/,
    );
    expect((await rejected(run(f.ciphertext, 101))).message).toMatch(
      /is 100 bytes but the backup records a size of 101/,
    );
    expect((await rejected(run(f.ciphertext.subarray(0, 96), null))).message).toMatch(/padding/);
  });

  it('fails on the first read when the key does not unwrap', async () => {
    const f = encryptTestFile(randomBytes(100), keys);
    const blob = Buffer.from(f.encryptionKey);
    blob[30]! ^= 1;
    const e = await rejected(
      collect(decryptFileChunks(chunked(f.ciphertext, [32]), blob, 3, keys.classKeys, 100)),
    );
    expect(e.code).toBe('CORRUPT');
  });
});

describe('decryptManifestDb', () => {
  it('decrypts a page-aligned database', () => {
    const plain = sqliteBytes();
    const out = decryptManifestDb(
      encryptTestManifestDb(plain, keys),
      keys.manifestKey,
      keys.classKeys,
    );
    expect(Buffer.from(out).equals(plain)).toBe(true);
  });

  it('refuses output without the SQLite header', () => {
    const notSqlite = randomBytes(4096);
    const e = thrown(() =>
      decryptManifestDb(encryptTestManifestDb(notSqlite, keys), keys.manifestKey, keys.classKeys),
    );
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(/does not start with "SQLite format 3"/);
  });

  it('refuses a ManifestKey of another backup and a bad length', () => {
    const other = createTestBackupKeys({ password: 'pw', iterations: 1, dpic: 1 });
    const encrypted = encryptTestManifestDb(sqliteBytes(), keys);
    expect(
      thrown(() => decryptManifestDb(encrypted, other.manifestKey, keys.classKeys)).message,
    ).toMatch(/Manifest.db key does not unwrap/);
    expect(
      thrown(() => decryptManifestDb(encrypted.subarray(0, 100), keys.manifestKey, keys.classKeys))
        .message,
    ).toMatch(/100 bytes, not a non-zero multiple of 16/);
  });
});

describe('patchWalHeader', () => {
  it('turns a WAL-mode header into a rollback one so better-sqlite3 opens the buffer', () => {
    const wal = sqliteBytes();
    wal[18] = 2;
    wal[19] = 2;
    expect(() => new Database(wal).prepare('SELECT x FROM t').get()).toThrow();
    const patched = patchWalHeader(wal);
    expect(wal[18]).toBe(2);
    expect([patched[18], patched[19]]).toEqual([1, 1]);
    const db = new Database(Buffer.from(patched));
    try {
      expect(db.prepare('SELECT x FROM t').get()).toEqual({ x: 42 });
    } finally {
      db.close();
    }
  });

  it('copies other input unchanged', () => {
    const plain = sqliteBytes();
    const copy = patchWalHeader(plain);
    expect(copy).not.toBe(plain);
    expect(Buffer.from(copy).equals(plain)).toBe(true);
    const other = Buffer.alloc(32, 2);
    expect(Buffer.from(patchWalHeader(other)).equals(other)).toBe(true);
  });
});

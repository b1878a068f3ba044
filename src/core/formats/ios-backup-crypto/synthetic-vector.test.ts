import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { aesKeyUnwrap } from './aes-kw';
import { decryptFile, decryptManifestDb, patchWalHeader } from './decrypt';
import { deriveKek, deriveKeyStages } from './derive';
import { BackupCryptoError } from './errors';
import { buildKeybag, parseKeybag } from './keybag';
import { SYNTHETIC_VECTOR as V, syntheticKeybag } from './reference-vectors';
import { unlockClassKeys, unlockKeybag } from './unlock';

// ios-backup.md §9.1, step by step: password "0000", DPIC 10,000,000 (about 2 s of PBKDF2).

const hex = (s: string) => Buffer.from(s, 'hex');
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const zeroKey = '00'.repeat(32);

function classKeysFromKek(): Map<number, Uint8Array> {
  return unlockClassKeys(parseKeybag(buildKeybag(syntheticKeybag())), hex(V.kek));
}

describe('§9.1 synthetic vector: derivation (10,000,000 rounds)', () => {
  it('derives r1 and the KEK of password "0000", reporting progress to 1', async () => {
    const kb = parseKeybag(buildKeybag(syntheticKeybag()));
    const seen: number[] = [];
    const { round1, kek } = await deriveKeyStages(V.password, kb, (f) => seen.push(f));
    expect(toHex(round1)).toBe(V.round1);
    expect(toHex(kek)).toBe(V.kek);
    expect(seen.at(-1)).toBe(1);
    expect(seen.some((f) => f > 0 && f < 1)).toBe(true);
  });

  it('"0001" fails with WRONG_PASSWORD', async () => {
    const kb = parseKeybag(buildKeybag(syntheticKeybag()));
    const kek = await deriveKek('0001', kb);
    let caught: unknown;
    try {
      unlockClassKeys(kb, kek);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BackupCryptoError);
    expect(caught).toMatchObject({
      code: 'WRONG_PASSWORD',
      message: 'The backup password is wrong.',
    });
  });
});

describe('§9.1 synthetic vector: keys (from the published KEK)', () => {
  it('unwraps every class key to 32 zero bytes', () => {
    const kb = parseKeybag(buildKeybag(syntheticKeybag()));
    const { classKeys, skipped, curve25519Classes } = unlockKeybag(kb, hex(V.kek));
    expect([...classKeys.keys()].sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    for (const key of classKeys.values()) expect(toHex(key)).toBe(zeroKey);
    expect(skipped).toEqual([]);
    expect(curve25519Classes).toEqual([]);
  });

  it('a flipped WPKY bit fails the integrity check', () => {
    const wpky = hex(V.wpky);
    wpky[17]! ^= 0x04;
    expect(aesKeyUnwrap(hex(V.kek), wpky)).toBeNull();
  });

  it('unwraps the ManifestKey (class 2) to 32 zero bytes', () => {
    const manifestKey = hex(V.manifestKey);
    expect(manifestKey.readUInt32LE(0)).toBe(2);
    const classKey = classKeysFromKek().get(2);
    expect(classKey).toBeDefined();
    expect(toHex(aesKeyUnwrap(classKey!, manifestKey.subarray(4)) ?? new Uint8Array())).toBe(
      zeroKey,
    );
  });

  it('decrypts the file ciphertext to "Test data" (Size 9, class from the key prefix)', () => {
    const plain = decryptFile(
      hex(V.fileCiphertext),
      hex(V.manifestKey),
      null,
      classKeysFromKek(),
      V.fileSize,
    );
    expect(Buffer.from(plain).toString('latin1')).toBe('Test data');
  });
});

const dir = sharedFixtures('ios-backup');

describe.skipIf(dir === null)('§9.1 synthetic vector: the encrypted Manifest.db fixture', () => {
  let encrypted: Buffer;
  beforeAll(() => {
    // Read in place from shared/fixtures; never copied into the repository.
    encrypted = readFileSync(join(dir!, V.fixtureFile));
  });

  it('is the documented file', () => {
    expect(encrypted.length).toBe(8192);
    expect(createHash('sha256').update(encrypted).digest('hex')).toBe(V.fixtureSha256);
    expect(toHex(encrypted.subarray(0, 16))).toBe(V.ciphertextHead);
  });

  it('decrypts to SQLite and holds the one Files row', () => {
    const plain = decryptManifestDb(encrypted, hex(V.manifestKey), classKeysFromKek());
    expect(plain.length).toBe(8192);
    expect(Buffer.from(plain.subarray(0, 16)).toString('latin1')).toBe('SQLite format 3\0');
    const db = new Database(Buffer.from(patchWalHeader(plain)));
    try {
      const schema = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table'").all() as {
        sql: string;
      }[];
      expect(schema.map((r) => r.sql)).toEqual([
        'CREATE TABLE Files (fileID text, domain text, relativePath text, flags integer, file blob)',
      ]);
      const rows = db.prepare('SELECT fileID, domain, relativePath, flags FROM Files').all();
      expect(rows).toEqual([
        { fileID: V.fileId, domain: 'MyTestDomain', relativePath: 'Media/Test.txt', flags: 0 },
      ]);
      expect(createHash('sha1').update('MyTestDomain-Media/Test.txt').digest('hex')).toBe(V.fileId);
    } finally {
      db.close();
    }
  });
});

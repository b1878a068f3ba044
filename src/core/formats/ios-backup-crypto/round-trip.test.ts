import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptFile, decryptFileChunks, decryptManifestDb, patchWalHeader } from './decrypt';
import { deriveKek } from './derive';
import { BackupCryptoError } from './errors';
import { parseKeybag } from './keybag';
import { createTestBackupKeys, encryptTestFile, encryptTestManifestDb } from './test-backup';
import { unlockClassKeys } from './unlock';

// The whole path on a synthetic backup with low iteration counts: keybag bytes → KEK → class
// keys → Manifest.db → a query → a payload file through the chunked decryptor.

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function manifestDb(): Buffer {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)',
  );
  const insert = db.prepare('INSERT INTO Files VALUES (?, ?, ?, ?, ?)');
  for (const [domain, path] of [
    ['HomeDomain', 'Library/TCC/TCC.db'],
    ['RootDomain', 'Library/Caches/locationd/clients.plist'],
    ['WirelessDomain', 'Library/Databases/DataUsage.sqlite'],
  ] as const) {
    const fileID = createHash('sha1').update(`${domain}-${path}`).digest('hex');
    insert.run(fileID, domain, path, 1, Buffer.alloc(0));
  }
  const bytes = db.serialize();
  db.close();
  return bytes;
}

async function* inChunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size)
    yield data.subarray(offset, offset + size);
}

for (const [label, dpic] of [
  ['iOS ≥ 10.2 keybag (VERS 5, DPSL/DPIC)', 50],
  ['pre-10.2 keybag (VERS 3, SHA-1 only)', null],
] as const) {
  describe(`round trip: ${label}`, () => {
    const password = 'correct horse ☂';
    const keys = createTestBackupKeys({ password, iterations: 20, dpic, curve25519Classes: [2] });

    it('unlocks with the password and decrypts Manifest.db to a queryable database', async () => {
      const kb = parseKeybag(keys.keybagBytes);
      expect(kb.version).toBe(dpic === null ? 3 : 5);
      expect(kb.dpic).toBe(dpic ?? undefined);
      const classKeys = unlockClassKeys(kb, await deriveKek(password, kb));

      const plain = manifestDb();
      const encrypted = encryptTestManifestDb(plain, keys);
      expect(encrypted.subarray(0, 16)).not.toEqual(plain.subarray(0, 16));
      const decrypted = decryptManifestDb(encrypted, keys.manifestKey, classKeys);
      const db = new Database(Buffer.from(patchWalHeader(decrypted)));
      try {
        const row = db
          .prepare('SELECT fileID, relativePath FROM Files WHERE domain = ?')
          .get('HomeDomain') as { fileID: string; relativePath: string };
        expect(row).toEqual({
          fileID: '64d0019cb3d46bfc8cce545a8ba54b93e7ea9347',
          relativePath: 'Library/TCC/TCC.db',
        });
        expect(db.prepare('SELECT COUNT(*) AS n FROM Files').get()).toEqual({ n: 3 });
      } finally {
        db.close();
      }
    });

    it('decrypts a 3 MB file through the chunked path, and in one piece', async () => {
      const classKeys = unlockClassKeys(keys.keybag, await deriveKek(password, keys.keybag));
      const plain = randomBytes(3 * 1024 * 1024 + 5);
      // Class 2 is a Curve25519 class in this keybag; its file keys are still RFC 3394-wrapped.
      const file = encryptTestFile(plain, keys, 2);
      let pieces = 0;
      let largest = 0;
      const hash = createHash('sha256');
      for await (const piece of decryptFileChunks(
        inChunks(file.ciphertext, 1024 * 1024),
        file.encryptionKey,
        file.protectionClass,
        classKeys,
        file.size,
      )) {
        pieces++;
        largest = Math.max(largest, piece.length);
        hash.update(piece);
      }
      expect(hash.digest('hex')).toBe(sha256(plain));
      expect(pieces).toBeGreaterThan(3);
      expect(largest).toBeLessThanOrEqual(1024 * 1024 + 16);
      const whole = decryptFile(file.ciphertext, file.encryptionKey, null, classKeys, file.size);
      expect(sha256(whole)).toBe(sha256(plain));
    });

    it('refuses a wrong password', async () => {
      const kek = await deriveKek('Correct horse ☂', keys.keybag);
      expect(() => unlockClassKeys(keys.keybag, kek)).toThrow(BackupCryptoError);
      expect(() => unlockClassKeys(keys.keybag, kek)).toThrow('The backup password is wrong.');
    });
  });
}

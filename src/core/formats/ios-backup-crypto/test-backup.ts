import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { aesKeyWrap } from './aes-kw';
import type { Keybag, KeybagClass } from './keybag';
import { buildKeybag, KEY_TYPE_AES, KEY_TYPE_CURVE25519, WRAP_PASSCODE } from './keybag';

// A test helper: the key material of a synthetic encrypted backup, with iteration counts low
// enough for unit tests. It follows ios-backup.md §7 in the encrypting direction, so tests of the
// whole path (keybag → KEK → class keys → Manifest.db and files) run in milliseconds.

/** How to build a synthetic encrypted-backup key set. */
export interface TestBackupOptions {
  password: string;
  /** Class keys to wrap into the keybag; default: random 32-byte keys for classes 1–11. */
  classKeys?: ReadonlyMap<number, Uint8Array>;
  /** PBKDF2-HMAC-SHA1 iterations (ITER); default 10. */
  iterations?: number;
  /** PBKDF2-HMAC-SHA256 iterations (DPIC); default 10; null builds a pre-10.2 keybag (VERS 3, no DPSL/DPIC). */
  dpic?: number | null;
  /** The protection class of the Manifest.db key; default 3. */
  manifestClass?: number;
  /** Classes to mark as Curve25519 (KTYP 1, with a random PBKY); still password-wrapped. */
  curve25519Classes?: readonly number[];
  /** Classes wrapped with the device key only (WRAP 1, no password bit, no usable WPKY). */
  deviceOnlyClasses?: readonly number[];
}

/** The key material of a synthetic encrypted backup. */
export interface TestBackupKeys {
  password: string;
  keybag: Keybag;
  /** The TLV bytes that would sit in `Manifest.plist:BackupKeyBag`. */
  keybagBytes: Uint8Array;
  /** Protection class → class key, as unlocking should return it. */
  classKeys: Map<number, Uint8Array>;
  /** The key-encryption key the password derives to. */
  kek: Uint8Array;
  /** `Manifest.plist:ManifestKey`: u32le class + the wrapped Manifest.db key (44 bytes). */
  manifestKey: Uint8Array;
  /** The plain Manifest.db key. */
  manifestDbKey: Uint8Array;
}

/** One encrypted payload file and the MBFile fields that describe it. */
export interface TestEncryptedFile {
  ciphertext: Uint8Array;
  /** The 44-byte MBFile `EncryptionKey`. */
  encryptionKey: Uint8Array;
  protectionClass: number;
  /** The MBFile `Size`: plaintext bytes. */
  size: number;
}

function keyBlob(protectionClass: number, classKey: Uint8Array, key: Uint8Array): Uint8Array {
  const blob = Buffer.alloc(44);
  blob.writeUInt32LE(protectionClass, 0);
  Buffer.from(aesKeyWrap(classKey, key)).copy(blob, 4);
  return blob;
}

function cbcEncrypt(key: Uint8Array, plain: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

/** Builds the keybag, KEK, class keys and ManifestKey of a synthetic encrypted backup. */
export function createTestBackupKeys(options: TestBackupOptions): TestBackupKeys {
  const iterations = options.iterations ?? 10;
  const dpic = options.dpic === undefined ? 10 : options.dpic;
  const manifestClass = options.manifestClass ?? 3;
  const curve = new Set(options.curve25519Classes ?? []);
  const deviceOnly = new Set(options.deviceOnlyClasses ?? []);
  const classKeys = new Map<number, Uint8Array>();
  if (options.classKeys) {
    for (const [cls, key] of options.classKeys) classKeys.set(cls, Buffer.from(key));
  } else {
    for (let cls = 1; cls <= 11; cls++) classKeys.set(cls, randomBytes(32));
  }

  const salt = randomBytes(20);
  const dpsl = randomBytes(20);
  const passwordBytes = Buffer.from(options.password, 'utf8');
  const round1 =
    dpic === null ? passwordBytes : pbkdf2Sync(passwordBytes, dpsl, dpic, 32, 'sha256');
  const kek = pbkdf2Sync(round1, salt, iterations, 32, 'sha1');

  const classes: KeybagClass[] = [];
  for (const [protectionClass, key] of classKeys) {
    const isCurve = curve.has(protectionClass);
    const record: KeybagClass = {
      uuid: randomBytes(16),
      protectionClass,
      wrap: deviceOnly.has(protectionClass) ? 1 : WRAP_PASSCODE,
      keyType: isCurve ? KEY_TYPE_CURVE25519 : KEY_TYPE_AES,
      // A device-only class is wrapped with a key the backup does not have: random here.
      wpky: aesKeyWrap(deviceOnly.has(protectionClass) ? randomBytes(32) : kek, key),
    };
    if (isCurve) record.pbky = randomBytes(32);
    classes.push(record);
  }
  const keybag: Keybag = {
    version: dpic === null ? 3 : 5,
    type: 1,
    uuid: randomBytes(16),
    hmck: randomBytes(40),
    wrap: 0,
    salt,
    iterations,
    classes,
  };
  if (dpic !== null) {
    keybag.dpwt = 1;
    keybag.dpic = dpic;
    keybag.dpsl = dpsl;
  }

  const manifestClassKey = classKeys.get(manifestClass);
  if (manifestClassKey === undefined) {
    throw new Error(`No class key for the Manifest.db class ${manifestClass}.`);
  }
  const manifestDbKey = randomBytes(32);
  return {
    password: options.password,
    keybag,
    keybagBytes: buildKeybag(keybag),
    classKeys,
    kek,
    manifestKey: keyBlob(manifestClass, manifestClassKey, manifestDbKey),
    manifestDbKey,
  };
}

/** Encrypts a plain Manifest.db as iOS does: AES-256-CBC, zero IV, no padding (page-aligned). */
export function encryptTestManifestDb(plain: Uint8Array, keys: TestBackupKeys): Uint8Array {
  if (plain.length % 16 !== 0) {
    throw new RangeError(
      `A Manifest.db is page-aligned; ${plain.length} bytes is not a multiple of 16.`,
    );
  }
  return cbcEncrypt(keys.manifestDbKey, plain);
}

/** Encrypts a payload file with a fresh key: AES-256-CBC, zero IV, PKCS#7 padding. */
export function encryptTestFile(
  plain: Uint8Array,
  keys: TestBackupKeys,
  protectionClass = 3,
): TestEncryptedFile {
  const classKey = keys.classKeys.get(protectionClass);
  if (classKey === undefined)
    throw new Error(`No class key for protection class ${protectionClass}.`);
  const fileKey = randomBytes(32);
  const pad = 16 - (plain.length % 16);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  return {
    ciphertext: cbcEncrypt(fileKey, padded),
    encryptionKey: keyBlob(protectionClass, classKey, fileKey),
    protectionClass,
    size: plain.length,
  };
}

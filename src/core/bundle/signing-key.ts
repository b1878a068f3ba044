import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The folder the desktop app keeps per-user state in (the same place on the command line). */
export function defaultUserDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (env.SNOOPSCOPE_USER_DATA) return env.SNOOPSCOPE_USER_DATA;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Snoopscope');
  if (platform === 'win32')
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Snoopscope');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Snoopscope');
}

/** The file name of the installation's private key inside the user-data folder. */
export const SIGNING_KEY_FILE = 'signing-key.pem';

/**
 * The DER of every Ed25519 SubjectPublicKeyInfo up to the key (RFC 8410 section 4):
 * SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) { 0 unused bits, key } }.
 */
export const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_SPKI_LENGTH = ED25519_SPKI_PREFIX.length + 32;

/** True when `der` is exactly an Ed25519 SubjectPublicKeyInfo: the fixed prefix and 32 bytes. */
export function isEd25519Spki(der: Uint8Array): boolean {
  return (
    der.length === ED25519_SPKI_LENGTH &&
    Buffer.from(der.subarray(0, ED25519_SPKI_PREFIX.length)).equals(ED25519_SPKI_PREFIX)
  );
}

/** A raw 32-byte Ed25519 public key's fingerprint: its SHA-256 as hex in groups of four. */
export function fingerprintOfRawKey(raw: Uint8Array): string {
  return (createHash('sha256').update(raw).digest('hex').match(/.{4}/g) ?? []).join(' ');
}

/**
 * The SHA-256 of the raw 32-byte Ed25519 public key, as hex in groups of four.
 * Throws for any other key: the fingerprint names Ed25519 keys only.
 */
export function fingerprint(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  if (publicKey.asymmetricKeyType !== 'ed25519' || !isEd25519Spki(der))
    throw new Error(
      `A fingerprint is taken of Ed25519 keys only, not of ${keyTypeName(publicKey.asymmetricKeyType)}.`,
    );
  return fingerprintOfRawKey(der.subarray(ED25519_SPKI_PREFIX.length));
}

/** Normalises a fingerprint as typed (spaces, colons, case) for comparison. */
export function normaliseFingerprint(text: string): string {
  return text.toLowerCase().replace(/[^0-9a-f]/g, '');
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  fingerprint: string;
  /** The key file, when the key lives in one. */
  file?: string;
  /** True when this call created the key file (the first export of the installation). */
  created?: boolean;
}

/**
 * This installation's Ed25519 signing key: created on first use in the user-data folder
 * (`signing-key.pem`, owner-only), then reused for every bundle. `created` tells the caller
 * to announce a new key, which the examiner must back up and whose fingerprint they publish.
 */
export function installationKey(userDataDir: string = defaultUserDataDir()): SigningKey {
  const file = join(userDataDir, SIGNING_KEY_FILE);
  let privateKey: KeyObject | null = null;
  let created = false;
  if (!existsSync(file)) {
    mkdirSync(userDataDir, { recursive: true, mode: 0o700 });
    const fresh = generateKeyPairSync('ed25519').privateKey;
    try {
      writeFileSync(file, fresh.export({ format: 'pem', type: 'pkcs8' }), {
        mode: 0o600,
        flag: 'wx',
      });
      privateKey = fresh;
      created = true;
    } catch (e) {
      // Another export created the key at the same moment: use that one.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  privateKey ??= readPrivateKey(file);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: fingerprint(publicKey),
    file,
    created,
  };
}

function readPrivateKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (e) {
    throw new Error(`${file} cannot be read as a private key: ${(e as Error).message}`, {
      cause: e,
    });
  }
  // A key of another type would sign bundles that every verify refuses.
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `${file} holds ${keyTypeName(key.asymmetricKeyType)}; Snoopscope signs with Ed25519 keys only.`,
    );
  return key;
}

/** The one line that announces a newly created key: where it is, its fingerprint, what to do. */
export function keyCreatedMessage(key: Pick<SigningKey, 'file' | 'fingerprint'>): string {
  return (
    `Created this installation's signing key ${key.file ?? ''} with fingerprint ${key.fingerprint}: ` +
    'back the file up (a lost key cannot be recovered) and publish the fingerprint so readers can check bundles with verify --fingerprint.'
  );
}

export function signBytes(key: SigningKey, data: Uint8Array): string {
  return sign(null, data, key.privateKey).toString('base64');
}

/** Checks an Ed25519 signature (base64) of `data` with a key `readSignerKey` accepted. */
export function verifyBytes(publicKey: KeyObject, data: Uint8Array, signature: string): boolean {
  if (publicKey.asymmetricKeyType !== 'ed25519') return false;
  try {
    return verify(null, data, publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A signer key as a bundle carries it, once checked. */
export type SignerKey =
  | { ok: true; publicKey: KeyObject; raw: Buffer; fingerprint: string }
  | { ok: false; reason: string };

const PEM_BLOCK = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^(?:[A-Za-z0-9+/]+\r?\n)*[A-Za-z0-9+/]+={0,2}\r?\n$/;

/**
 * Reads `signer.pub.pem` as Snoopscope writes it and accepts nothing else: exactly one
 * `PUBLIC KEY` block (no private key, certificate or second block, no text around it) whose DER
 * is an Ed25519 SubjectPublicKeyInfo byte for byte. Any other key type is refused by name before
 * its bytes are used, and so is any other encoding of an Ed25519 key.
 */
export function readSignerKey(pem: string, name = 'signer.pub.pem'): SignerKey {
  const fail = (reason: string): SignerKey => ({ ok: false, reason });
  const begins = [...pem.matchAll(/-----BEGIN ([^-\r\n]*)-----/g)].map((m) => m[1]!);
  if (begins.length === 0) return fail(`${name} holds no PEM block, so no public key.`);
  if (begins.length > 1)
    return fail(
      `${name} holds ${begins.length} PEM blocks (${begins.join(', ')}); a bundle carries exactly one public key.`,
    );
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length !== 1) return fail(`${name} is not valid PEM: its block has no END line.`);
  const label = begins[0]!;
  if (/PRIVATE KEY/.test(label))
    return fail(
      `${name} holds a private key, not a public key; a bundle carries the public key only.`,
    );
  if (/CERTIFICATE/.test(label))
    return fail(`${name} holds a certificate; a bundle carries a bare Ed25519 public key only.`);
  if (label !== 'PUBLIC KEY') return fail(`${name} holds a "${label}" block, not a PUBLIC KEY.`);
  const block = blocks[0]!;
  const outside = pem.slice(0, block.index) + pem.slice(block.index + block[0].length);
  if (outside.trim() !== '')
    return fail(
      `${name} holds text outside its PUBLIC KEY block; a bundle's key file holds the key only.`,
    );
  const body = block[2]!;
  if (!BASE64_BODY.test(body)) return fail(`${name} is not valid PEM: its body is not base64.`);
  const der = Buffer.from(body.replace(/\s/g, ''), 'base64');
  if (der.toString('base64') !== body.replace(/\s/g, ''))
    return fail(`${name} is not valid PEM: its base64 is not canonical.`);
  // The type first, so that no byte of a key of another type is ever used.
  const type = spkiKeyType(der);
  if (type !== 'ed25519')
    return fail(
      `${name} holds ${keyTypeName(type)}; Snoopscope bundles are signed with Ed25519 only.`,
    );
  if (!isEd25519Spki(der))
    return fail(
      `${name} holds an Ed25519 key in a non-standard encoding (${der.length} bytes of DER, not the 44-byte form); Snoopscope bundles carry the standard form only.`,
    );
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return fail(`${name} holds an Ed25519 key that cannot be loaded.`);
  }
  if (publicKey.asymmetricKeyType !== 'ed25519')
    return fail(
      `${name} holds ${keyTypeName(publicKey.asymmetricKeyType)}; Snoopscope bundles are signed with Ed25519 only.`,
    );
  const raw = der.subarray(ED25519_SPKI_PREFIX.length);
  // The fingerprint is the SHA-256 of the raw 32-byte key, as it has been since the first
  // bundle, so published fingerprints stay valid. That is safe only because the key type and
  // its whole encoding were checked above: before, the last 32 bytes of any key's DER were
  // hashed, and an RSA exponent or an explicit EC point could be made to end in the examiner's.
  return { ok: true, publicKey, raw, fingerprint: fingerprintOfRawKey(raw) };
}

// Algorithm identifiers of SubjectPublicKeyInfo (RFC 3279, RFC 5480, RFC 8410), as DER bytes of
// the OID, for naming a key Node cannot or should not load.
const KEY_OIDS: Record<string, string> = {
  '2a864886f70d010101': 'rsa',
  '2a864886f70d01010a': 'rsa-pss',
  '2a8648ce380401': 'dsa',
  '2a8648ce3d0201': 'ec',
  '2b656e': 'x25519',
  '2b656f': 'x448',
  '2b6570': 'ed25519',
  '2b6571': 'ed448',
  '2a864886f70d010301': 'dh',
};

// The key type an SPKI names in its algorithm identifier, read without loading the key:
// SEQUENCE { SEQUENCE { OBJECT IDENTIFIER, ... }, BIT STRING }.
function spkiKeyType(der: Buffer): string | undefined {
  const inner = derHeader(der, 0, 0x30);
  if (inner === null) return undefined;
  const algorithm = derHeader(der, inner.start, 0x30);
  if (algorithm === null) return undefined;
  const oid = derHeader(der, algorithm.start, 0x06);
  if (oid === null || oid.start + oid.length > der.length) return undefined;
  const hex = der.subarray(oid.start, oid.start + oid.length).toString('hex');
  return KEY_OIDS[hex] ?? `oid:${hex}`;
}

function derHeader(der: Buffer, at: number, tag: number): { start: number; length: number } | null {
  if (at + 2 > der.length || der[at] !== tag) return null;
  const first = der[at + 1]!;
  if (first < 0x80) return { start: at + 2, length: first };
  const n = first & 0x7f;
  if (n === 0 || n > 3 || at + 2 + n > der.length) return null;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[at + 2 + i]!;
  return { start: at + 2 + n, length };
}

/** A key type in words, with its article ("an RSA key"). */
export function keyTypeName(type: string | undefined): string {
  switch (type) {
    case 'rsa':
      return 'an RSA key';
    case 'rsa-pss':
      return 'an RSA-PSS key';
    case 'dsa':
      return 'a DSA key';
    case 'ec':
      return 'an EC (elliptic-curve) key';
    case 'x25519':
      return 'an X25519 key';
    case 'x448':
      return 'an X448 key';
    case 'ed25519':
      return 'an Ed25519 key';
    case 'ed448':
      return 'an Ed448 key';
    case 'dh':
      return 'a Diffie-Hellman key';
    case undefined:
      return 'no recognisable key';
    default:
      return type.startsWith('oid:')
        ? `a key of unknown type (algorithm ${type.slice(4)})`
        : `a ${type} key`;
  }
}

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

/** The SHA-256 of the raw 32-byte Ed25519 public key, as hex in groups of four. */
export function fingerprint(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return (createHash('sha256').update(raw).digest('hex').match(/.{4}/g) ?? []).join(' ');
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
}

/**
 * This installation's Ed25519 signing key: created on first use in the user-data folder
 * (`signing-key.pem`, owner-only), then reused for every bundle.
 */
export function installationKey(userDataDir: string = defaultUserDataDir()): SigningKey {
  const file = join(userDataDir, 'signing-key.pem');
  let privateKey: KeyObject;
  if (existsSync(file)) {
    privateKey = createPrivateKey(readFileSync(file));
  } else {
    mkdirSync(userDataDir, { recursive: true, mode: 0o700 });
    privateKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), {
      mode: 0o600,
      flag: 'wx',
    });
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: fingerprint(publicKey),
  };
}

export function signBytes(key: SigningKey, data: Uint8Array): string {
  return sign(null, data, key.privateKey).toString('base64');
}

export function verifyBytes(publicPem: string, data: Uint8Array, signature: string): boolean {
  try {
    return verify(null, data, createPublicKey(publicPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

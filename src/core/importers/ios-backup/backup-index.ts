// What the backup container and the device import share: opening the backup's index (decrypting
// it with the password or with keys unlocked earlier) and the list of the phone's apps.
import {
  BackupCryptoError,
  type ClassKeys,
  decryptManifestDb,
  deriveKek,
  parseKeybag,
  unlockClassKeys,
} from '../../formats/ios-backup-crypto';
import { asArray, asData, asDict, asString, parsePlist } from '../../formats/plist';
import type { PlistDict } from '../../formats/plist/types';
import { AppError } from '../../model/errors';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';
import type { BackupInfo } from './discover';
import { indexUnreadable, ManifestError, openManifest, type BackupManifest } from './manifest';

export interface AppFacts {
  name: string | null;
  version: string | null;
}

/** App names and versions from Info.plist (App Store metadata), Manifest.plist and the app domains. */
export function collectApps(
  info: PlistDict | null,
  manifest: PlistDict | null,
  domains: string[],
): Map<string, AppFacts> {
  const apps = new Map<string, AppFacts>();
  const get = (id: string): AppFacts => {
    let a = apps.get(id);
    if (!a) {
      a = { name: null, version: null };
      apps.set(id, a);
    }
    return a;
  };
  for (const [id, value] of Object.entries(asDict(info?.Applications) ?? {})) {
    const a = get(id);
    const meta = asData(asDict(value)?.iTunesMetadata);
    if (!meta) continue;
    try {
      const m = asDict(parsePlist(meta));
      a.name = asString(m?.itemName) ?? a.name;
      a.version = asString(m?.bundleShortVersionString) ?? a.version;
    } catch {
      // Metadata that does not parse leaves the app known by its identifier only.
    }
  }
  for (const v of asArray(info?.['Installed Applications']) ?? []) {
    const id = asString(v);
    if (id) get(id);
  }
  for (const [id, value] of Object.entries(asDict(manifest?.Applications) ?? {})) {
    const a = get(id);
    a.version ??=
      asString(asDict(value)?.CFBundleShortVersionString) ??
      asString(asDict(value)?.CFBundleVersion);
  }
  for (const id of domains) get(id);
  return apps;
}

export interface OpenedIndex {
  index: BackupManifest;
  classKeys: ClassKeys | null;
}

/** How an encrypted index is unlocked: the password, keys unlocked earlier, progress, cancel. */
export interface UnlockOptions {
  password?: string;
  /** Keys unlocked earlier for this keybag, or null. */
  cached(keybag: Uint8Array): ClassKeys | null;
  /** Keeps keys newly unlocked for this keybag. */
  remember(keybag: Uint8Array, keys: ClassKeys): void;
  /** Key derivation progress, 0–1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Opens the backup's index, decrypting it when the backup is encrypted. An index that cannot be
 * used throws ManifestError (the rest of the backup is still read); a missing or wrong password,
 * or a cancel, throws AppError (nothing is imported).
 */
export async function openIndex(
  dir: string,
  info: BackupInfo,
  manifestPlist: PlistDict | null,
  options: UnlockOptions,
): Promise<OpenedIndex | null> {
  if (info.format !== 'manifest-db') return null;
  if (!info.encrypted) return { index: await openManifest(dir), classKeys: null };
  const keybagBytes = asData(manifestPlist?.BackupKeyBag);
  const manifestKey = asData(manifestPlist?.ManifestKey);
  if (!keybagBytes || !manifestKey) {
    throw new ManifestError(
      'The backup is encrypted but Manifest.plist has no BackupKeyBag or ManifestKey, so Manifest.db cannot be decrypted.',
    );
  }
  const cached = options.cached(keybagBytes);
  if (!cached && options.password === undefined) {
    throw new AppError(
      'PASSWORD_REQUIRED',
      'The backup is encrypted: its password is needed to read it; nothing was imported.',
    );
  }
  let classKeys = cached;
  try {
    if (!classKeys) {
      const keybag = parseKeybag(keybagBytes);
      const kek = await deriveKek(
        options.password ?? '',
        keybag,
        options.onProgress,
        options.signal,
      );
      classKeys = unlockClassKeys(keybag, kek);
      kek.fill(0);
      options.remember(keybagBytes, classKeys);
    } else {
      options.onProgress?.(1);
    }
  } catch (e) {
    if (e instanceof BackupCryptoError) {
      if (e.code === 'WRONG_PASSWORD')
        throw new AppError('WRONG_PASSWORD', 'The backup password is wrong; nothing was imported.');
      if (e.code === 'CANCELLED')
        throw new AppError('CANCELLED', 'Cancelled; nothing was imported.');
      throw new ManifestError(
        `The backup's keys (Manifest.plist BackupKeyBag) cannot be unlocked: ${e.message}`,
      );
    }
    throw e;
  }
  let encrypted: Uint8Array;
  try {
    encrypted = (await (await EvidenceFolder.at(dir)).read('Manifest.db')).bytes;
  } catch (e) {
    if (e instanceof EvidenceFileError) throw indexUnreadable(e);
    throw e;
  }
  let plain: Uint8Array;
  try {
    plain = decryptManifestDb(encrypted, manifestKey, classKeys);
  } catch (e) {
    if (e instanceof BackupCryptoError)
      throw new ManifestError(`Manifest.db cannot be decrypted: ${e.message}`);
    throw e;
  }
  return { index: await openManifest(dir, plain), classKeys };
}

import { createHash } from 'node:crypto';
import type { ClassKeys } from '../../formats/ios-backup-crypto';
import type { ImportCache } from '../importer';

const PREFIX = 'ios-backup-class-keys:';

/** The key under which a backup's unlocked class keys are kept in an import cache. */
export function classKeysCacheKey(keybag: Uint8Array): string {
  return PREFIX + BackupKeyCache.id(keybag);
}

/**
 * Class keys of encrypted backups unlocked in this session, in memory only: a second import of
 * the same backup does not derive them again. Keyed by the sha256 of the backup's keybag (its
 * salts are random per backup password).
 */
export class BackupKeyCache {
  private readonly keys = new Map<string, ClassKeys>();

  static id(keybag: Uint8Array): string {
    return createHash('sha256').update(keybag).digest('hex');
  }

  get(keybag: Uint8Array): ClassKeys | null {
    return this.keys.get(BackupKeyCache.id(keybag)) ?? null;
  }

  has(keybag: Uint8Array): boolean {
    return this.keys.has(BackupKeyCache.id(keybag));
  }

  set(keybag: Uint8Array, classKeys: ClassKeys): void {
    this.keys.set(BackupKeyCache.id(keybag), classKeys);
  }

  /**
   * This cache as an import cache (`ParseContext.cache`): the backup importer keeps the class keys
   * it unlocks under {@link classKeysCacheKey}; other keys are not kept.
   */
  asImportCache(): ImportCache {
    return {
      get: (key) => (key.startsWith(PREFIX) ? this.keys.get(key.slice(PREFIX.length)) : undefined),
      set: (key, value) => {
        if (key.startsWith(PREFIX) && value instanceof Map)
          this.keys.set(key.slice(PREFIX.length), value as ClassKeys);
      },
    };
  }

  /** Every cached entry as import-cache keys and values (handed to an import worker). */
  entries(): [string, unknown][] {
    return [...this.keys].map(([id, keys]) => [PREFIX + id, keys]);
  }

  /** Forgets every key (and overwrites the key bytes). */
  clear(): void {
    for (const k of this.keys.values()) for (const v of k.values()) v.fill(0);
    this.keys.clear();
  }
}

import { createHash } from 'node:crypto';
import type { ClassKeys } from '../../formats/ios-backup-crypto';

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

  /** Forgets every key (and overwrites the key bytes). */
  clear(): void {
    for (const k of this.keys.values()) for (const v of k.values()) v.fill(0);
    this.keys.clear();
  }
}

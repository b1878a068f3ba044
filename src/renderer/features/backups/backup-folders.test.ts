import { describe, expect, it } from 'vitest';
import {
  BACKUP_FOLDERS_KEY,
  addFolder,
  defaultBackupLocations,
  loadBackupFolders,
  normalizeFolder,
  saveBackupFolders,
} from './backup-folders';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe('backup folders', () => {
  it('tidies typed paths', () => {
    expect(normalizeFolder('  "/Users/ana/Backups/"  ')).toBe('/Users/ana/Backups');
    expect(normalizeFolder('C:\\Backups\\\\')).toBe('C:\\Backups');
    expect(normalizeFolder('C:\\')).toBe('C:\\');
    expect(normalizeFolder('/')).toBe('/');
    expect(normalizeFolder("'/a b'")).toBe('/a b');
  });

  it('adds each folder once', () => {
    expect(addFolder([], ' /a/ ')).toEqual(['/a']);
    expect(addFolder(['/a'], '/a')).toEqual(['/a']);
    expect(addFolder(['/a'], '   ')).toEqual(['/a']);
    expect(addFolder(['/a'], '/b')).toEqual(['/a', '/b']);
  });

  it('remembers folders across sessions and survives bad storage', () => {
    const storage = memoryStorage();
    saveBackupFolders(storage, ['/a', '/b']);
    expect(loadBackupFolders(storage)).toEqual(['/a', '/b']);
    saveBackupFolders(storage, []);
    expect(storage.data.has(BACKUP_FOLDERS_KEY)).toBe(false);
    expect(loadBackupFolders(memoryStorage({ [BACKUP_FOLDERS_KEY]: '{nope' }))).toEqual([]);
    expect(loadBackupFolders(memoryStorage({ [BACKUP_FOLDERS_KEY]: '{"a":1}' }))).toEqual([]);
    expect(
      loadBackupFolders(memoryStorage({ [BACKUP_FOLDERS_KEY]: '["/a", 3, "", "/a/", "/c"]' })),
    ).toEqual(['/a', '/c']);
    expect(loadBackupFolders(null)).toEqual([]);
    const throwing = {
      getItem: () => null,
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => undefined,
    };
    expect(() => saveBackupFolders(throwing, ['/a'])).not.toThrow();
  });

  it('knows where Finder and iTunes keep backups', () => {
    expect(defaultBackupLocations('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)')).toEqual([
      '~/Library/Application Support/MobileSync/Backup',
    ]);
    expect(defaultBackupLocations('Mozilla/5.0 (Windows NT 10.0; Win64; x64)')).toHaveLength(2);
    expect(defaultBackupLocations('Mozilla/5.0 (X11; Linux x86_64)')).toEqual([]);
  });
});

type FolderStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Where the folders the examiner added are remembered (paths only, never a password). */
export const BACKUP_FOLDERS_KEY = 'snoopscope.backup-folders.v1';

const MAX_FOLDERS = 100;

/** A typed or picked folder path tidied up: surrounding space and quotes and a trailing separator dropped. */
export function normalizeFolder(raw: string): string {
  let path = raw.trim();
  if (
    path.length >= 2 &&
    ((path.startsWith('"') && path.endsWith('"')) || (path.startsWith("'") && path.endsWith("'")))
  ) {
    path = path.slice(1, -1).trim();
  }
  // A drive root (`C:\`) or the file-system root keeps its separator.
  while (path.length > 1 && /[\\/]$/.test(path) && !/^[A-Za-z]:[\\/]$/.test(path)) {
    path = path.slice(0, -1);
  }
  return path;
}

/** The list with one more folder; unchanged when the path is empty or already listed. */
export function addFolder(folders: readonly string[], raw: string): string[] {
  const path = normalizeFolder(raw);
  if (path.length === 0 || folders.includes(path)) return [...folders];
  return [...folders, path].slice(-MAX_FOLDERS);
}

/** Loads the remembered folders; anything unreadable yields none. */
export function loadBackupFolders(storage: FolderStorage | null): string[] {
  if (!storage) return [];
  try {
    const parsed: unknown = JSON.parse(storage.getItem(BACKUP_FOLDERS_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((p): p is string => typeof p === 'string' && p.trim().length > 0)
      .reduce<string[]>((acc, p) => addFolder(acc, p), []);
  } catch {
    return [];
  }
}

/** Remembers the folders (an empty list removes the entry). */
export function saveBackupFolders(storage: FolderStorage | null, folders: readonly string[]): void {
  if (!storage) return;
  try {
    if (folders.length === 0) storage.removeItem(BACKUP_FOLDERS_KEY);
    else storage.setItem(BACKUP_FOLDERS_KEY, JSON.stringify(folders.slice(-MAX_FOLDERS)));
  } catch {
    // A full or disabled storage only loses the convenience of listing the folders next time.
  }
}

/**
 * Where Finder and iTunes keep backups on the computer the app runs on, judged from the
 * browser's user agent, for the empty state ("looked in …").
 */
export function defaultBackupLocations(userAgent: string): string[] {
  if (/Windows/i.test(userAgent)) {
    return [
      '%APPDATA%\\Apple Computer\\MobileSync\\Backup',
      '%USERPROFILE%\\Apple\\MobileSync\\Backup',
    ];
  }
  if (/Macintosh|Mac OS X/i.test(userAgent)) {
    return ['~/Library/Application Support/MobileSync/Backup'];
  }
  return [];
}

import { join, win32 } from 'node:path';

/**
 * Where Finder, iTunes and the Microsoft Store iTunes keep backups (iOS backup reference §1).
 * Pure, so every platform's answer can be tested anywhere.
 */
export function defaultBackupRoots(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  home: string,
): string[] {
  switch (platform) {
    case 'darwin':
      return [join(home, 'Library', 'Application Support', 'MobileSync', 'Backup')];
    case 'win32': {
      const roots: string[] = [];
      if (env.APPDATA)
        roots.push(win32.join(env.APPDATA, 'Apple Computer', 'MobileSync', 'Backup'));
      const profile = env.USERPROFILE ?? home;
      roots.push(win32.join(profile, 'Apple', 'MobileSync', 'Backup'));
      return roots;
    }
    default:
      return [];
  }
}

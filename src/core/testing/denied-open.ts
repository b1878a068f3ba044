import type * as FsPromises from 'node:fs/promises';

/**
 * Which path suffix `open` refuses with EACCES (null lets every open through). Tests run as
 * root, where chmod 000 does not stop a read, so the file system's answer is simulated instead.
 */
export const deniedOpen = { suffix: null as string | null };

/** node:fs/promises whose `open` fails with EACCES for paths ending in `deniedOpen.suffix`. */
export function withDeniedOpen(fs: typeof FsPromises): Record<string, unknown> {
  const open: typeof fs.open = async (path, ...rest) => {
    if (deniedOpen.suffix !== null && String(path).endsWith(deniedOpen.suffix)) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), {
        code: 'EACCES',
      });
    }
    return fs.open(path, ...rest);
  };
  return { ...fs, open, default: { ...fs, open } };
}

import { open, stat } from 'node:fs/promises';
import { isBackupFolder } from '../ios-backup/discover';
import { detectSingleDump } from './sections';

const SNIFF_BYTES = 64 * 1024;

/**
 * True when a path should go to the Android importer: a folder that is not an iPhone backup, a
 * zip (bugreport, AndroidQF), or a text file that starts like a dumpsys or getprop output.
 */
export async function isAndroidInput(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  if (!st) return false;
  if (st.isDirectory()) return !(await isBackupFolder(path));
  if (!st.isFile()) return false;
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, st.size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return true;
    return detectSingleDump(head.toString('utf8')) !== null;
  } finally {
    await handle.close();
  }
}

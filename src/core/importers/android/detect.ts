import { stat, type FileHandle } from 'node:fs/promises';
import { EvidenceFileError, openRegularFile } from '../evidence-file';
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
  let handle: FileHandle;
  try {
    // Opened without blocking: the path may have become a named pipe since the stat.
    handle = await openRegularFile(path);
  } catch (e) {
    if (e instanceof EvidenceFileError) return false;
    throw e;
  }
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return true;
    return detectSingleDump(head.toString('utf8')) !== null;
  } finally {
    await handle.close();
  }
}

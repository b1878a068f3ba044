import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileKind, type FileKindTests } from '../formats/file-kind';

// Files inside an evidence folder (an iPhone backup, an Android capture) are opened only when
// they are regular files whose real location is inside that folder. A named pipe would block an
// open for ever, a device could be read without end, and a symbolic link could make the import
// read (and record as evidence) a file of the examiner's own machine, such as /etc/passwd.
//
// Links whose real target stays inside the folder are followed: they cannot leak anything, and
// refusing them would cost evidence the folder holds. Links that leave the folder are refused.

/** Why a file of an evidence folder was not read. */
export type EvidenceFileReason = 'missing' | 'folder' | 'special' | 'outside' | 'unreadable';

/** A file of an evidence folder that is not read; the message names it and says why. */
export class EvidenceFileError extends Error {
  override readonly name = 'EvidenceFileError';
  constructor(
    readonly reason: EvidenceFileReason,
    message: string,
    /** The system error code when the file system refused (EACCES, EPERM, …). */
    readonly errno: string | null = null,
  ) {
    super(message);
  }
}

/** An evidence file opened for reading. */
export interface OpenedEvidenceFile {
  handle: FileHandle;
  size: number;
  /** The path the data was read from, relative to the folder, when the name was a link. */
  linkTarget: string | null;
}

// O_NONBLOCK makes an open of a named pipe return at once (the fstat check then refuses it);
// O_NOFOLLOW refuses a link swapped in after the checks. Neither exists on Windows, which has no
// named pipes or symbolic links of this kind in ordinary folders.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** What a file-system entry is, in words ("a named pipe (FIFO)", "a folder", …). */
export const describeFileKind = fileKind;
export type { FileKindTests };

function errnoOf(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function unreadable(name: string, e: unknown): EvidenceFileError {
  const code = errnoOf(e);
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : (code ?? (e instanceof Error ? e.message : String(e)));
  return new EvidenceFileError('unreadable', `${name} cannot be read (${why}).`, code);
}

/**
 * Opens a file the examiner named directly (not inside an evidence folder): only a regular file
 * is opened, and a named pipe, socket or device is refused without blocking.
 */
export async function openRegularFile(path: string, name = path): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    // No O_NOFOLLOW here: a link named by the examiner is what the examiner chose to read.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (errnoOf(e) === 'ENOENT')
      throw new EvidenceFileError('missing', `${name} does not exist.`, 'ENOENT');
    if (errnoOf(e) === 'ENXIO')
      throw new EvidenceFileError('special', `${name} is a socket, not a regular file.`, 'ENXIO');
    throw unreadable(name, e);
  }
  let st: Stats;
  try {
    st = await handle.stat();
  } catch (e) {
    await handle.close();
    throw unreadable(name, e);
  }
  if (!st.isFile()) {
    await handle.close();
    throw new EvidenceFileError(
      st.isDirectory() ? 'folder' : 'special',
      `${name} is ${describeFileKind(st)}, not a regular file.`,
    );
  }
  return handle;
}

/**
 * One evidence folder: every file is opened through it, so that only regular files whose real
 * location lies inside the folder are ever opened.
 */
export class EvidenceFolder {
  private constructor(
    /** The folder as given (resolved). */
    readonly path: string,
    /** The folder with every link resolved: what "inside" is measured against. */
    readonly realPath: string,
  ) {}

  /** The evidence folder at a path (the folder itself may be reached through a link). */
  static async at(path: string): Promise<EvidenceFolder> {
    const full = resolve(path);
    const real = await realpath(full).catch(() => full);
    return new EvidenceFolder(full, real);
  }

  /** The name of a path for messages: relative to the folder. */
  nameOf(path: string): string {
    const rel = relative(this.path, resolve(this.path, path));
    return rel === '' ? this.path : rel.split(sep).join('/');
  }

  /** Whether a real (link-free) path lies inside the folder. */
  contains(real: string): boolean {
    const rel = relative(this.realPath, real);
    return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
  }

  /**
   * Checks a path of the folder without opening it: its real location and what it is.
   * Throws EvidenceFileError when it is missing, leaves the folder, or cannot be examined.
   */
  async inspect(path: string): Promise<{ real: string; stats: Stats; link: boolean }> {
    const full = resolve(this.path, path);
    const name = this.nameOf(full);
    let own: Stats;
    try {
      own = await lstat(full);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR')
        throw new EvidenceFileError('missing', `${name} is missing.`, 'ENOENT');
      throw unreadable(name, e);
    }
    let real: string;
    try {
      real = await realpath(full);
    } catch (e) {
      if (own.isSymbolicLink()) {
        const target = await readlink(full).catch(() => '?');
        throw new EvidenceFileError(
          'missing',
          `${name} is a symbolic link to ${target}, which does not exist or cannot be resolved; it was not followed.`,
          errnoOf(e),
        );
      }
      throw unreadable(name, e);
    }
    if (!this.contains(real)) {
      const target = own.isSymbolicLink() ? await readlink(full).catch(() => real) : real;
      throw new EvidenceFileError(
        'outside',
        `${name} is a symbolic link to ${target}, outside the evidence folder; it was not followed.`,
      );
    }
    let stats = own;
    if (own.isSymbolicLink() || real !== full) {
      try {
        stats = await lstat(real);
      } catch (e) {
        throw unreadable(name, e);
      }
    }
    return { real, stats, link: own.isSymbolicLink() };
  }

  /**
   * Opens a regular file of the folder for reading. A named pipe, socket, device or folder is
   * refused without being opened, and a link is followed only while its target stays inside.
   */
  async open(path: string): Promise<OpenedEvidenceFile> {
    const full = resolve(this.path, path);
    const name = this.nameOf(full);
    const { real, stats, link } = await this.inspect(full);
    const via = link ? ` (a symbolic link to ${this.nameOf(real)})` : '';
    if (!stats.isFile()) {
      throw new EvidenceFileError(
        stats.isDirectory() ? 'folder' : 'special',
        `${name}${via} is ${describeFileKind(stats)}, not a regular file; it was skipped without being opened.`,
      );
    }
    let handle: FileHandle;
    try {
      handle = await open(real, OPEN_FLAGS);
    } catch (e) {
      throw unreadable(name, e);
    }
    try {
      // The entry may have been replaced between the check and the open.
      const st = await handle.stat();
      if (!st.isFile()) {
        throw new EvidenceFileError(
          'special',
          `${name} is ${describeFileKind(st)}, not a regular file; it was skipped.`,
        );
      }
      return { handle, size: st.size, linkTarget: link ? this.nameOf(real) : null };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Reads a whole regular file of the folder (see {@link open}). */
  async read(path: string): Promise<{ bytes: Buffer; linkTarget: string | null }> {
    const { handle, linkTarget } = await this.open(path);
    try {
      return { bytes: await handle.readFile(), linkTarget };
    } catch (e) {
      throw unreadable(this.nameOf(resolve(this.path, path)), e);
    } finally {
      await handle.close();
    }
  }
}

import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import {
  fileKind,
  withZip,
  ZipError,
  type ZipArchive,
  type ZipEntry,
  type ZipLimits,
} from '../formats/zip';
import { MAX_ENTRY_BYTES } from '../formats/zip/writer';
import { dosStamp, dosStampText } from '../formats/zip/dos-time';
import { checkAuditChain } from './audit-chain-check';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from './export-bundle';
import { normaliseFingerprint, readSignerKey, verifyBytes } from './signing-key';

/** What verify found for one file of the bundle. */
export type BundleFileStatus = 'ok' | 'changed' | 'missing' | 'unlisted' | 'ambiguous';

export interface BundleCheck {
  /**
   * True when the zip has one reading only, every file matches the manifest, nothing is
   * missing or added, and the signature by an Ed25519 key holds.
   */
  ok: boolean;
  /** The signer's key fingerprint, to compare with one obtained separately; null when refused. */
  fingerprint: string | null;
  /** Each problem in words, naming the file. */
  problems: string[];
  /**
   * What the bundle cannot show by itself, in words (withheld audit entries written before
   * payload hashing, a bundle too old to carry its audit chain's inputs); never a failure.
   */
  notes: string[];
  /**
   * Each file the manifest lists or the zip holds. `ambiguous`: zip tools could read another
   * content under this name (a duplicate, a twin name, a local header that disagrees…).
   */
  files: { name: string; status: BundleFileStatus }[];
}

const MANIFEST = 'manifest.json';
const SIGNATURE = 'manifest.sig';
const PUBLIC_KEY = 'signer.pub.pem';
const SIGNATURE_FILES = new Set([MANIFEST, SIGNATURE, PUBLIC_KEY]);
const MANIFEST_MAX_BYTES = 512 * 1024 * 1024;
const SMALL_FILE_MAX_BYTES = 64 * 1024;
// An Ed25519 signature is 64 bytes: 86 base64 digits and two padding signs.
const SIGNATURE_TEXT = /^([A-Za-z0-9+/]{86}==)\r?\n?$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * How large a bundle's files may be when verified: as large as the export writes them (a study's
 * `events.csv` holds several GB of text). Verifying streams each file through its hash once and
 * reads only the small ones whole, so size costs time, not memory; the compression-ratio bound
 * still refuses a file that declares far more than its compressed bytes can hold.
 */
export const BUNDLE_ZIP_LIMITS: Partial<ZipLimits> = {
  maxEntryBytes: MAX_ENTRY_BYTES,
  maxTotalBytes: Number.MAX_SAFE_INTEGER,
};

/**
 * Checks an evidence bundle: that the path is a regular file (links are followed to regular
 * files only; a FIFO is never opened for reading), that the zip has one reading only (strict
 * layout: see `OpenZipOptions.strict`), the manifest's signature with the Ed25519 public key it
 * carries (and, when given, that the key's fingerprint is the expected one), the sha256 of every
 * file the manifest lists, that no file is missing, added or listed twice, and that the audit
 * chain the manifest publishes recomputes (see `checkAuditChain`).
 */
export async function verifyBundle(
  path: string,
  expectedFingerprint?: string,
): Promise<BundleCheck> {
  const pathProblem = await checkBundlePath(path);
  if (pathProblem !== null)
    return { ok: false, fingerprint: null, problems: [pathProblem], notes: [], files: [] };
  const problems: string[] = [];
  const notes: string[] = [];
  const files: BundleCheck['files'] = [];
  let signer: string | null = null;
  try {
    await withZip(
      path,
      async (zip) => {
        // One push each: a crafted archive can list more problems than a call takes as arguments.
        for (const p of zip.problems) problems.push(p);
        signer = await checkContent(zip, expectedFingerprint, { problems, notes, files });
      },
      BUNDLE_ZIP_LIMITS,
      { strict: true },
    );
  } catch (e) {
    problems.push(
      e instanceof ZipError || typeof (e as NodeJS.ErrnoException).code !== 'string'
        ? `${path} cannot be read as a zip: ${(e as Error).message}`
        : pathError(path, e),
    );
  }
  return { ok: problems.length === 0, fingerprint: signer, problems, notes, files };
}

// The signature, the manifest and every file; returns the signer's fingerprint when its key
// was accepted.
async function checkContent(
  zip: ZipArchive,
  expectedFingerprint: string | undefined,
  { problems, notes, files }: Pick<BundleCheck, 'problems' | 'notes' | 'files'>,
): Promise<string | null> {
  // Entries by name, so a manifest listing many names costs one lookup each.
  const byName = new Map<string, ZipEntry[]>();
  for (const e of zip.entries) {
    const same = byName.get(e.name);
    if (same) same.push(e);
    else byName.set(e.name, [e]);
  }
  const read = async (name: string, maxBytes: number): Promise<Buffer | null> => {
    const e = byName.get(name)?.[0];
    if (!e) {
      problems.push(`${name} is missing: this is not a complete Snoopscope bundle.`);
      return null;
    }
    // An entry the zip refused is among the zip's problems already.
    if (e.refusal !== null) return null;
    try {
      return Buffer.from(await zip.readEntry(e, { maxBytes }));
    } catch (err) {
      problems.push(`${name} cannot be read: ${(err as Error).message}`);
      return null;
    }
  };
  const manifestBytes = await read(MANIFEST, MANIFEST_MAX_BYTES);
  const sig = await read(SIGNATURE, SMALL_FILE_MAX_BYTES);
  const pub = await read(PUBLIC_KEY, SMALL_FILE_MAX_BYTES);
  if (!manifestBytes || !sig || !pub) return null;

  let signer: string | null = null;
  const key = readSignerKey(pub.toString('utf8'), PUBLIC_KEY);
  if (!key.ok) problems.push(key.reason);
  else {
    signer = key.fingerprint;
    const sigText = SIGNATURE_TEXT.exec(sig.toString('utf8'));
    // Canonical base64 only: spare bits set would give other bytes the same signature.
    if (!sigText || Buffer.from(sigText[1]!, 'base64').toString('base64') !== sigText[1])
      problems.push(`${SIGNATURE} does not hold an Ed25519 signature (64 bytes in base64).`);
    else if (!verifyBytes(key.publicKey, manifestBytes, sigText[1]!))
      problems.push(
        `${MANIFEST} does not match its signature (${SIGNATURE}): it was changed after signing, or signed by another key.`,
      );
  }
  if (expectedFingerprint !== undefined) {
    if (signer === null)
      problems.push(
        `The bundle carries no valid Ed25519 key, so it was not signed by the expected key ${expectedFingerprint}.`,
      );
    else if (normaliseFingerprint(signer) !== normaliseFingerprint(expectedFingerprint))
      problems.push(
        `The bundle was signed by ${signer}, not by the expected key ${expectedFingerprint}.`,
      );
  }

  let manifest: unknown;
  try {
    // Fatal decoding: bytes that are not UTF-8 would otherwise be read as U+FFFD here and
    // refused by other readers.
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch {
    problems.push(`${MANIFEST} is not valid JSON in UTF-8.`);
    return signer;
  }
  const m = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as {
    format?: unknown;
    formatVersion?: unknown;
    exportedAt?: unknown;
    files?: unknown;
    signer?: { fingerprint?: unknown };
  };
  if (m.format !== BUNDLE_FORMAT)
    problems.push(`${MANIFEST} is not a Snoopscope bundle manifest (format ${String(m.format)}).`);
  else if (m.formatVersion === 1 && publishesChainInputs(manifest))
    problems.push(
      `${MANIFEST} says format version 1, yet its audit entries carry the inputs of their hashes (version ${BUNDLE_FORMAT_VERSION}): the version was changed, which would skip the audit chain check.`,
    );
  else if (m.formatVersion === 1) {
    notes.push(
      `${MANIFEST} is format version 1, which publishes the audit log without the inputs of its hashes: its chain cannot be recomputed from the bundle (export the case again for one that can).`,
    );
    notes.push(UNBOUND_TIMES(1));
  } else if (m.formatVersion === 2 || m.formatVersion === BUNDLE_FORMAT_VERSION) {
    const chain = checkAuditChain(m as Record<string, unknown>);
    problems.push(...chain.problems);
    notes.push(...chain.notes);
    if (m.formatVersion === 2) notes.push(UNBOUND_TIMES(2));
    else checkEntryTimes(zip, m.exportedAt, problems);
  } else
    problems.push(
      `${MANIFEST} is format version ${JSON.stringify(m.formatVersion) ?? 'missing'}; this Snoopscope reads versions 1 to ${BUNDLE_FORMAT_VERSION} (a newer bundle needs a newer Snoopscope).`,
    );
  const named = m.signer?.fingerprint;
  if (
    signer !== null &&
    typeof named === 'string' &&
    normaliseFingerprint(named) !== normaliseFingerprint(signer)
  )
    problems.push(
      `${MANIFEST} names the signer ${named}, but the bundle carries the key ${signer}.`,
    );

  const listed = listedFiles(m.files, problems);
  for (const [name, { sha256, times }] of listed) {
    const copies = byName.get(name) ?? [];
    const entry = copies[0];
    if (!entry) {
      files.push({ name, status: 'missing' });
      problems.push(`${name} is listed in the manifest but missing from the bundle.`);
      continue;
    }
    const actual = await hashEntry(zip, entry, problems);
    if (actual !== sha256) {
      files.push({ name, status: 'changed' });
      if (actual !== null)
        problems.push(`${name} was changed: its sha256 is ${actual}, the manifest says ${sha256}.`);
      continue;
    }
    const ambiguous = times > 1 || copies.length > 1 || zip.flaggedNames.has(name);
    files.push({ name, status: ambiguous ? 'ambiguous' : 'ok' });
  }
  const unlisted = new Set<string>();
  for (const e of zip.entries) {
    if (SIGNATURE_FILES.has(e.name) || listed.has(e.name) || unlisted.has(e.name)) continue;
    unlisted.add(e.name);
    files.push({ name: e.name, status: 'unlisted' });
    problems.push(`${e.name} is in the bundle but not in the manifest (added after export).`);
  }
  return signer;
}

// Bundles before version 3 carried the clock of the exporting machine as their entries' times.
const UNBOUND_TIMES = (version: number): string =>
  `${MANIFEST} is format version ${version}, whose entries' times in the zip are not bound to the signed manifest: the dates zip tools show for its files may have been changed (export the case again for a bundle that binds them).`;

// Every entry of a version 3 bundle carries the signed export instant (UTC, to two seconds) as
// its time, so a time a zip tool shows cannot have been changed without verify saying so.
function checkEntryTimes(zip: ZipArchive, exportedAt: unknown, problems: string[]): void {
  const at = typeof exportedAt === 'string' ? new Date(exportedAt) : null;
  if (at === null || Number.isNaN(at.getTime()) || at.toISOString() !== exportedAt) {
    problems.push(
      `${MANIFEST} gives no export time as an ISO-8601 UTC instant (exportedAt), so its entries' times cannot be checked.`,
    );
    return;
  }
  const { date, time } = dosStamp(at);
  const expected = dosStampText(date, time);
  for (const e of zip.entries)
    if (e.modified !== expected)
      problems.push(
        `${e.name} has ${e.modified === null ? 'a time that names no valid date' : `the time ${e.modified}`} in the zip, not the export time the signed manifest states (${expected ?? exportedAt} UTC): the zip was changed after export.`,
      );
}

// Version 1 entries were {seq, at, action, details, hash}: a prevHash marks a later layout.
function publishesChainInputs(manifest: unknown): boolean {
  const entries = (manifest as { audit?: { entries?: unknown } }).audit?.entries;
  return (
    Array.isArray(entries) &&
    entries.some((e: unknown) => typeof e === 'object' && e !== null && 'prevHash' in e)
  );
}

// The manifest's file list by name, with each name's count; malformed items are problems.
function listedFiles(
  list: unknown,
  problems: string[],
): Map<string, { sha256: string; times: number }> {
  const out = new Map<string, { sha256: string; times: number }>();
  if (!Array.isArray(list)) {
    problems.push(`${MANIFEST} has no list of files.`);
    return out;
  }
  list.forEach((item: unknown, i) => {
    const f = (typeof item === 'object' && item !== null ? item : {}) as {
      name?: unknown;
      sha256?: unknown;
    };
    if (typeof f.name !== 'string' || typeof f.sha256 !== 'string' || !SHA256_HEX.test(f.sha256)) {
      problems.push(`${MANIFEST} lists a file without a name and sha256 (item ${i + 1}).`);
      return;
    }
    const seen = out.get(f.name);
    if (seen === undefined) out.set(f.name, { sha256: f.sha256, times: 1 });
    else {
      seen.times += 1;
      if (seen.times === 2) problems.push(`${MANIFEST} lists ${f.name} more than once.`);
      if (seen.sha256 !== f.sha256)
        problems.push(`${MANIFEST} lists ${f.name} with two different sha256 values.`);
    }
  });
  return out;
}

// The entry's sha256, or null when it cannot be read (the problem is then recorded, once: an
// entry the zip refused is already among the zip's problems).
async function hashEntry(
  zip: ZipArchive,
  entry: ZipEntry,
  problems: string[],
): Promise<string | null> {
  if (entry.refusal !== null) return null;
  const hash = createHash('sha256');
  try {
    for await (const c of zip.openEntryStream(entry)) hash.update(c);
  } catch (err) {
    problems.push(`${entry.name} cannot be read: ${(err as Error).message}`);
    return null;
  }
  return hash.digest('hex');
}

// A bundle is a regular file. Symbolic links are followed to regular files only (a bundle
// reached through a linked folder or a shortcut stays checkable); a link to anything else, a
// folder, FIFO, socket or device is refused by name before anything is opened.
async function checkBundlePath(path: string): Promise<string | null> {
  let st: Stats;
  try {
    st = await lstat(path);
  } catch (e) {
    return pathError(path, e);
  }
  if (st.isSymbolicLink()) {
    let target: Stats;
    try {
      target = await stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return `${path} is a symbolic link to a file that does not exist.`;
      if (code === 'ELOOP') return `${path} is a symbolic link that loops back on itself.`;
      return pathError(path, e);
    }
    return target.isFile()
      ? null
      : `${path} is a symbolic link to ${fileKind(target)}, not to a bundle file.`;
  }
  return st.isFile() ? null : `${path} is ${fileKind(st)}, not a bundle file.`;
}

function pathError(path: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return `${path} does not exist.`;
    case 'ENOTDIR':
      return `${path} does not exist: a part of the path is not a folder.`;
    case 'EACCES':
    case 'EPERM':
      return `${path} cannot be read: permission denied.`;
    case 'ELOOP':
      return `${path} cannot be opened: too many symbolic links.`;
    case 'ENAMETOOLONG':
      return `${path} cannot be opened: the path is too long.`;
    default:
      return `${path} cannot be opened: ${err.message}`;
  }
}

import { createHash, type Hash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImportWarning } from '../../../contract/warnings';
import {
  ZipError,
  openZip,
  type ZipArchive,
  type ZipEntry,
  type ZipLimits,
} from '../../formats/zip/index';
import { describeFileHead } from '../describe-file';
import {
  EvidenceFileError,
  EvidenceFolder,
  describeFileKind,
  openRegularFile,
} from '../evidence-file';
import { readLineBatches } from '../line-reader';
import {
  DumpSplitter,
  DumpTooLargeError,
  detectSingleDump,
  looksLikeDumpsysText,
  type DumpHeader,
  type DumpSplit,
  type SectionSink,
} from './sections';

// Recognises what an examiner hands over for an Android phone and returns the dumpsys
// sections the parsers need (android-sources.md §6 bugreport zip, §7 AndroidQF output, §10
// what to record per capture). Evidence is opened read-only; nothing is written anywhere.

/** The container an Android input came in. */
export type AndroidInputKind =
  | 'bugreport'
  | 'bugreport-folder'
  | 'androidqf-folder'
  | 'androidqf-zip'
  | 'dumpsys-folder'
  | 'file';

/** One file whose content was used, hashed as stored (a ZIP entry: its uncompressed bytes). */
export interface AndroidInputFile {
  /** Relative path, entry name, or `outer.zip!/entry` for an archive inside a folder. */
  name: string;
  size: number;
  sha256: string;
}

/** The text of one service or file, with where it came from. */
export interface AndroidInputSection {
  /**
   * `appops`, `usagestats`, `package`, `getprop`, `netstats` (or any service asked for);
   * `packages-json` and `acquisition` for AndroidQF's JSON files; `settings:<ns>` for
   * AndroidQF's `settings_<ns>.txt`.
   */
  service: string;
  text: string;
  /** The file or entry the text was read from (as in `files`). */
  origin: string;
  /** 1-based line of the text's first line within `origin`. */
  startLine: number;
  /** Raw `ending at:` time of the section's end line when it names this service, else null. */
  endedAt: string | null;
}

/** Device facts read from `getprop` (null when absent: never guessed). */
export interface AndroidDeviceProperties {
  sdk: string | null;
  release: string | null;
  fingerprint: string | null;
  manufacturer: string | null;
  model: string | null;
  /** `persist.sys.timezone`; dumpsys times are local to it. */
  timeZone: string | null;
}

export interface AndroidInput {
  kind: AndroidInputKind;
  files: AndroidInputFile[];
  sections: AndroidInputSection[];
  /** Services present in `sections`, in order of first appearance. */
  found: string[];
  /** Which of appops, usagestats, package and getprop are absent. */
  missing: string[];
  /** When the capture was taken, as printed (device-local unless the text says otherwise). */
  captureTime: { text: string; source: string } | null;
  /** The bugreport header of the main text, when there is one. */
  header: DumpHeader | null;
  properties: AndroidDeviceProperties;
  /**
   * Files or entries present but not used (not needed, unknown, unsafe or refused), with the
   * reason in parentheses when there is one; at most 100 are listed.
   */
  ignored: string[];
  problems: string[];
}

export interface AndroidInputOptions {
  /** dumpsys services whose text is kept (default appops, usagestats, package, getprop, netstats). */
  services?: readonly string[];
  /** Most characters of section text held in memory in total (default 512,000,000). */
  maxSectionChars?: number;
  /** Largest JSON file read whole (default 64 MiB). */
  maxJsonBytes?: number;
  /** Bounds for ZIP containers. */
  zipLimits?: Partial<ZipLimits>;
  /**
   * Streams the sections instead of keeping their text (their `text` is then empty): each wanted
   * section's lines go to the sink `open` returns, as they are read.
   */
  stream?: AndroidSectionStream;
}

/** Where a streamed read sends the sections' lines. */
export interface AndroidSectionStream {
  /** A section of `origin` starts at `startLine`; returns where its lines go. */
  open(service: string, origin: string, startLine: number): SectionSink;
  /** Called after each batch of lines read, so the receiver can hold the reading back. */
  pause?(): Promise<void>;
}

/** The path is not a recognised Android input, or cannot be read. */
export class AndroidInputError extends Error {
  override readonly name = 'AndroidInputError';
}

export const DEFAULT_ANDROID_SERVICES: readonly string[] = Object.freeze([
  'appops',
  'usagestats',
  'package',
  'getprop',
  'netstats',
]);
const CORE_SERVICES = ['appops', 'usagestats', 'package', 'getprop'] as const;
const DEFAULT_MAX_SECTION_CHARS = 512_000_000;
const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;
const HEAD_BYTES = 256 * 1024;
const READ_CHUNK = 64 * 1024;
// AndroidQF file names (mvt-project/androidqf). In a folder, getprop.txt alone is no mark (a
// folder of plain outputs has one too); in a ZIP it is (MVT's own AndroidQF zip holds only it).
const QF_FOLDER_MARKERS = ['acquisition.json', 'dumpsys.txt', 'packages.json'];
const QF_MARKERS = [...QF_FOLDER_MARKERS, 'getprop.txt'];
const MAX_IGNORED_LISTED = 100;
const QF_SETTINGS = /^settings_([A-Za-z0-9_-]+)\.txt$/;

/** A readable file: on disk or a ZIP entry. */
interface Source {
  name: string;
  size: number;
  head(bytes: number): Promise<Buffer>;
  chunks(): AsyncIterable<Uint8Array>;
}

type CaptureSource = 'dumpstate' | 'completed' | 'started' | 'end-line';

class Collector {
  readonly files: AndroidInputFile[] = [];
  readonly sections: AndroidInputSection[] = [];
  readonly problems: string[] = [];
  readonly ignored: string[] = [];
  header: DumpHeader | null = null;
  readonly capture: { kind: CaptureSource; text: string; source: string }[] = [];
  private used = 0;

  constructor(
    readonly wanted: ReadonlySet<string>,
    readonly maxChars: number,
    readonly maxJsonBytes: number,
    readonly stream: AndroidSectionStream | null = null,
  ) {}

  charge(n: number, origin: string): void {
    this.used += n;
    if (this.used > this.maxChars) {
      throw new AndroidInputError(
        `The section text read so far exceeds the limit of ${this.maxChars} characters (at ${origin}).`,
      );
    }
  }

  remaining(): number {
    return this.maxChars - this.used;
  }

  has(service: string): boolean {
    return this.sections.some((s) => s.service === service);
  }

  missingWanted(): string[] {
    return [...this.wanted].filter((s) => !this.has(s));
  }

  addSection(service: string, text: string, origin: string, startLine = 1): void {
    if (this.stream) {
      const sink = this.stream.open(service, origin, startLine);
      let lineNo = startLine - 1;
      for (const line of text.split('\n')) sink.line(line, ++lineNo);
      sink.end();
      text = '';
    }
    this.sections.push({ service, text, origin, startLine, endedAt: null });
  }
}

/**
 * Reads an Android input: a bugreport zip (or its extracted folder), an AndroidQF output
 * folder or zip, a folder of plain dumpsys/getprop outputs, or one such file. Returns the
 * sections found, every file read with its SHA-256, the capture time when known, and what is
 * missing. Throws `AndroidInputError` naming what the path looks like when it is none of these.
 */
export async function readAndroidInput(
  path: string,
  options: AndroidInputOptions = {},
): Promise<AndroidInput> {
  const c = new Collector(
    new Set(options.services ?? DEFAULT_ANDROID_SERVICES),
    options.maxSectionChars ?? DEFAULT_MAX_SECTION_CHARS,
    options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    options.stream ?? null,
  );
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new AndroidInputError(`${path} cannot be opened: ${errorText(err)}.`);
  }
  let kind: AndroidInputKind;
  try {
    if (info.isDirectory()) kind = await readFolder(path, c, options);
    else if (info.isFile()) kind = await readFileInput(path, info.size, c, options);
    else
      throw new AndroidInputError(
        `${path} is ${describeFileKind(info)}, neither a file nor a folder; it was not opened.`,
      );
  } catch (err) {
    if (err instanceof AndroidInputError) throw err;
    // A file that changed into something else between the listing and the reading.
    if (err instanceof EvidenceFileError) throw new AndroidInputError(err.message);
    if (err instanceof ZipError || err instanceof DumpTooLargeError) {
      throw new AndroidInputError(`${basename(path)}: ${err.message}`);
    }
    throw err;
  }
  return finish(kind, c);
}

// ---------------------------------------------------------------------------------------------
// Folders

async function readFolder(
  dir: string,
  c: Collector,
  options: AndroidInputOptions,
): Promise<AndroidInputKind> {
  let listed: Dirent[];
  try {
    listed = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new AndroidInputError(`The folder ${dir} cannot be listed: ${errorText(err)}.`);
  }
  const dirents = listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const folder = await EvidenceFolder.at(dir);
  // Regular files, and links to regular files inside the folder; nothing else is ever opened.
  const files = new Map<string, Dirent>();
  for (const d of dirents) {
    if (d.isFile()) {
      files.set(d.name, d);
    } else if (d.isSymbolicLink()) {
      await admitLink(folder, d, files, c);
    } else if (!d.isDirectory()) {
      c.problems.push(
        `${d.name} is ${describeFileKind(d)}, not a regular file; it was skipped without being opened.`,
      );
    }
  }
  const src = async (name: string): Promise<Source> => {
    const opened = await folder.open(name);
    await opened.handle.close();
    return fileSource(async () => (await folder.open(name)).handle, name, opened.size);
  };

  if (files.has('main_entry.txt') || [...files.keys()].some((n) => /^bugreport-.*\.txt$/.test(n))) {
    await readBugreportFolder(files, src, c);
    ignoreRest(c, dirents, new Set(c.files.map((f) => f.name)));
    return 'bugreport-folder';
  }

  if (QF_FOLDER_MARKERS.some((m) => files.has(m))) {
    const used = new Set<string>();
    for (const name of files.keys()) {
      try {
        if (await readQfFile(name, name, () => src(name), c)) used.add(name);
      } catch (err) {
        skipUnreadable(err, name, c, used);
      }
    }
    if (files.has('bugreport.zip') && c.missingWanted().length > 0) {
      await readNestedBugreport(join(dir, 'bugreport.zip'), 'bugreport.zip', c, options);
      used.add('bugreport.zip');
    }
    ignoreRest(c, dirents, used);
    return 'androidqf-folder';
  }

  const used = new Set<string>();
  const unreadable = new Set<string>();
  for (const [name] of files) {
    if (!name.toLowerCase().endsWith('.txt')) continue;
    try {
      const s = await src(name);
      const head = (await s.head(HEAD_BYTES)).toString('utf8');
      if (looksLikeDumpsysText(head)) {
        const services = await splitSource(s, c);
        used.add(name);
        if (!services.some((x) => c.wanted.has(x))) {
          c.ignored.push(
            `${name} (dumpsys ${services.join(', ') || 'without sections'}: no section needed)`,
          );
        }
        continue;
      }
      const single = detectSingleDump(head);
      if (single !== null) {
        await readSection(single, s, c);
        used.add(name);
      }
    } catch (err) {
      skipUnreadable(err, name, c, unreadable);
    }
  }
  for (const name of unreadable) used.add(name);
  if (used.size === unreadable.size) {
    const shown = dirents.slice(0, 8).map((d) => (d.isDirectory() ? `${d.name}/` : d.name));
    throw new AndroidInputError(
      `${dir} is a folder with ${dirents.length} entries${shown.length ? ` (${shown.join(', ')}${dirents.length > shown.length ? ', …' : ''})` : ''}; none is a bugreport (main_entry.txt), AndroidQF output (dumpsys.txt, getprop.txt, packages.json, acquisition.json) or a plain dumpsys appops/usagestats/package or getprop output.${c.problems.length > 0 ? ` ${c.problems.join(' ')}` : ''}`,
    );
  }
  ignoreRest(c, dirents, used);
  return 'dumpsys-folder';
}

async function readBugreportFolder(
  files: Map<string, Dirent>,
  src: (name: string) => Promise<Source>,
  c: Collector,
): Promise<void> {
  let main: string | null = null;
  if (files.has('main_entry.txt')) {
    const named = (await readLinesText(await src('main_entry.txt'), c)).trim();
    if (!/^[^/\\]+$/.test(named) || named === '..' || named === '.') {
      c.problems.push(`main_entry.txt names "${named}", which is not a file of this folder.`);
    } else if (!files.has(named)) {
      c.problems.push(`main_entry.txt names "${named}", which is absent.`);
    } else {
      main = named;
    }
    if (!files.has('version.txt')) {
      c.problems.push('The bugreport has no version.txt; main_entry.txt was followed anyway.');
    }
  }
  main ??= [...files.keys()].find((n) => /^bugreport-.*\.txt$/.test(n)) ?? null;
  if (main === null) {
    throw new AndroidInputError(
      'The folder looks like an extracted bugreport (main_entry.txt) but its main text is missing.',
    );
  }
  await splitSource(await src(main), c);
}

// A file that cannot be opened or read costs itself only: it is named, and the others are read.
function skipUnreadable(err: unknown, name: string, c: Collector, used: Set<string>): void {
  if (!(err instanceof EvidenceFileError)) throw err;
  c.problems.push(`${err.message} It was skipped; the other files were read.`);
  used.add(name);
}

// A link is read when its real target is a regular file inside the folder; a link that leaves
// the folder, or names anything else, is reported and not followed.
async function admitLink(
  folder: EvidenceFolder,
  d: Dirent,
  files: Map<string, Dirent>,
  c: Collector,
): Promise<void> {
  try {
    const { real, stats } = await folder.inspect(d.name);
    if (stats.isFile()) {
      files.set(d.name, d);
      c.problems.push(
        `${d.name} is a symbolic link to ${folder.nameOf(real)} inside the capture folder; it is read through the link.`,
      );
    } else if (stats.isDirectory()) {
      c.ignored.push(`${d.name} (symbolic link to a folder, not followed)`);
    } else {
      c.problems.push(
        `${d.name} is a symbolic link to ${describeFileKind(stats)}, not a regular file; it was skipped without being opened.`,
      );
    }
  } catch (err) {
    if (!(err instanceof EvidenceFileError)) throw err;
    c.problems.push(err.message);
  }
}

function ignoreRest(c: Collector, dirents: Dirent[], used: ReadonlySet<string>): void {
  for (const d of dirents) {
    // Links and special files were reported when the folder was listed.
    if (used.has(d.name) || d.isSymbolicLink() || (!d.isFile() && !d.isDirectory())) continue;
    c.ignored.push(d.isDirectory() ? `${d.name}/` : d.name);
  }
}

// Reads one AndroidQF file by its base name; false when the name is not one that is read.
async function readQfFile(
  base: string,
  origin: string,
  open: () => Promise<Source>,
  c: Collector,
): Promise<boolean> {
  if (base === 'dumpsys.txt') {
    await splitSource(await open(), c);
    return true;
  }
  if (base === 'getprop.txt') {
    const s = await open();
    if (c.stream) {
      // Streamed: the check reads the head, as many lines as the detection looks at.
      if (detectSingleDump((await s.head(HEAD_BYTES)).toString('utf8')) !== 'getprop') {
        c.problems.push(`${origin} does not look like getprop output ([key]: [value] lines).`);
      }
      await readSection('getprop', s, c, origin);
      return true;
    }
    const text = await readLinesText(s, c);
    if (detectSingleDump(text) !== 'getprop') {
      c.problems.push(`${origin} does not look like getprop output ([key]: [value] lines).`);
    }
    c.addSection('getprop', text, origin);
    return true;
  }
  const settings = QF_SETTINGS.exec(base);
  if (settings) {
    await readSection(`settings:${settings[1]}`, await open(), c, origin);
    return true;
  }
  if (base === 'packages.json' || base === 'acquisition.json') {
    const src = await open();
    if (src.size > c.maxJsonBytes) {
      // Too large to read whole: this file alone is left out.
      c.problems.push(
        `${origin} is ${src.size} bytes, more than the ${c.maxJsonBytes} bytes allowed for a JSON file; it was not read.`,
      );
      return true;
    }
    const text = await readJson(src, c);
    if (base === 'packages.json') {
      // Kept whatever it holds: the importer warns on this file's own source when it is not a
      // JSON array of packages, and the rest of the capture is read as usual.
      c.addSection('packages-json', text, origin);
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        c.problems.push(`${origin} is not valid JSON: ${errorText(err)}.`);
      }
      c.addSection('acquisition', text, origin);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const rec = parsed as Record<string, unknown>;
        for (const key of ['completed', 'started'] as const) {
          const v = rec[key];
          if (typeof v === 'string' && v.trim() !== '') {
            c.capture.push({ kind: key, text: v, source: `${origin}: ${key}` });
          }
        }
      }
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Single files and ZIP archives

async function readFileInput(
  path: string,
  size: number,
  c: Collector,
  options: AndroidInputOptions,
): Promise<AndroidInputKind> {
  const name = basename(path);
  const src = fileSource(() => openRegularFile(path, name), name, size);
  const headBytes = await src.head(HEAD_BYTES);
  const ascii = headBytes.subarray(0, 64).toString('latin1');
  if (
    name.toLowerCase().endsWith('.age') ||
    ascii.startsWith('age-encryption.org/') ||
    ascii.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')
  ) {
    throw new AndroidInputError(
      `${name} is encrypted with age (an AndroidQF archive written with a public key in key.txt). Decrypt it with the matching age private key first (for example "age -d -i key.txt -o out.zip ${name}") and open the resulting .zip.`,
    );
  }
  if (ascii.startsWith('PK\x03\x04') || ascii.startsWith('PK\x05\x06')) {
    return readZipInput(path, name, c, options);
  }
  const head = headBytes.toString('utf8');
  if (looksLikeDumpsysText(head)) {
    await splitSource(src, c);
    return 'file';
  }
  const single = detectSingleDump(head);
  if (single !== null) {
    await readSection(single, src, c);
    return 'file';
  }
  throw new AndroidInputError(
    `${name} looks like ${describeFileHead(headBytes)}, not a bugreport, AndroidQF output or dumpsys appops/usagestats/package or getprop output.`,
  );
}

async function readZipInput(
  path: string,
  name: string,
  c: Collector,
  options: AndroidInputOptions,
): Promise<AndroidInputKind> {
  const zip = await openZip(path, options.zipLimits);
  try {
    for (const p of zip.problems) c.problems.push(`${name}: ${p}`);
    c.files.push({ name, size: zip.size, sha256: await hashFile(path) });
    const used = new Set<ZipEntry>();

    const main = await findBugreportMain(zip, c, '');
    if (main !== null) {
      used.add(main);
      await splitSource(entrySource(zip, main, main.name), c);
      ignoreEntries(c, zip, used);
      return 'bugreport';
    }

    const qf = findQfPrefix(zip);
    if (qf !== null) {
      for (const e of zip.entries) {
        if (e.path === null || e.isDirectory || !e.path.startsWith(qf)) continue;
        const base = e.path.slice(qf.length);
        if (base.includes('/')) continue;
        if (base === 'bugreport.zip') continue;
        const refused = refusalNote(e);
        if (refused !== null) {
          if (isQfName(base)) c.problems.push(refused);
          continue;
        }
        if (await readQfFile(base, e.name, async () => entrySource(zip, e, e.name), c)) {
          used.add(e);
        }
      }
      const nested = zip.findEntry(`${qf}bugreport.zip`);
      if (nested && c.missingWanted().length > 0) {
        c.problems.push(
          `${nested.name} (an archive inside the archive) was not read; extract it and open it separately for ${c.missingWanted().join(', ')}.`,
        );
      }
      ignoreEntries(c, zip, used);
      return 'androidqf-zip';
    }

    const first = zip.entries.find((e) => !e.isDirectory && e.refusal === null);
    if (first) {
      const head = await entryHead(zip, first);
      if (looksLikeDumpsysText(head)) {
        c.problems.push(
          `${name} has no version.txt or main_entry.txt; its first entry "${first.name}" was taken as the main text.`,
        );
        used.add(first);
        await splitSource(entrySource(zip, first, first.name), c);
        ignoreEntries(c, zip, used);
        return 'bugreport';
      }
    }
    const listed = zip.entries.slice(0, 8).map((e) => e.name);
    throw new AndroidInputError(
      `${name} is a ZIP archive with ${zip.entries.length} entries${listed.length ? ` (${listed.join(', ')}${zip.entries.length > listed.length ? ', …' : ''})` : ''} but neither a bugreport (no version.txt, main_entry.txt or bugreport-*.txt with dumpsys sections) nor AndroidQF output (no dumpsys.txt, getprop.txt, packages.json or acquisition.json).`,
    );
  } finally {
    await zip.close();
  }
}

// A bugreport inside an AndroidQF folder: only the services still missing are taken from it.
async function readNestedBugreport(
  path: string,
  name: string,
  c: Collector,
  options: AndroidInputOptions,
): Promise<void> {
  const wanted = new Set(c.missingWanted());
  let zip: ZipArchive;
  try {
    zip = await openZip(path, options.zipLimits);
  } catch (err) {
    c.problems.push(`${name} cannot be read: ${errorText(err)}.`);
    return;
  }
  try {
    c.files.push({ name, size: zip.size, sha256: await hashFile(path) });
    const main = await findBugreportMain(zip, c, `${name}!/`);
    if (main === null) {
      c.problems.push(`${name} holds no bugreport main text.`);
      return;
    }
    await splitSource(entrySource(zip, main, `${name}!/${main.name}`), c, wanted);
  } finally {
    await zip.close();
  }
}

// The main text of a bugreport archive (bugreport-format.md): with version.txt, the entry
// named by main_entry.txt (trimmed); otherwise the usual names. Null when this is no bugreport.
async function findBugreportMain(
  zip: ZipArchive,
  c: Collector,
  prefix: string,
): Promise<ZipEntry | null> {
  const pointer = zip.findEntry('main_entry.txt');
  const version = zip.findEntry('version.txt');
  if (pointer) {
    if (!version) {
      c.problems.push(
        `${prefix}The bugreport has no version.txt; main_entry.txt was followed anyway.`,
      );
    }
    if (pointer.refusal !== null) {
      throw new AndroidInputError(`${prefix}${refusalNote(pointer)}`);
    }
    const buf = await zip.readEntry(pointer, { maxBytes: 4096 });
    c.files.push({
      name: `${prefix}${pointer.name}`,
      size: buf.length,
      sha256: sha256(buf),
    });
    const named = buf.toString('utf8').trim();
    const entry = zip.findEntry(named);
    if (entry && !entry.isDirectory) return checkReadable(entry, prefix);
    c.problems.push(
      `${prefix}main_entry.txt names "${named}", which is not an entry of the archive.`,
    );
  } else if (version) {
    c.problems.push(`${prefix}The bugreport has version.txt but no main_entry.txt.`);
  }
  const files = zip.entries.filter((e) => e.path !== null && !e.isDirectory);
  const named =
    files.find((e) => /^bugreport-[^/]*\.txt$/.test(e.path!)) ??
    files.find((e) => /^dumpState_[^/]*\.log$/.test(e.path!));
  if (named) return checkReadable(named, prefix);
  if (pointer || version) {
    const first = files[0];
    if (first) {
      c.problems.push(`${prefix}The first entry "${first.name}" was taken as the main text.`);
      return checkReadable(first, prefix);
    }
    throw new AndroidInputError(`${prefix}The bugreport archive holds no main text.`);
  }
  return null;
}

function checkReadable(entry: ZipEntry, prefix: string): ZipEntry {
  if (entry.refusal !== null) {
    throw new AndroidInputError(`${prefix}The main text ${refusalNote(entry)}`);
  }
  return entry;
}

// AndroidQF files sit at the root or under one folder (`<UUID>/`); the folder holding most
// of them wins.
function findQfPrefix(zip: ZipArchive): string | null {
  const counts = new Map<string, number>();
  for (const e of zip.entries) {
    if (e.path === null || e.isDirectory) continue;
    const parts = e.path.split('/');
    if (parts.length > 2) continue;
    const base = parts.at(-1)!;
    if (!QF_MARKERS.includes(base)) continue;
    const prefix = parts.length === 2 ? `${parts[0]}/` : '';
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [prefix, n] of counts) {
    if (n > bestCount) {
      best = prefix;
      bestCount = n;
    }
  }
  return best;
}

function isQfName(base: string): boolean {
  return QF_MARKERS.includes(base) || QF_SETTINGS.test(base);
}

function refusalNote(e: ZipEntry): string | null {
  return e.refusal === null ? null : `"${e.name}" cannot be read: ${e.refusal.message}.`;
}

function ignoreEntries(c: Collector, zip: ZipArchive, used: ReadonlySet<ZipEntry>): void {
  const meta = new Set(['main_entry.txt']);
  for (const e of zip.entries) {
    if (used.has(e) || e.isDirectory || (e.path !== null && meta.has(e.path))) continue;
    const why = e.unsafeReason ?? (e.refusal ? e.refusal.message : null);
    c.ignored.push(`${e.name}${why ? ` (${why})` : ''}`);
  }
}

async function entryHead(zip: ZipArchive, entry: ZipEntry): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of zip.openEntryStream(entry)) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= HEAD_BYTES) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Reading texts

// A file read through a fresh handle each time: the opener refuses anything but a regular file.
function fileSource(openFile: () => Promise<FileHandle>, name: string, size: number): Source {
  return {
    name,
    size,
    async head(bytes) {
      const fh = await openFile();
      try {
        const buf = Buffer.alloc(Math.min(bytes, size));
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    async *chunks() {
      const fh = await openFile();
      try {
        let pos = 0;
        for (;;) {
          const buf = Buffer.allocUnsafe(READ_CHUNK);
          const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, pos);
          if (bytesRead === 0) return;
          pos += bytesRead;
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    },
  };
}

function entrySource(zip: ZipArchive, entry: ZipEntry, name: string): Source {
  if (entry.refusal !== null) {
    throw new AndroidInputError(`${name} cannot be read: ${entry.refusal.message}.`);
  }
  return {
    name,
    size: entry.uncompressedSize,
    async head() {
      return Buffer.from(await entryHead(zip, entry));
    },
    chunks: () => zip.openEntryStream(entry),
  };
}

// Streams the bytes through a hash, recording the file once they have all been read.
async function* hashed(src: Source, c: Collector): AsyncGenerator<Uint8Array> {
  const hash: Hash = createHash('sha256');
  let size = 0;
  for await (const chunk of src.chunks()) {
    hash.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  c.files.push({ name: src.name, size, sha256: hash.digest('hex') });
}

async function* linesOf(src: Source, c: Collector): AsyncGenerator<string> {
  const warn = (w: ImportWarning) => {
    if (w.code === 'LINE_TOO_LONG') c.problems.push(`${src.name}: ${w.message}`);
  };
  for await (const batch of readLineBatches(hashed(src, c), { warn })) {
    for (const l of batch) yield l.text;
    if (c.stream?.pause) await c.stream.pause();
  }
}

// Splits a main text line by line, keeping the wanted services only; returns every service
// the text holds.
async function splitSource(
  src: Source,
  c: Collector,
  only?: ReadonlySet<string>,
): Promise<string[]> {
  const keep = only ?? c.wanted;
  const stream = c.stream;
  const splitter = new DumpSplitter({
    keep: (service) => keep.has(service),
    maxKeptChars: c.remaining(),
    stream: stream ? (service, startLine) => stream.open(service, src.name, startLine) : undefined,
  });
  try {
    for await (const line of linesOf(src, c)) splitter.push(line);
  } catch (err) {
    if (err instanceof ZipError || err instanceof DumpTooLargeError) {
      throw new AndroidInputError(`${src.name}: ${err.message}`);
    }
    throw err;
  }
  const split = splitter.finish();
  addSplit(split, src.name, c);
  return [...new Set(split.sections.map((x) => x.service))];
}

function addSplit(split: DumpSplit, origin: string, c: Collector): void {
  for (const p of split.problems) {
    c.problems.push(`${origin}${p.line !== null ? ` line ${p.line}` : ''}: ${p.message}`);
  }
  if (split.header.dumpstateTime !== null && c.header === null) {
    c.header = split.header;
    c.capture.push({
      kind: 'dumpstate',
      text: split.header.dumpstateTime,
      source: `${origin} line ${split.header.dumpstateLine}: dumpstate header`,
    });
  }
  const lines = new Map<string, number[]>();
  for (const s of split.sections) {
    if (!s.kept) continue;
    c.charge(s.text.length, origin);
    const matched = s.endMarkerService === s.service;
    c.sections.push({
      service: s.service,
      text: s.text,
      origin,
      startLine: s.startLine,
      endedAt: matched ? s.endedAt : null,
    });
    lines.set(s.service, [...(lines.get(s.service) ?? []), s.headerLine]);
    if (matched && s.endedAt !== null) {
      c.capture.push({
        kind: 'end-line',
        text: s.endedAt,
        source: `${origin} line ${s.endMarkerLine}: end line of dumpsys ${s.service}`,
      });
    }
  }
  for (const [service, at] of lines) {
    if (at.length > 1) {
      c.problems.push(
        `${origin} holds ${at.length} "${service}" sections (headers on lines ${at.join(', ')}); all are kept.`,
      );
    }
  }
}

// A whole file as one section: streamed line by line, or read whole.
async function readSection(
  service: string,
  src: Source,
  c: Collector,
  origin: string = src.name,
): Promise<void> {
  if (!c.stream) {
    c.addSection(service, await readLinesText(src, c), origin);
    return;
  }
  const sink = c.stream.open(service, origin, 1);
  let lineNo = 0;
  try {
    for await (const line of linesOf(src, c)) sink.line(line, ++lineNo);
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  }
  sink.end();
  c.sections.push({ service, text: '', origin, startLine: 1, endedAt: null });
}

// Reads a whole text line by line (CRLF becomes LF), counted against the section bound.
async function readLinesText(src: Source, c: Collector): Promise<string> {
  const lines: string[] = [];
  let chars = 0;
  try {
    for await (const line of linesOf(src, c)) {
      chars += line.length + 1;
      if (chars > c.remaining()) {
        throw new AndroidInputError(
          `${src.name} exceeds the limit of ${c.maxChars} characters of section text.`,
        );
      }
      lines.push(line);
    }
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  }
  const text = lines.join('\n');
  c.charge(text.length, src.name);
  return text;
}

async function readJson(src: Source, c: Collector): Promise<string> {
  if (src.size > c.maxJsonBytes) {
    throw new AndroidInputError(
      `${src.name} is ${src.size} bytes, more than the ${c.maxJsonBytes} bytes allowed for a JSON file.`,
    );
  }
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of hashed(src, c)) parts.push(chunk);
  } catch (err) {
    if (err instanceof ZipError) throw new AndroidInputError(`${src.name}: ${err.message}`);
    throw err;
  }
  const text = new TextDecoder('utf-8').decode(Buffer.concat(parts));
  c.charge(text.length, src.name);
  return text;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const src = fileSource(() => openRegularFile(path, basename(path)), basename(path), 0);
  for await (const chunk of src.chunks()) hash.update(chunk);
  return hash.digest('hex');
}

function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Result

const CAPTURE_ORDER: Record<'bugreport' | 'androidqf', CaptureSource[]> = {
  bugreport: ['dumpstate', 'completed', 'started', 'end-line'],
  androidqf: ['completed', 'started', 'dumpstate', 'end-line'],
};

function finish(kind: AndroidInputKind, c: Collector): AndroidInput {
  const found: string[] = [];
  for (const s of c.sections) if (!found.includes(s.service)) found.push(s.service);
  const missing = CORE_SERVICES.filter((s) => !found.includes(s));
  const order = CAPTURE_ORDER[kind.startsWith('androidqf') ? 'androidqf' : 'bugreport'];
  let captureTime: AndroidInput['captureTime'] = null;
  for (const k of order) {
    const candidates = c.capture.filter((x) => x.kind === k);
    // Among end lines, the appops one is the moment the main privacy source was dumped.
    const pick =
      k === 'end-line'
        ? (candidates.find((x) => x.source.endsWith('dumpsys appops')) ?? candidates[0])
        : candidates[0];
    if (pick) {
      captureTime = { text: pick.text, source: pick.source };
      break;
    }
  }
  const getprop = c.sections.find((s) => s.service === 'getprop');
  return {
    kind,
    files: c.files,
    sections: c.sections,
    found,
    missing,
    captureTime,
    header: c.header,
    properties: readProperties(getprop?.text ?? ''),
    ignored:
      c.ignored.length > MAX_IGNORED_LISTED
        ? [
            ...c.ignored.slice(0, MAX_IGNORED_LISTED),
            `… and ${c.ignored.length - MAX_IGNORED_LISTED} more`,
          ]
        : c.ignored,
    problems: c.problems,
  };
}

function readProperties(text: string): AndroidDeviceProperties {
  const props = new Map<string, string>();
  for (const m of text.matchAll(/^\[([^\]]+)\]: \[(.*)\]\s*$/gm)) props.set(m[1]!, m[2]!);
  const get = (key: string) => {
    const v = props.get(key);
    return v === undefined || v === '' ? null : v;
  };
  return {
    sdk: get('ro.build.version.sdk'),
    release: get('ro.build.version.release'),
    fingerprint: get('ro.build.fingerprint'),
    manufacturer: get('ro.product.manufacturer'),
    model: get('ro.product.model'),
    timeZone: get('persist.sys.timezone'),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
}

// Single files and ZIP archives: a bugreport zip, an AndroidQF zip, or one text.
import { basename } from 'node:path';
import { openZip, type ZipArchive, type ZipEntry } from '../../../formats/zip/index';
import { describeFileHead } from '../../describe-file';
import { openRegularFile } from '../../evidence-file';
import { detectSingleDump, looksLikeDumpsysText } from '../sections';
import { readQfFile } from './androidqf';
import type { Collector } from './collector';
import {
  AndroidInputError,
  HEAD_BYTES,
  QF_MARKERS,
  QF_SETTINGS,
  errorText,
  type AndroidInputKind,
  type AndroidInputOptions,
} from './collector';
import {
  entryHead,
  entrySource,
  fileSource,
  hashFile,
  readSection,
  sha256,
  splitSource,
} from './texts';

/** Reads one file: a bugreport or AndroidQF zip, or a dumpsys, getprop or single-command text. */
export async function readFileInput(
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
    // A read for the facts only does not hash: the full read does.
    c.files.push({ name, size: zip.size, sha256: c.factsOnly ? '' : await hashFile(path) });
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

/** A bugreport inside an AndroidQF folder: only the services still missing are taken from it. */
export async function readNestedBugreport(
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

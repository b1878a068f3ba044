// Capture folders: an extracted bugreport, AndroidQF output, or a folder of plain outputs.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EvidenceFileError, EvidenceFolder, describeFileKind } from '../../evidence-file';
import { detectSingleDump, looksLikeDumpsysText } from '../sections';
import { readQfFile } from './androidqf';
import type { Collector } from './collector';
import {
  AndroidInputError,
  HEAD_BYTES,
  QF_FOLDER_MARKERS,
  errorText,
  type AndroidInputKind,
  type AndroidInputOptions,
  type Source,
} from './collector';
import { fileSource, listMainText, readLinesText, readSection, splitSource } from './texts';
import { readNestedBugreport } from './zip';

/** Reads a capture folder: an extracted bugreport, AndroidQF output, or plain outputs. */
export async function readFolder(
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
    // What a bugreport.zip inside is read for depends on the services dumpsys.txt holds.
    const listMain = c.passOverMain && !files.has('bugreport.zip');
    for (const name of files.keys()) {
      try {
        if (await readQfFile(name, name, () => src(name), c, listMain)) used.add(name);
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
      if (single !== null && c.passOver.has(single)) {
        // Listed for the read of its records, which reads (and hashes) it once.
        c.files.push({ name, size: s.size, sha256: null });
        c.sections.push({ service: single, text: '', origin: name, startLine: 1, endedAt: null });
        used.add(name);
      } else if (single !== null) {
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
  if (c.passOverMain) await listMainText(await src(main), c);
  else await splitSource(await src(main), c);
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

// A folder of exports (e.g. a week of App Privacy Reports saved side by side): each file in it is
// its own source, recognised by its own importer. Hidden files, sub-folders and anything that is
// not a regular file are listed as skipped, never read.
import { readdir } from 'node:fs/promises';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';
import type { Importer, ImporterManifest, ParseItem } from '../importer';
import { folderMemberSource } from '../sources';

export const exportFolderManifest: ImporterManifest = {
  id: 'export-folder',
  name: 'Folder of exports',
  version: '1.0.0',
  platform: 'unknown',
  reads:
    'A folder holding export files side by side (App Privacy Reports, dumpsys texts): each file is read by the importer that recognises it.',
  proves: ['Nothing of its own: each file proves what its own format proves.'],
  doesNotProve: ['That the files come from one device: each is imported into the chosen device.'],
};

const EXPORT_NAME = /\.(ndjson|json|txt|jsonl)$/i;
/** A folder of more files than this is not read as a folder of exports (it is something else). */
const MAX_FILES = 10_000;

export const exportFolderImporter: Importer = {
  manifest: exportFolderManifest,
  accepts: {
    input: 'folder',
    extensions: [],
    looksFor: 'a folder of .ndjson, .json or .txt export files',
  },
  sniff(probe) {
    if (probe.kind !== 'folder') return { confidence: 0, reason: 'a file, not a folder' };
    const exports = probe.entries.filter((n) => !n.startsWith('.') && EXPORT_NAME.test(n));
    if (exports.length === 0)
      return { confidence: 0, reason: 'no .ndjson, .json or .txt file in the folder' };
    return {
      confidence: 0.4,
      reason: `a folder of ${exports.length} export file${exports.length === 1 ? '' : 's'}`,
    };
  },
  async *parse(source) {
    const folder = await EvidenceFolder.at(source.path);
    const names = (await readdir(folder.path)).sort();
    if (names.length > MAX_FILES) {
      yield [
        {
          type: 'refusal',
          message: `${source.path} holds ${names.length} entries, more than the ${MAX_FILES} a folder of exports may hold; import its files directly.`,
        },
      ];
      return;
    }
    const skipped: string[] = [];
    const out: ParseItem[] = [];
    for (const name of names) {
      if (name.startsWith('.')) {
        skipped.push(`${name} (a hidden file)`);
        continue;
      }
      try {
        const { stats } = await folder.inspect(name);
        if (!stats.isFile()) {
          skipped.push(`${name} (${stats.isDirectory() ? 'a folder' : 'not a regular file'})`);
          continue;
        }
        out.push({ type: 'member', source: folderMemberSource(folder, name, stats.size) });
      } catch (e) {
        if (!(e instanceof EvidenceFileError)) throw e;
        skipped.push(`${name} (${e.message})`);
      }
    }
    if (skipped.length > 0)
      out.unshift({
        type: 'warning',
        warning: {
          line: null,
          locator: source.name,
          code: 'CAPTURE_NOTE',
          message: `Not read from ${source.name}: ${skipped.join('; ')}.`,
        },
      });
    yield out;
  },
};

// Runs a backup's parse the way the import pipeline does, without a case: the container's items,
// then each member through its own importer. Tests, the property tests and the bench use it.
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportRecord } from '../../model/import-records';
import type { ImportCache, MemberRecord, ParseContext } from '../importer';
import { folderSource } from '../sources';
import { IOS_BACKUP_IMPORTERS, iosBackupImporter } from './index';

export { folderSource };

/** One member as parsed: what the container said of it, and the records its importer yielded. */
export interface ParsedMember {
  member: MemberRecord;
  records: ImportRecord[];
}

/** What one parse of a backup folder gave. */
export interface ParsedBackup {
  records: ImportRecord[];
  members: ParsedMember[];
}

export interface DriveOptions {
  password?: string;
  timeZone?: string;
  cache?: ImportCache;
  signal?: AbortSignal;
  onProgress?: (fraction: number, detail: string) => void;
}

/** An import cache in a map. */
export function mapCache(): ImportCache & { size(): number } {
  const m = new Map<string, unknown>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), size: () => m.size };
}

/** The folder as the container's source. */

/** Parses a backup folder and each of its members; throws what a parse throws. */
export async function driveBackup(dir: string, o: DriveOptions = {}): Promise<ParsedBackup> {
  const cache = o.cache ?? mapCache();
  const signal = o.signal ?? new AbortController().signal;
  const context = (hints: Record<string, unknown>): ParseContext => ({
    timeZone: o.timeZone,
    password: o.password,
    hints,
    signal,
    cache,
    onProgress: o.onProgress ?? (() => undefined),
  });
  const out: ParsedBackup = { records: [], members: [] };
  for await (const batch of iosBackupImporter.parse(folderSource(dir), context({}))) {
    for (const item of batch) {
      if (item.type !== 'member') {
        out.records.push(item);
        continue;
      }
      const importer = IOS_BACKUP_IMPORTERS.find((i) => i.manifest.id === item.importer);
      if (!importer) throw new Error(`No importer ${String(item.importer)}.`);
      const records: ImportRecord[] = [];
      for await (const b of importer.parse(item.source, context(item.hints ?? {})))
        for (const r of b) if (r.type !== 'member') records.push(r);
      out.members.push({ member: item, records });
    }
  }
  return out;
}

/** The folder listing a sniff sees. */
export async function folderProbe(
  dir: string,
): Promise<{ kind: 'folder'; name: string; entries: string[] }> {
  return { kind: 'folder', name: basename(dir), entries: await readdir(dir) };
}

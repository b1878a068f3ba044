// Test helper: runs an Android importer's parse the way the pipeline does (members parsed by the
// importer they name, with their hints) and gathers each source's records.
import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { ImportRecord } from '../../model/import-records';
import type { Importer, ParseContext, SourceInput } from '../importer';
import { androidCaptureImporter } from './capture-importer';
import { androidDumpsysImporter } from './dumpsys-importer';

/** The records of one source, with the source's name. */
export interface ParsedSource {
  name: string;
  records: ImportRecord[];
  /** The most records handed on in one batch. */
  largestBatch: number;
}

/** A top-level input at a path, as the pipeline hands it over. */
export async function inputAt(path: string): Promise<SourceInput> {
  const st = await stat(path);
  return {
    kind: st.isDirectory() ? 'folder' : 'file',
    path,
    name: basename(path),
    size: st.isDirectory() ? 0 : st.size,
    locator: null,
    sha256: null,
    async *chunks() {
      if (st.isDirectory()) throw new Error('a folder has no bytes');
      for await (const c of createReadStream(path)) yield c as Buffer;
    },
  };
}

/** Parses `path` with `importer` (members with the importer they name) into sources. */
export async function parseAll(
  path: string,
  options: { importer?: Importer; timeZone?: string } = {},
): Promise<ParsedSource[]> {
  const importers = [androidCaptureImporter, androidDumpsysImporter];
  const out: ParsedSource[] = [];
  const run = async (
    importer: Importer,
    source: SourceInput,
    hints: Record<string, unknown>,
  ): Promise<void> => {
    const ctx: ParseContext = {
      timeZone: options.timeZone,
      hints,
      signal: new AbortController().signal,
      cache: { get: () => undefined, set: () => {} },
      onProgress: () => {},
    };
    const mine: ParsedSource = { name: source.name, records: [], largestBatch: 0 };
    out.push(mine);
    for await (const batch of importer.parse(source, ctx)) {
      mine.largestBatch = Math.max(mine.largestBatch, batch.length);
      for (const item of batch) {
        if (item.type === 'member') {
          const next = importers.find((i) => i.manifest.id === item.importer)!;
          await run(next, item.source, item.hints ?? {});
        } else mine.records.push(item);
      }
    }
  };
  await run(options.importer ?? androidCaptureImporter, await inputAt(path), {});
  return out.filter((s) => s.records.length > 0);
}

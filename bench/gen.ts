import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { generateExportLines } from '../src/core/testing/apr-fixture';

/** Writes a generated App Privacy Report export of about `lines` lines, unless it exists already. */
export async function ensureExport(
  path: string,
  lines: number,
): Promise<{ path: string; bytes: number; lines: number }> {
  const intervals = Math.floor((lines - Math.floor(lines / 100)) / 2);
  const networkRows = lines - intervals * 2;
  if (!existsSync(path)) {
    const out = createWriteStream(path);
    let buf = '';
    for (const line of generateExportLines({
      intervals,
      startMs: Date.UTC(2024, 0, 1),
      offsetMin: 120,
      seed: 7,
      networkRows,
    })) {
      buf += line + '\n';
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    out.end(buf);
    await once(out, 'finish');
  }
  return { path, bytes: statSync(path).size, lines: intervals * 2 + networkRows };
}

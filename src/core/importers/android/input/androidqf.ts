// AndroidQF output files, in a folder or a zip: dumpsys.txt, getprop.txt, settings_*.txt and the
// JSON files.
import { detectSingleDump } from '../sections';
import type { Collector } from './collector';
import { HEAD_BYTES, QF_SETTINGS, errorText, type Source } from './collector';
import { listMainText, readJson, readLinesText, readSection, splitSource } from './texts';

function isQfFileName(base: string): boolean {
  return QF_SETTINGS.test(base) || base === 'packages.json' || base === 'acquisition.json';
}

/**
 * Reads one AndroidQF file by its base name; false when the name is not one that is read. With
 * `listMain`, dumpsys.txt is only listed for the read of its records (see `listMainText`).
 */
export async function readQfFile(
  base: string,
  origin: string,
  open: () => Promise<Source>,
  c: Collector,
  listMain = false,
): Promise<boolean> {
  if (base === 'dumpsys.txt') {
    if (listMain) await listMainText(await open(), c);
    else await splitSource(await open(), c);
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
  // A read for the facts wants getprop only (read above); the other files are left for the full read.
  if (c.factsOnly) return isQfFileName(base);
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

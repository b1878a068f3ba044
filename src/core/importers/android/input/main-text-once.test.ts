import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportRecord } from '../../../model/import-records';
import { importPath } from '../../../services/import-pipeline';
import {
  CAPTURE_MS,
  CAPTURE_ZONE,
  captureAppops,
  captureDumpsys,
  captureGetprop,
  capturePackages,
  capturePackagesJson,
} from '../../../testing/android-capture';
import { tempCase, type TempCase } from '../../../testing/temp-case';
import { EvidenceFolder } from '../../evidence-file';
import { parseAll, type ParsedSource } from '../testing-parse';
import { DumpSplitter } from '../sections';
import { READ_CHUNK } from './collector';

// An extracted bugreport folder's main text and an AndroidQF folder's dumpsys.txt are split once,
// by the member that reads their records: the container's first read only searches their bytes for
// the first getprop section and stops there. What that split finds (notes, the capture time) is
// what a read of the whole folder found.

const RULE = '-'.repeat(79);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let t: TempCase;
/** Bytes read from each file of an evidence folder, by name, through every handle opened. */
let bytesRead: Map<string, number>;
/** Lines handed to a section splitter, in every read. */
let linesSplit: number;

beforeEach(() => {
  t = tempCase();
  bytesRead = new Map();
  linesSplit = 0;
  const push = DumpSplitter.prototype.push;
  vi.spyOn(DumpSplitter.prototype, 'push').mockImplementation(function (
    this: DumpSplitter,
    line: string,
  ) {
    linesSplit += 1;
    push.call(this, line);
  });
  const open = EvidenceFolder.prototype.open;
  vi.spyOn(EvidenceFolder.prototype, 'open').mockImplementation(async function (
    this: EvidenceFolder,
    name: string,
  ) {
    const opened = await open.call(this, name);
    const handle = opened.handle;
    const read = handle.read.bind(handle) as (...a: unknown[]) => Promise<{ bytesRead: number }>;
    // A file stream over the handle reads through this method too.
    handle.read = (async (...args: unknown[]) => {
      const r = await read(...args);
      bytesRead.set(name, (bytesRead.get(name) ?? 0) + r.bytesRead);
      return r;
    }) as typeof handle.read;
    return opened;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  t.cleanup();
});

/** A main text of over a megabyte: getprop first, then many app-op lines and a package dump. */
function bigMainText(extra: string[] = []): string {
  const appops = captureAppops().trimEnd();
  const lines = [
    '== dumpstate: 2025-06-18 19:20:45',
    '',
    '------ SYSTEM PROPERTIES (getprop) ------',
    captureGetprop().trimEnd(),
    RULE,
    'DUMP OF SERVICE appops:',
    appops,
  ];
  // The same packages again and again: the text is large, the records stay few.
  while (lines.join('\n').length < 1_200_000) lines.push(appops.split('\n').slice(1).join('\n'));
  lines.push(
    '--------- 0.050s was the duration of dumpsys appops, ending at: 2025-06-18 19:20:50',
    RULE,
    'DUMP OF SERVICE package:',
    capturePackages().trimEnd(),
    ...extra,
  );
  return lines.join('\n') + '\n';
}

function writeBugreportFolder(main: string): string {
  const dir = join(t.dir, 'bugreport');
  mkdirSync(dir);
  writeFileSync(join(dir, 'version.txt'), '2.0');
  writeFileSync(join(dir, 'main_entry.txt'), 'bugreport-x.txt\n');
  writeFileSync(join(dir, 'bugreport-x.txt'), main);
  return dir;
}

const ofType = <K extends ImportRecord['type']>(
  records: readonly ImportRecord[],
  type: K,
): Extract<ImportRecord, { type: K }>[] =>
  records.filter((r): r is Extract<ImportRecord, { type: K }> => r.type === type);

const captureTimeOf = (s: ParsedSource | undefined): unknown =>
  ofType(s?.records ?? [], 'clock')[0]?.details?.captureTime;

const notesOf = (s: ParsedSource | undefined): string[] =>
  ofType(s?.records ?? [], 'warning').map((w) => `${w.warning.locator}: ${w.warning.message}`);

describe('an extracted bugreport folder', () => {
  it('reads its main text once: the first read stops after the getprop section', async () => {
    const dir = writeBugreportFolder(bigMainText());
    const size = statSync(join(dir, 'bugreport-x.txt')).size;
    const sources = await parseAll(dir);
    expect(sources.map((s) => s.name)).toEqual(['bugreport', 'bugreport-x.txt']);
    // The member's read is the whole file; the first read, its first chunk or so.
    expect(bytesRead.get('bugreport-x.txt')).toBeGreaterThanOrEqual(size);
    expect(bytesRead.get('bugreport-x.txt')).toBeLessThanOrEqual(size + 2 * READ_CHUNK);
    // Its lines are split once, and the getprop section's lines (near its start) once more.
    const lines = bigMainText().split('\n');
    const getpropLines = lines.indexOf(RULE) + 1;
    expect(linesSplit).toBeLessThanOrEqual(lines.length + getpropLines);
    expect(sources[0]!.records[0]).toMatchObject({
      type: 'device',
      facts: { model: 'Pixel 7', time_zone: CAPTURE_ZONE },
    });
    expect(ofType(sources[1]!.records, 'access-interval').length).toBeGreaterThan(0);
    expect(captureTimeOf(sources[1])).toEqual({
      text: '2025-06-18 19:20:45',
      source: 'bugreport-x.txt line 1: dumpstate header',
    });
  });

  it('notes on the main text’s source what splitting it finds, and on the capture what it lacks', async () => {
    const main = bigMainText([
      RULE,
      'DUMP OF SERVICE package:',
      'Packages:',
      `  ${'x'.repeat(1024 * 1024 + 8)}`,
      '--------- 0.050s was the duration of dumpsys appops, ending at: 2025-06-18 19:20:51',
    ]);
    const dir = writeBugreportFolder(main);
    const lines = main.split('\n');
    const second = lines.lastIndexOf('DUMP OF SERVICE package:') + 1;
    const first = lines.indexOf('DUMP OF SERVICE package:') + 1;
    const r = await importPath(t.session.db, dir, {});
    const member = r.outcomes.find((o) => o.path.endsWith('bugreport-x.txt'))!;
    expect(member.status).toBe('imported');
    expect(member.sha256).toBe(sha256(readFileSync(join(dir, 'bugreport-x.txt'))));
    const messages = member.warnings.map((w) => w.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        `Line ${second + 2} is longer than 1048576 bytes and was skipped.`,
        expect.stringMatching(
          /^The section "package" \(header on line \d+\) ends with the end line of dumpsys "appops"/,
        ),
        `bugreport-x.txt holds 2 "package" sections (headers on lines ${first}, ${second}); all are kept.`,
      ]),
    );
    expect(r.notes.map((n) => n.message)).toEqual([
      'Found getprop, appops, package; not found: usagestats.',
    ]);
  });

  it('gives the end line of dumpsys appops as the capture time when there is no header', async () => {
    const dir = writeBugreportFolder(bigMainText().replace(/^== dumpstate: .*\n/, ''));
    const sources = await parseAll(dir);
    const at = bigMainText()
      .split('\n')
      .findIndex((l) => l.includes('ending at: 2025-06-18 19:20:50'));
    expect(captureTimeOf(sources[1])).toEqual({
      text: '2025-06-18 19:20:50',
      source: `bugreport-x.txt line ${at}: end line of dumpsys appops`,
    });
  });

  it('still splits the main text first when only its app-op lines can give the clock', async () => {
    // capture.json gives the capture time but no zone, and getprop names none either.
    const main = bigMainText().replace(captureGetprop().trimEnd(), captureGetprop({ zone: null }));
    const dir = writeBugreportFolder(main);
    writeFileSync(
      join(dir, 'capture.json'),
      JSON.stringify({ format: 'snoopscope-adb-capture', hostTimeMs: CAPTURE_MS }),
    );
    const r = await importPath(t.session.db, dir, {});
    const member = r.outcomes.find((o) => o.path.endsWith('bugreport-x.txt'))!;
    expect(member.status).toBe('imported');
    expect(member.timeZone).toMatchObject({ zone: null, source: 'derived' });
  });
});

describe('an AndroidQF folder', () => {
  function writeQf(acquisition: Record<string, string> | null): string {
    const dir = join(t.dir, 'qf');
    mkdirSync(dir);
    writeFileSync(join(dir, 'getprop.txt'), captureGetprop());
    writeFileSync(join(dir, 'dumpsys.txt'), captureDumpsys());
    writeFileSync(join(dir, 'packages.json'), capturePackagesJson());
    if (acquisition) writeFileSync(join(dir, 'acquisition.json'), JSON.stringify(acquisition));
    return dir;
  }

  it('reads dumpsys.txt once, first, and gives its end line as every file’s capture time', async () => {
    const dir = writeQf(null);
    const sources = await parseAll(dir);
    expect(sources.map((s) => s.name)).toEqual([
      'qf',
      'dumpsys.txt',
      'getprop.txt',
      'packages.json',
    ]);
    // No getprop section in dumpsys.txt: the first read searches its bytes without splitting them.
    const size = statSync(join(dir, 'dumpsys.txt')).size;
    expect(bytesRead.get('dumpsys.txt')).toBe(2 * size);
    // Every line once (the text ends with a line break: no empty line after it).
    expect(linesSplit).toBe(captureDumpsys().split('\n').length - 1);
    const at = captureDumpsys()
      .split('\n')
      .findIndex((l) => l.includes('duration of dumpsys appops'));
    for (const s of sources.slice(1))
      expect(captureTimeOf(s), s.name).toEqual({
        text: '2025-06-18 19:20:45',
        source: `dumpsys.txt line ${at + 1}: end line of dumpsys appops`,
      });
    expect(notesOf(sources[0])).toEqual([]);
  });

  it('keeps acquisition.json’s completed time before any time dumpsys.txt prints', async () => {
    const dir = writeQf({ completed: '2025-06-18T19:30:00Z', started: '2025-06-18T19:00:00Z' });
    const sources = await parseAll(dir);
    for (const s of sources.slice(1))
      expect(captureTimeOf(s), s.name).toEqual({
        text: '2025-06-18T19:30:00Z',
        source: 'acquisition.json: completed',
      });
  });
});

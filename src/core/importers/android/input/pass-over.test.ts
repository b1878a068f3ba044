import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SYNTHETIC_DEVICE_EPOCH_SECONDS,
  syntheticAdbOutputs,
} from '../../../acquire/testing/stand-in-adb';
import { importPath } from '../../../services/import-pipeline';
import { tempCase, type TempCase } from '../../../testing/temp-case';
import { readAndroidInput, type AndroidSectionStream } from '../input';

// A folder of single-command outputs (a Snoopscope adb capture) is read once: the container's
// first read takes getprop (and app ops when the clock may have to come from them) and only lists
// the other outputs, which their members then read and hash.

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let t: TempCase;
let dir: string;

/** Writes an adb capture folder; `timeZone` in capture.json and getprop, or none in either. */
function writeCapture(timeZone: string | null, extra: Record<string, string> = {}): void {
  const out = syntheticAdbOutputs(34, timeZone);
  const files: Record<string, string> = {
    'getprop.txt': out.getprop!,
    'date.txt': out['date +%s']!,
    'appops.txt': out['dumpsys appops --include-discrete']!,
    'usagestats.txt': out['dumpsys usagestats']!,
    'package.txt': out['dumpsys package']!,
    'batterystats.txt': out['dumpsys batterystats --history']!,
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(
    join(dir, 'capture.json'),
    JSON.stringify({
      format: 'snoopscope-adb-capture',
      status: 'complete',
      serial: '2B121FDH200ABC',
      timeZone,
      hostTimeMs: SYNTHETIC_DEVICE_EPOCH_SECONDS * 1000 + 300,
    }),
  );
}

beforeEach(() => {
  t = tempCase();
  dir = join(t.dir, 'capture');
  mkdirSync(dir);
});
afterEach(() => t.cleanup());

describe('the first read of a folder of single-command outputs', () => {
  it('lists the outputs it passes over without reading them, and reads the others', async () => {
    writeCapture('Europe/Lisbon');
    const opened: string[] = [];
    const stream: AndroidSectionStream = {
      open: (service) => {
        opened.push(service);
        return { line: () => {}, end: () => {} };
      },
    };
    const input = await readAndroidInput(dir, {
      stream,
      passOver: ['usagestats', 'package', 'batterystats'],
    });
    expect(opened).toEqual(['appops', 'getprop']);
    expect(input.files.map((f) => [f.name, f.sha256])).toEqual([
      ['appops.txt', sha256(readFileSync(join(dir, 'appops.txt')))],
      ['batterystats.txt', null],
      ['getprop.txt', sha256(readFileSync(join(dir, 'getprop.txt')))],
      ['package.txt', null],
      ['usagestats.txt', null],
    ]);
    expect(input.sections.map((s) => [s.service, s.origin, s.startLine])).toEqual([
      ['appops', 'appops.txt', 1],
      ['batterystats', 'batterystats.txt', 1],
      ['getprop', 'getprop.txt', 1],
      ['package', 'package.txt', 1],
      ['usagestats', 'usagestats.txt', 1],
    ]);
    expect(input.missing).toEqual([]);
  });

  it('imports each output as a member hashed as it is read, with what it holds', async () => {
    writeCapture('Europe/Lisbon');
    const r = await importPath(t.session.db, dir, {});
    const byName = new Map(r.outcomes.map((o) => [o.path.split('/').pop()!, o]));
    for (const name of [
      'appops.txt',
      'usagestats.txt',
      'package.txt',
      'batterystats.txt',
      'getprop.txt',
    ]) {
      expect(byName.get(name)?.status, name).toBe('imported');
      expect(byName.get(name)?.sha256, name).toBe(sha256(readFileSync(join(dir, name))));
    }
    expect(byName.get('appops.txt')?.counts.access).toBeGreaterThan(0);
    expect(byName.get('usagestats.txt')?.counts.records).toBeGreaterThan(0);
    expect(byName.get('package.txt')?.counts.records).toBeGreaterThan(0);
  });

  it('notes a line too long in a passed-over output on that output’s own source', async () => {
    const usage = syntheticAdbOutputs()['dumpsys usagestats']!;
    writeCapture('Europe/Lisbon', {
      'usagestats.txt': `${usage}    ${'x'.repeat(1024 * 1024 + 8)}\n`,
    });
    const r = await importPath(t.session.db, dir, {});
    const usagestats = r.outcomes.find((o) => o.path.endsWith('usagestats.txt'))!;
    expect(usagestats.status).toBe('imported');
    expect(usagestats.warnings.map((w) => w.message).join(' ')).toMatch(
      /Line 8 is longer than 1048576 bytes and was skipped/,
    );
    expect(usagestats.counts.records).toBeGreaterThan(0);
  });

  it('still reads app ops first when only they can give the clock', async () => {
    // No zone anywhere: the offset is derived from the capture time and the app-op lines.
    writeCapture(null);
    const r = await importPath(t.session.db, dir, {});
    const appops = r.outcomes.find((o) => o.path.endsWith('appops.txt'))!;
    expect(appops.status).toBe('imported');
    expect(appops.timeZone).toMatchObject({ zone: null, source: 'derived' });
  });
});

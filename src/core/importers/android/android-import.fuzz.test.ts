import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../model/errors';
import { CaseSession } from '../../services/case-service';
import {
  CAPTURE_MS,
  CAPTURE_ZONE,
  captureAppops,
  writeAndroidCapture,
  writeAndroidQfCapture,
} from '../../testing/android-capture';
import { fuzzOptions } from '../../testing/fuzz';
import {
  byteMutation,
  encodeText,
  lineMutation,
  mutateBytes,
  mutateLine,
  textEncoding,
  type ByteMutation,
  type LineMutation,
  type TextEncoding,
} from '../../testing/mutate';
import { treeHashes } from '../../testing/tree-hashes';
import { importAndroid } from '../../services/android-import';

// Property-based tests of the Android importer: a capture folder (plain dumpsys outputs with a
// Snoopscope capture.json, or AndroidQF output) with one file damaged, re-encoded, or replaced by
// a pipe, folder or link. Each case asserts that the import never throws anything but a plain
// refusal, that every file left alone is stored with all its records, that the case passes
// PRAGMA integrity_check, and that the capture folder is byte-identical afterwards.

// Relative-only lines (Android ≤ 8.1) are placed by the capture time in capture.json.
const RELATIVE_ONLY = [
  '  Uid u0a12:',
  '    Package com.example.sync:',
  '      WAKE_LOCK: mode=allow; time=+23m48s927ms ago; duration=+39ms',
  '      READ_SMS: mode=ignore; time=+2d0h0m0s0ms ago; rejectTime=+5s0ms ago',
].join('\n');

interface Template {
  dir: string;
  files: string[];
  /** Records per file name when nothing is damaged. */
  baseline: Map<string, number>;
}

let root: string;
let emptyCase: string;
let plain: Template;
let androidQf: Template;

async function templateOf(dir: string): Promise<Template> {
  const files = readdirSync(dir).sort();
  const casePath = join(root, `${basename(dir)}.snoopcase`);
  copyFileSync(emptyCase, casePath);
  const session = CaseSession.open(casePath);
  try {
    const r = await importAndroid(session, dir, { timeZone: CAPTURE_ZONE });
    const baseline = new Map(r.outcomes.map((o) => [basename(o.path), o.counts.records]));
    return { dir, files, baseline };
  } finally {
    session.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-android-import-fuzz-'));
  emptyCase = join(root, 'empty.snoopcase');
  CaseSession.create(emptyCase).close();
  const plainDir = writeAndroidCapture(join(root, 'plain'));
  writeFileSync(join(plainDir, 'appops.txt'), captureAppops() + RELATIVE_ONLY + '\n');
  writeFileSync(
    join(plainDir, 'capture.json'),
    JSON.stringify({ format: 'snoopscope-adb-capture', serial: 'ABC123', hostTimeMs: CAPTURE_MS }),
  );
  plain = await templateOf(plainDir);
  androidQf = await templateOf(writeAndroidQfCapture(join(root, 'qf')));
  expect(Object.fromEntries(plain.baseline)).toEqual({
    'appops.txt': 7,
    'getprop.txt': 0,
    'package.txt': 2,
    'usagestats.txt': 11,
  });
  expect(Object.fromEntries(androidQf.baseline)).toEqual({
    'dumpsys.txt': 17,
    'getprop.txt': 0,
    'packages.json': 0,
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Damage =
  | { kind: 'lines'; file: number; mutations: LineMutation[]; encoding: TextEncoding }
  | { kind: 'bytes'; file: number; mutations: ByteMutation[] }
  | { kind: 'special'; file: number; as: 'fifo' | 'folder' | 'link-out' | 'link-in' | 'empty' }
  | { kind: 'capture-json'; value: unknown };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({
    kind: fc.constant('lines' as const),
    file: fc.nat(),
    mutations: fc.array(lineMutation, { minLength: 1, maxLength: 4 }),
    encoding: textEncoding,
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    file: fc.nat(),
    mutations: fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('special' as const),
    file: fc.nat(),
    as: fc.constantFrom(
      'fifo' as const,
      'folder' as const,
      'link-out' as const,
      'link-in' as const,
      'empty' as const,
    ),
  }),
  fc.record({
    kind: fc.constant('capture-json' as const),
    value: fc.oneof(
      fc.constantFrom(1e308, -1e308, 8.64e15 + 1, -8.64e15, 0, -1, 2 ** 53, '2025', null, []),
      fc.double(),
    ),
  }),
);

let runs = 0;

/** Imports a damaged copy of a template and checks what every damage must leave true. */
async function importDamaged(t: Template, d: Damage): Promise<void> {
  runs += 1;
  const work = join(root, `run-${runs}`);
  mkdirSync(work);
  const dir = join(work, 'capture');
  cpSync(t.dir, dir, { recursive: true });
  const outside = join(work, 'outside.txt');
  writeFileSync(outside, 'Current AppOps Service state:\n');
  let damaged: string | null = null;
  if (d.kind === 'capture-json') {
    const path = join(dir, 'capture.json');
    writeFileSync(
      path,
      JSON.stringify({ format: 'snoopscope-adb-capture', serial: 'ABC123', hostTimeMs: d.value }),
    );
  } else {
    damaged = t.files[d.file % t.files.length]!;
    const path = join(dir, damaged);
    if (d.kind === 'lines') {
      let all = readFileSync(path, 'utf8').split('\n');
      for (const m of d.mutations) all = mutateLine(all, m).lines;
      writeFileSync(path, encodeText(all.join('\n'), d.encoding));
    } else if (d.kind === 'bytes') {
      writeFileSync(path, mutateBytes(readFileSync(path), d.mutations));
    } else {
      rmSync(path);
      if (d.as === 'fifo') execFileSync('mkfifo', [path]);
      else if (d.as === 'folder') mkdirSync(path);
      else if (d.as === 'link-out') symlinkSync(outside, path);
      else if (d.as === 'link-in')
        symlinkSync(
          t.files.find((f) => f !== damaged)!,
          path,
        );
      else writeFileSync(path, '');
    }
  }
  const before = treeHashes(dir);
  const casePath = join(work, 'case.snoopcase');
  copyFileSync(emptyCase, casePath);
  const session = CaseSession.open(casePath);
  try {
    let records: Map<string, number> | null = null;
    try {
      const r = await importAndroid(session, dir, { timeZone: CAPTURE_ZONE });
      records = new Map(
        r.outcomes
          .filter((o) => o.status === 'imported')
          .map((o) => [basename(o.path), o.counts.records]),
      );
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'INTERNAL') throw e;
    }
    expect(session.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(treeHashes(dir)).toEqual(before);
    const outsideSha = createHash('sha256').update(readFileSync(outside)).digest('hex');
    expect(
      session.db.prepare('SELECT count(*) AS n FROM sources WHERE sha256 = ?').get(outsideSha),
    ).toEqual({ n: 0 });
    // The other files of the capture are always there to import: a damaged one is never the
    // reason to refuse the whole capture.
    expect(records).not.toBeNull();
    for (const [file, count] of t.baseline) {
      if (file === damaged) continue;
      // Lines that print only a time relative to the dump need capture.json's capture time.
      if (file === 'appops.txt' && (damaged === 'capture.json' || d.kind === 'capture-json'))
        continue;
      // A link to this file stands beside it: the same bytes, so one of the two is "already" there.
      if (d.kind === 'special' && d.as === 'link-in' && records!.get(file) === undefined) continue;
      expect(records!.get(file), file).toBe(count);
    }
  } finally {
    session.close();
    rmSync(work, { recursive: true, force: true });
  }
}

describe('importing damaged Android captures (property-based)', () => {
  it('a plain dumpsys capture: never fails, keeps every untouched file whole, changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(damage, (d) => importDamaged(plain, d)),
      fuzzOptions(100),
    );
  });

  it('an AndroidQF folder: the same', async () => {
    await fc.assert(
      fc.asyncProperty(damage, (d) => importDamaged(androidQf, d)),
      fuzzOptions(60),
    );
  });
});

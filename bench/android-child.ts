// Android figures: importing a generated `dumpsys appops` text and a generated bugreport zip of
// BENCH_ANDROID_MB MB each (default 100) into a fresh case, end to end, beside a floor measured in
// the same run (stream the text, one regular expression per line, every access row inserted in
// batches into a plain SQLite table). Each measure runs in a process of its own so its peak RSS is
// its own. Usage: android-child.ts <workdir>, or android-child.ts --write <dir> to write the inputs only.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openZip } from '../src/core/formats/zip/index';
import { ZipWriter } from '../src/core/formats/zip/writer';
import { androidCaptureImporter } from '../src/core/importers/android/capture-importer';
import { importAndroid } from '../src/core/services/android-import';
import { IMPORT_HEAP_MB } from '../src/core/services/import-service';
import type { Importer, ParseContext, SourceInput } from '../src/core/importers/importer';
import { importerById } from '../src/core/importers/registry';
import { fileSource } from '../src/core/importers/sources';
import { readLineBatches } from '../src/core/importers/line-reader';
import { CaseSession } from '../src/core/services/case-service';
import { captureGetprop } from '../src/core/testing/android-capture';
import { boundText, measureBound, type BoundFigures } from './storage-bound';

const TARGET = Number(process.env.BENCH_ANDROID_MB ?? 100) * 1e6;
const DASHES = '-'.repeat(79);
const OPS = [
  'READ_MEDIA_IMAGES',
  'CAMERA',
  'RECORD_AUDIO',
  'FINE_LOCATION',
  'READ_CONTACTS',
  'WAKE_LOCK',
];
const STATES = ['top-s', 'fg-s', 'bg-s', 'cch-s', 'fgsvc-s'];
// The floor's one expression: an access line's state, time and duration.
const ACCESS =
  /^\s+Access: \[([a-z]+)-([a-z|]+)\] (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})(?: \(([^)]*)\))?(?: duration=\+(\S+))?/;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
function wall(i: number): string {
  const t = Date.UTC(2025, 5, 11) + ((i * 7919) % (7 * 86_400_000));
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** App-op package blocks of about `bytes` bytes, one block at a time. */
function* appopsBlocks(bytes: number): Generator<string> {
  let size = 0;
  let i = 0;
  for (let pkg = 0; size < bytes; pkg += 1) {
    const lines = [`  Uid u0a${100 + (pkg % 9000)}:`, `    Package com.example.app${pkg}:`];
    for (const op of OPS) {
      lines.push(`      ${op} (allow): `, '        null=[');
      for (const st of STATES) {
        i += 1;
        lines.push(`          Access: [${st}] ${wall(i)} (-1d2h3m4s5ms) duration=+${i % 5000}ms`);
      }
      lines.push('        ]');
    }
    const block = lines.join('\n') + '\n';
    size += block.length;
    yield block;
  }
}

/** A bugreport main text of about TARGET bytes: mostly appops, plus usagestats, package, getprop. */
function* mainText(): Generator<string> {
  let size = 0;
  const out = (s: string): string => {
    size += s.length;
    return s;
  };
  yield out(
    `== dumpstate: 2025-06-18 19:20:45\n\n${DASHES}\nDUMP OF SERVICE appops:\nCurrent AppOps Service state:\n`,
  );
  for (const b of appopsBlocks(TARGET * 0.85)) yield out(b);
  yield out(
    `${DASHES}\nDUMP OF SERVICE usagestats:\nuser=0\n  Last 24 hour events (timeRange="x" )\n`,
  );
  const usage: string[] = [];
  for (let k = 0; size < TARGET * 0.95; k += 1) {
    usage.push(
      out(
        `    time="${wall(k).slice(0, 19)}" type=${k % 2 ? 'ACTIVITY_PAUSED' : 'ACTIVITY_RESUMED'} package=com.example.app${k % 500} class=com.example.Main instanceId=${Math.floor(k / 2)} flags=0x0\n`,
      ),
    );
    if (usage.length === 1000) yield usage.splice(0).join('');
  }
  yield usage.join('');
  yield out(`${DASHES}\nDUMP OF SERVICE package:\nPackages:\n`);
  for (let p = 0; size < TARGET; p += 1)
    yield out(
      [
        `  Package [com.example.app${p}] (${p.toString(16)}):`,
        `    userId=${10100 + p}`,
        '    versionName=1.0',
        '    User 0: ceDataInode=1 installed=true hidden=false',
        '      runtime permissions:',
        '        android.permission.CAMERA: granted=true, flags=[ USER_SET ]',
        '',
      ].join('\n'),
    );
  yield `${DASHES}\n------ SYSTEM PROPERTIES (getprop) ------\n${captureGetprop()}`;
}

function writeText(path: string, parts: Iterable<string>): void {
  const fd = openSync(path, 'wx');
  try {
    for (const p of parts) writeSync(fd, p);
  } finally {
    closeSync(fd);
  }
}

async function writeBugreport(path: string): Promise<void> {
  const zip = await ZipWriter.create(path);
  await zip.add('version.txt', '2.0');
  await zip.add('main_entry.txt', 'bugreport-bench.txt\n');
  await zip.add('bugreport-bench.txt', mainText());
  await zip.finish();
}

/** The floor: every line through one expression, every access row inserted in batches. */
async function floor(chunks: AsyncIterable<Uint8Array>, dbPath: string): Promise<number> {
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE access (state TEXT, flag TEXT, ts TEXT, rel TEXT, duration TEXT, line INTEGER, raw TEXT)',
  );
  const insert = db.prepare('INSERT INTO access VALUES (?, ?, ?, ?, ?, ?, ?)');
  const many = db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(...r);
  });
  let rows: unknown[][] = [];
  let n = 0;
  db.exec('BEGIN');
  for await (const batch of readLineBatches(chunks, { warn: () => {} })) {
    for (const l of batch) {
      const m = ACCESS.exec(l.text);
      if (m) rows.push([m[1], m[2], m[3], m[4] ?? null, m[5] ?? null, l.line, l.text]);
    }
    if (rows.length >= 1000) {
      many(rows);
      n += rows.length;
      rows = [];
    }
  }
  many(rows);
  n += rows.length;
  db.exec('COMMIT');
  db.close();
  return n;
}

/**
 * The storage bound (see storage-bound.ts) of the import that wrote `casePath`: the floor's reading
 * (every line through its one expression) with the lines kept in compressed blocks, then the rows
 * the views read stored with their keys and indexed by one sort each.
 */
function bound(
  chunks: AsyncIterable<Uint8Array>,
  casePath: string,
  dbPath: string,
): Promise<BoundFigures> {
  return measureBound(casePath, dbPath, async (keep) => {
    let n = 0;
    for await (const batch of readLineBatches(chunks, { warn: () => {} }))
      for (const l of batch) {
        if (ACCESS.exec(l.text)) n += 1;
        keep(l.text);
      }
    return n;
  });
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const { createReadStream } = await import('node:fs');
  for await (const c of createReadStream(path, { highWaterMark: 64 * 1024 })) yield c as Buffer;
}

async function* zipEntryChunks(path: string): AsyncGenerator<Uint8Array> {
  const zip = await openZip(path);
  try {
    const entry = zip.findEntry('bugreport-bench.txt')!;
    yield* zip.openEntryStream(entry);
  } finally {
    await zip.close();
  }
}

/** Parses with the importers alone (members parsed by the importer they name), storing nothing. */
async function parseOnly(input: string, needsZone: boolean): Promise<number> {
  let accesses = 0;
  const run = async (importer: Importer, source: SourceInput, hints: Record<string, unknown>) => {
    const ctx: ParseContext = {
      timeZone: needsZone ? 'Europe/Lisbon' : undefined,
      hints,
      signal: new AbortController().signal,
      cache: { get: () => undefined, set: () => {} },
      onProgress: () => {},
    };
    for await (const batch of importer.parse(source, ctx))
      for (const item of batch) {
        if (item.type === 'access-interval') accesses += 1;
        else if (item.type === 'member')
          await run(importerById(item.importer!)!, item.source, item.hints ?? {});
      }
  };
  const st = statSync(input);
  await run(androidCaptureImporter, fileSource(input, st.size), {});
  return accesses;
}

/** Imports into a fresh case; the accesses stored. */
async function importInto(casePath: string, input: string, needsZone: boolean): Promise<number> {
  const session = CaseSession.create(casePath);
  try {
    const r = await importAndroid(session, input, {
      label: 'Bench',
      timeZone: needsZone ? 'Europe/Lisbon' : undefined,
    });
    return r.added.access;
  } finally {
    session.close();
  }
}

/** One measure, in this process: prints seconds, rows and peak RSS as JSON. */
async function measure(what: string, input: string, work: string): Promise<void> {
  if (what.startsWith('bound-')) {
    const kind = what.slice('bound-'.length);
    const b = await bound(
      kind === 'zip' ? zipEntryChunks(input) : fileChunks(input),
      join(work, `import-${kind}.snoopcase`),
      join(work, `${what}.db`),
    );
    console.log(
      JSON.stringify({ ...b, rows: b.lines, rssMb: process.resourceUsage().maxRSS / 1024 }),
    );
    return;
  }
  const t0 = performance.now();
  const rows = what.startsWith('floor-')
    ? await floor(
        what === 'floor-zip' ? zipEntryChunks(input) : fileChunks(input),
        join(work, `${what}.db`),
      )
    : what.startsWith('parse-')
      ? await parseOnly(input, what === 'parse-text')
      : await importInto(join(work, `${what}.snoopcase`), input, what === 'import-text');
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, rows, rssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** What one measure prints: a bound its figures besides. */
type BenchFigures = { seconds: number; rows: number; rssMb: number } & Partial<BoundFigures>;

function run(what: string, input: string, work: string): BenchFigures {
  // An import runs with the heap bound of the app's import worker.
  const heap = what.startsWith('import-') ? [`--max-old-space-size=${IMPORT_HEAP_MB}`] : [];
  const out = execFileSync(
    process.execPath,
    [...heap, '--import', 'tsx', import.meta.filename, '--measure', what, input, work],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as BenchFigures;
}

if (process.argv[2] === '--measure') {
  await measure(process.argv[3]!, process.argv[4]!, process.argv[5]!);
} else if (process.argv[2] === '--write') {
  // Only writes the two inputs into a folder, to profile an import by hand.
  writeText(join(process.argv[3]!, 'appops.txt'), [
    'Current AppOps Service state:\n',
    ...appopsBlocks(TARGET),
  ]);
  await writeBugreport(join(process.argv[3]!, 'bugreport.zip'));
} else {
  const work = mkdtempSync(join(process.argv[2] ?? '.', 'android-'));
  try {
    const textPath = join(work, 'appops.txt');
    writeText(textPath, ['Current AppOps Service state:\n', ...appopsBlocks(TARGET)]);
    const zipPath = join(work, 'bugreport.zip');
    await writeBugreport(zipPath);
    const textMb = statSync(textPath).size / 1e6;
    const lines: string[] = [];
    for (const [label, input, mb, kind] of [
      ['appops text', textPath, textMb, 'text'],
      ['bugreport zip', zipPath, TARGET / 1e6, 'zip'],
    ] as const) {
      const f = run(`floor-${kind}`, input, work);
      const p = run(`parse-${kind}`, input, work);
      const i = run(`import-${kind}`, input, work);
      const b = run(`bound-${kind}`, input, work);
      const ratio = i.seconds / f.seconds;
      lines.push(
        `${label.padEnd(13)} ${mb.toFixed(0)} MB${kind === 'zip' ? ` of main text (${(statSync(zipPath).size / 1e6).toFixed(1)} MB zipped)` : ''}, ${i.rows.toLocaleString('en-US')} accesses`,
        `  import     ${i.seconds.toFixed(2)} s, ${(mb / i.seconds).toFixed(1)} MB/s end to end, peak RSS ${i.rssMb.toFixed(0)} MB with the import worker's ${IMPORT_HEAP_MB} MB heap (target < 600 MB)`,
        `  floor      ${f.seconds.toFixed(2)} s, ${(mb / f.seconds).toFixed(1)} MB/s (stream + one expression per line + batched inserts of ${f.rows.toLocaleString('en-US')} rows), peak RSS ${f.rssMb.toFixed(0)} MB`,
        `  ratio      ${ratio.toFixed(2)}x the floor (target <= 3x)`,
        `  bound      ${b.seconds.toFixed(2)} s, ${boundText(b as BoundFigures, f.seconds, i.seconds)}`,
        `  parse only ${p.seconds.toFixed(2)} s, ${(mb / p.seconds).toFixed(1)} MB/s (the importers' records, nothing stored: ${(p.seconds / f.seconds).toFixed(2)}x the floor), peak RSS ${p.rssMb.toFixed(0)} MB`,
      );
    }
    console.log(JSON.stringify({ report: lines.join('\n') }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

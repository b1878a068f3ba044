// `npm run bench`: prints import throughput against the floor, peak memory, and query and compare
// latency.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_HEAP_MB } from '../src/core/services/import-service';
import { ensureExport } from './gen';
import { boundText, type BoundFigures } from './storage-bound';

const dataDir = process.env.BENCH_DATA_DIR ?? join(import.meta.dirname, '.data');
mkdirSync(dataDir, { recursive: true });
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const began = Date.now();
// The generated files and cases take gigabytes: removed when the bench ends, however it ends,
// unless BENCH_KEEP_DATA=1 keeps them for the next run.
process.on('exit', () => {
  if (process.env.BENCH_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
  const s = Math.round((Date.now() - began) / 1000);
  console.log(`\nbench took ${Math.floor(s / 60)} min ${s % 60} s`);
});
process.on('SIGINT', () => process.exit(130));

function child(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Record<string, number | string> {
  const out = execFileSync(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(import.meta.dirname, script), ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
      env,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
}

if (process.env.BENCH_ONLY_SCALE === '1') {
  scale();
  process.exit(0);
}

const exp = await ensureExport(join(dataDir, `export-${LINES}.ndjson`), LINES);
const mb = exp.bytes / 1e6;
console.log(
  `\n# Import: generated App Privacy Report, ${exp.lines.toLocaleString()} lines, ${mb.toFixed(1)} MB`,
);
const floor = child('import-child.ts', ['floor', exp.path, dataDir]);
// The import runs with the heap bound of the app's import worker.
const imp = child(
  'import-child.ts',
  ['import', exp.path, dataDir],
  [`--max-old-space-size=${IMPORT_HEAP_MB}`],
);
// The least this storage takes on one thread, from the case the import just wrote.
const bound = child('import-child.ts', ['bound', exp.path, dataDir]) as unknown as BoundFigures;
const row = (name: string, r: Record<string, number | string>) => {
  const s = Number(r.seconds);
  console.log(
    `${name.padEnd(8)} ${s.toFixed(2).padStart(7)} s  ${Math.round(exp.lines / s)
      .toLocaleString()
      .padStart(
        10,
      )} lines/s  ${(mb / s).toFixed(1).padStart(6)} MB/s  peak ${Number(r.maxRssMb).toFixed(0).padStart(4)} MB`,
  );
};
row('floor', floor);
row('import', imp);
console.log(
  `ratio    ${(Number(imp.seconds) / Number(floor.seconds)).toFixed(2)}x the floor (stream, sha256, parse, insert every raw line; target ≤ 1.3x); peak memory target < 300 MB (the import's heap bounded at ${IMPORT_HEAP_MB} MB, as in the app's import worker)`,
);
console.log(
  `bound    ${bound.seconds.toFixed(2).padStart(7)} s, ${boundText(bound, Number(floor.seconds), Number(imp.seconds))}`,
);
console.log(
  `case     ${(Number(imp.caseBytes) / 1e6).toFixed(1)} MB for ${Number(imp.sessions).toLocaleString('en-US')} sessions: ${Math.round(Number(imp.caseBytes) / Math.max(1, Number(imp.sessions)))} bytes per stored access session (raw lines included)`,
);

if (process.env.BENCH_SKIP_QUERIES !== '1') {
  const q = child('query-child.ts', [dataDir]);
  console.log(String(q.report));
}

if (process.env.BENCH_SKIP_COMPARE !== '1') {
  console.log('\n# Compare: 4 devices × 1,000,000 access sessions');
  const cmp = child('compare-child.ts', [dataDir]);
  console.log(String(cmp.report));
  if (process.env.BENCH_SKIP_REDRAW !== '1') {
    console.log('\n# Comparison view redraw in Chromium: the same case, one band per device');
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    console.log(String(child('redraw-child.ts', [String(cmp.casePath), dataDir]).report));
  }
}

if (process.env.BENCH_SKIP_BACKUPS !== '1') {
  console.log(
    `\n# Backups: generated backup with a ${(10_000).toLocaleString('en-US')}-row Manifest.db`,
  );
  console.log(String(child('backup-child.ts', [dataDir]).report));
}

if (process.env.BENCH_SKIP_ANDROID !== '1') {
  const androidMb = Number(process.env.BENCH_ANDROID_MB ?? 100);
  console.log(`\n# Android: generated ${androidMb} MB appops text and ${androidMb} MB bugreport`);
  console.log(String(child('android-child.ts', [dataDir]).report));
}

if (process.env.BENCH_SKIP_SYSDIAGNOSE !== '1') {
  console.log('\n# iOS: generated 200 MB sysdiagnose archive');
  console.log(String(child('sysdiagnose-child.ts', [dataDir]).report));
}

if (process.env.BENCH_SKIP_BUNDLE !== '1') {
  console.log('\n# Evidence bundle: 1,000,000 access sessions');
  console.log(String(child('bundle-child.ts', [dataDir]).report));
}

if (process.env.BENCH_SKIP_SCALE !== '1') scale();

/**
 * Study scale (issue 13): 8 devices x 350,000 sessions, and with BENCH_SCALE_10M=1 also
 * 8 x 1,250,000; each case is removed once measured (2.8 GB and 10 GB on disk).
 */
function scale(): void {
  const sizes: [number, number][] = [
    [
      Number(process.env.BENCH_SCALE_DEVICES ?? 8),
      Number(process.env.BENCH_SCALE_PER_DEVICE ?? 350_000),
    ],
  ];
  if (process.env.BENCH_SCALE_10M === '1') sizes.push([8, 1_250_000]);
  for (const [devices, perDevice] of sizes) {
    const args = [dataDir, String(devices), String(perDevice)];
    // The case is built in a process of its own: memory its build keeps would count as the views'.
    console.log(
      String(
        child('scale-child.ts', args, [], { ...process.env, BENCH_SCALE_PARTS: 'none' }).report,
      ),
    );
    console.log(String(child('scale-child.ts', args).report));
    if (process.env.BENCH_KEEP_DATA !== '1')
      for (const suffix of ['', '-wal', '-shm'])
        rmSync(join(dataDir, `scale-${devices}x${perDevice}.snoopcase${suffix}`), { force: true });
  }
}

// Sysdiagnose figures: a generated sysdiagnose archive of about 200 MB (a PowerLog of screen, lock
// and screen-state rows among incompressible log files) imported through the one import pipeline;
// prints the archive's MB/s and the process's peak resident memory, which must not grow with the
// archive (it is streamed; only the PowerLog is held, since SQLite opens it in memory).
// Usage: sysdiagnose-child.ts <workdir> [archive MB]   (the import runs in a child of its own)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { buildPowerLog } from '../src/core/formats/powerlog/testing/synthetic';
import { buildTar } from '../src/core/formats/tar/testing/tar-writer';
import { importPath } from '../src/core/services/import-pipeline';
import { CaseSession } from '../src/core/services/case-service';

const importOnlyRun = process.argv[2] === '--import-only';
const work = importOnlyRun ? '' : mkdtempSync(join(process.argv[2] ?? '.', 'sysdiagnose-'));
const TARGET_MB = Number(process.argv[3] ?? 200);
const ROOT = 'sysdiagnose_2021.12.16_05-54-30-0500_iPad_iPadOS_15.0.2_19A404';
const PL = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
const POWERLOG_ROWS = 100_000;

/** A PowerLog with alternating screen, lock and screen-state rows over the day before capture. */
function powerLog(): Buffer {
  const end = Date.UTC(2021, 11, 16, 10, 54) / 1000;
  const start = end - 86_400;
  const step = 86_400 / POWERLOG_ROWS;
  const blank: Record<string, unknown>[] = [];
  const lock: Record<string, unknown>[] = [];
  const screen: Record<string, unknown>[] = [];
  for (let i = 0; i < POWERLOG_ROWS; i += 1) {
    const t = start + i * step;
    if (i % 3 === 0) blank.push({ timestamp: t, Blanked: (i / 3) % 2 });
    else if (i % 3 === 1) lock.push({ timestamp: t, Locked: ((i - 1) / 3) % 2 });
    else screen.push({ timestamp: t, bundleID: `com.example.app${i % 17}`, Display: 0 });
  }
  return buildPowerLog({
    PLStorageOperator_EventForward_TimeOffset: [{ timestamp: start, system: -1.5 }],
    PLSpringBoardAgent_EventForward_SBBlank: blank,
    PLSpringBoardAgent_EventForward_SBLock: lock,
    PLScreenStateAgent_EventForward_ScreenState: screen,
  });
}

/** Writes the archive entry by entry through gzip, never holding it whole. */
async function writeArchive(path: string, pl: Buffer): Promise<void> {
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gzip.pipe(out);
  const write = async (b: Buffer): Promise<void> => {
    if (!gzip.write(b)) await once(gzip, 'drain');
  };
  await write(buildTar([{ name: `${ROOT}/`, type: '5' }], false));
  await write(
    buildTar([{ name: 'x', pax: { path: `${ROOT}/logs/powerlogs/${PL}` }, content: pl }], false),
  );
  const fillers = Math.max(0, TARGET_MB - Math.ceil(pl.length / 1e6));
  for (let i = 0; i < fillers; i += 1)
    await write(
      buildTar(
        [{ name: `${ROOT}/logs/filler/log-${i}.bin`, content: randomBytes(1_000_000) }],
        false,
      ),
    );
  await write(Buffer.alloc(1024));
  gzip.end();
  await once(out, 'close');
}

/** Imports the archive in this process (a fresh one, so its peak memory is the import's own). */
async function importOnly(archive: string, caseDir: string): Promise<void> {
  const session = CaseSession.create(join(caseDir, 'bench.snoopcase'));
  const device = session.createDevice({ label: 'Bench iPad', platform: 'ios' });
  const t0 = performance.now();
  const r = await importPath(session.db, archive, {
    device: device.id,
    timeZone: 'America/New_York',
  });
  const seconds = (performance.now() - t0) / 1000;
  const states = (
    session.db.prepare('SELECT COUNT(*) AS n FROM device_states').get() as { n: number }
  ).n;
  session.close();
  console.log(
    JSON.stringify({
      seconds,
      states,
      outcomes: r.outcomes.map((o) => o.status).join(', '),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

if (importOnlyRun) {
  await importOnly(process.argv[3]!, process.argv[4]!);
  process.exit(0);
}

try {
  const archive = join(work, `${ROOT}.tar.gz`);
  const pl = powerLog();
  await writeArchive(archive, pl);
  const bytes = statSync(archive).size;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--import-only', archive, work],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    seconds: number;
    states: number;
    outcomes: string;
    maxRssMb: number;
  };
  const mb = bytes / 1e6;
  const report =
    `archive  ${mb.toFixed(0)} MB .tar.gz (PowerLog ${(pl.length / 1e6).toFixed(1)} MB, ${POWERLOG_ROWS.toLocaleString('en-US')} rows, the rest incompressible log files)\n` +
    `import   ${r.seconds.toFixed(2)} s  ${(mb / r.seconds).toFixed(1)} MB/s  peak ${r.maxRssMb.toFixed(0)} MB ` +
    `(${r.states.toLocaleString('en-US')} device-state intervals; outcome ${r.outcomes})`;
  console.log(
    JSON.stringify({
      report,
      seconds: r.seconds,
      mbPerSecond: mb / r.seconds,
      maxRssMb: r.maxRssMb,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Builds (once) a case with 4 devices x 1,000,000 access sessions and times compare() over it.
// Usage: compare-child.ts <datadir>
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DayWindow } from '../src/contract/filter';
import { rebuildSessionStats } from '../src/core/db/session-stats-rebuild';
import { CaseSession } from '../src/core/services/case-service';
import { compareWith, dayOf, type CompareSpec } from '../src/core/services/compare';
import { buildSyntheticCase, SYNTHETIC_APPS, SYNTHETIC_CATEGORIES } from './synthetic-case';

const dataDir = process.argv[2]!;
const PER_DEVICE = Number(process.env.BENCH_COMPARE_SESSIONS ?? 1_000_000);
const DEVICES = 4;
const path = join(dataDir, `compare-${DEVICES}x${PER_DEVICE}.snoopcase`);

function build(): void {
  buildSyntheticCase(path, {
    devices: DEVICES,
    perDevice: PER_DEVICE,
    seed: 23,
    deviceLabel: (d) => `Phone ${d}`,
    states: true,
    dataRanges: true,
  });
}

const t0 = Date.now();
if (!existsSync(path)) build();
const buildSeconds = (Date.now() - t0) / 1000;

const c = CaseSession.open(path);
const db = c.db;
const devices: CompareSpec[] = Array.from({ length: DEVICES }, (_, i) => ({
  label: `Phone ${i + 1}`,
  deviceId: i + 1,
  fromDay: null,
  toDay: null,
}));
// Two periods that do not start or end on a week or four-week boundary.
const periods: CompareSpec[] = [
  { label: 'spring', deviceId: 1, fromDay: dayOf('2024-02-10'), toDay: dayOf('2024-05-17') },
  { label: 'summer', deviceId: 1, fromDay: dayOf('2024-05-17'), toDay: dayOf('2024-11-03') },
];
const NIGHT: DayWindow = { from: '00:00', to: '06:00' };
const ODD_NIGHT: DayWindow = { from: '22:30', to: '06:00' };

/** The first (cold) run, then the median and worst of the warm ones. */
function time(
  specs: CompareSpec[],
  night: DayWindow,
  path: 'auto' | 'scan',
  runs: number,
): { first: number; median: number; worst: number; result: string } {
  const times: number[] = [];
  let result = '';
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    const rows = compareWith(db, specs, night, path);
    times.push(performance.now() - t);
    if (i === 0) result = JSON.stringify(rows);
  }
  const first = times[0]!;
  const warm = (times.length > 1 ? times.slice(1) : times).sort((a, b) => a - b);
  return { first, median: warm[Math.floor(warm.length / 2)]!, worst: warm.at(-1)!, result };
}

const ms = (v: number): string => v.toFixed(1).padStart(10);
const lines: string[] = [];
lines.push(
  `(${DEVICES} devices x ${PER_DEVICE.toLocaleString('en-US')} sessions, ${SYNTHETIC_APPS} apps, ${SYNTHETIC_CATEGORIES.length} categories, one year${buildSeconds > 1 ? `; case built in ${buildSeconds.toFixed(0)} s` : ''})`,
);
lines.push(
  'compare                          path         first ms  median ms   worst ms  (median and worst of the warm runs)',
);
const cases: [string, CompareSpec[]][] = [
  ['4 devices', devices],
  ['2 periods of one device', periods],
];
let identical = true;
for (const [name, specs] of cases) {
  const fast = time(specs, NIGHT, 'auto', 10);
  const scan = time(specs, NIGHT, 'scan', 1);
  if (fast.result !== scan.result) identical = false;
  for (const [label, r] of [
    ['summaries', fast],
    ['scan', scan],
  ] as const) {
    const line = `${name.padEnd(32)} ${label.padEnd(10)} ${ms(r.first)} ${label === 'scan' ? '' : `${ms(r.median)} ${ms(r.worst)}`}`;
    process.stderr.write(line + '\n');
    lines.push(line.trimEnd());
  }
}
const odd = time(devices, ODD_NIGHT, 'auto', 1);
lines.push(`${'4 devices, night 22:30-06:00'.padEnd(32)} ${'scan'.padEnd(10)} ${ms(odd.first)}`);
lines.push(
  `results of both paths ${identical ? 'identical' : 'DIFFERENT'}; target: summaries under 100 ms`,
);
// The work of the migration that adds the stats to an existing case, rolled back.
db.exec('BEGIN');
const m0 = performance.now();
rebuildSessionStats(db);
const migrationSeconds = (performance.now() - m0) / 1000;
db.exec('ROLLBACK');
lines.push(
  `filling the session stats of this case (migration 0008): ${migrationSeconds.toFixed(1)} s`,
);
c.close();
process.stdout.write(
  JSON.stringify({ report: lines.join('\n'), identical: identical ? 1 : 0, casePath: path }) + '\n',
);

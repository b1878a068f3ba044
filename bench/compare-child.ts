// Builds (once) a case with 4 devices x 1,000,000 access sessions and times compare() over it.
// Usage: compare-child.ts <datadir>
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DayWindow } from '../src/contract/filter';
import { localDayNumber, localMinuteOfDay } from '../src/contract/time';
import { rebuildRollup } from '../src/core/db/rollup';
import { rebuildSessionStats } from '../src/core/db/session-stats';
import { CaseSession } from '../src/core/services/case-service';
import { compareWith, dayOf, type CompareSpec } from '../src/core/services/compare';
import { accessPair, intervalId, seededRandom } from '../src/core/testing/apr-fixture';

const dataDir = process.argv[2]!;
const PER_DEVICE = Number(process.env.BENCH_COMPARE_SESSIONS ?? 1_000_000);
const DEVICES = 4;
const APPS = 30;
const CATS = [
  'photos',
  'location',
  'contacts',
  'camera',
  'microphone',
  'mediaLibrary',
  'screenRecording',
];
const START = Date.UTC(2024, 0, 1);
const SPAN = 365 * 86_400_000;
const path = join(dataDir, `compare-${DEVICES}x${PER_DEVICE}.snoopcase`);

function build(): void {
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const c = CaseSession.create(path);
  const db = c.db;
  const rnd = seededRandom(23);
  const appIds: number[][] = [];
  db.transaction(() => {
    const addDevice = db.prepare(
      "INSERT INTO devices (label, platform, created_at) VALUES (?, 'ios', 0)",
    );
    const addSource = db.prepare(
      `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256,
         imported_at, data_from, data_to)
       VALUES (?, 'bench', '1', 'generated', 'generated.ndjson', 0, ?, 0, ?, ?)`,
    );
    const addApp = db.prepare('INSERT INTO apps (device_id, identifier) VALUES (?, ?)');
    for (let d = 1; d <= DEVICES; d += 1) {
      addDevice.run(`Phone ${d}`);
      addSource.run(d, `bench-compare-${d}`, START, START + SPAN);
      appIds.push(
        Array.from({ length: APPS }, (_, a) =>
          Number(addApp.run(d, `com.example.app${a}`).lastInsertRowid),
        ),
      );
    }
  })();
  const ins = db.prepare(
    `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category,
       start_ms, start_offset, b_raw_ts, b_source_id, b_line, b_raw_line, end_ms, end_offset, e_raw_ts,
       e_source_id, e_line, e_raw_line, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms,
       open, state, state_source, inferred_state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let d = 1; d <= DEVICES; d += 1) {
    db.transaction(() => {
      for (let i = 0; i < PER_DEVICE; i += 1) {
        const ms = START + Math.floor((i / PER_DEVICE) * SPAN + rnd() * 60_000);
        const offset = ms > Date.UTC(2024, 2, 31, 1) && ms < Date.UTC(2024, 9, 27, 1) ? 120 : 60;
        const dur = rnd() < 0.05 ? 0 : Math.floor(rnd() * rnd() * 300_000);
        const app = Math.floor(rnd() * rnd() * APPS);
        const cat = CATS[Math.floor(rnd() * CATS.length)]!;
        const key = intervalId(i, d);
        const [b, e] = accessPair({
          app: `com.example.app${app}`,
          category: cat,
          id: key,
          ms,
          durationMs: dur,
          offsetMin: offset,
        });
        const open = rnd() < 0.02;
        // A third of the sessions have a reported state, a tenth of the rest an inferred one.
        const p = rnd();
        const reported = p < 0.33;
        const inferred = !reported && p < 0.4;
        const bg = rnd() < 0.3;
        ins.run(
          d,
          key,
          appIds[d - 1]![app]!,
          cat,
          cat,
          ms,
          offset,
          '',
          d,
          i * 2 + 1,
          b,
          open ? null : ms + dur,
          open ? null : offset,
          open ? null : '',
          open ? null : d,
          open ? null : i * 2 + 2,
          open ? null : e,
          ms,
          offset,
          localMinuteOfDay(ms, offset),
          localDayNumber(ms, offset),
          open ? null : dur,
          open ? 1 : 0,
          reported ? (bg ? 'background' : 'foreground') : 'unknown',
          reported ? 'reported' : null,
          inferred ? (bg ? 'background' : 'foreground') : null,
        );
      }
    })();
  }
  db.transaction(() => rebuildRollup(db))();
  c.close();
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
  `(${DEVICES} devices x ${PER_DEVICE.toLocaleString('en-US')} sessions, ${APPS} apps, ${CATS.length} categories, one year${buildSeconds > 1 ? `; case built in ${buildSeconds.toFixed(0)} s` : ''})`,
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

// Builds (once) a case with 10,000,000 access sessions and times timeline queries over it.
// Usage: query-child.ts <datadir>
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Filter } from '../src/contract/filter';
import { localDayNumber, localMinuteOfDay } from '../src/contract/time';
import { rebuildRollup } from '../src/core/db/rollup';
import { CaseSession } from '../src/core/services/case-service';
import { accessPair, intervalId, seededRandom } from '../src/core/testing/apr-fixture';

const dataDir = process.argv[2]!;
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000_000);
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
const path = join(dataDir, `sessions-${SESSIONS}.snoopcase`);

function build(): void {
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const c = CaseSession.create(path);
  const db = c.db;
  const rnd = seededRandom(11);
  db.exec('BEGIN');
  db.prepare(
    "INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at) VALUES (?, 'bench', '1', 'generated', 'generated.ndjson', 0, ?, 0)",
  );
  const addSource = db.prepare(
    "INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at) VALUES (?, 'bench', '1', 'generated', 'generated.ndjson', 0, ?, 0)",
  );
  const addDevice = db.prepare(
    "INSERT INTO devices (label, platform, created_at) VALUES (?, 'ios', 0)",
  );
  const addApp = db.prepare('INSERT INTO apps (device_id, identifier) VALUES (?, ?)');
  const appIds: number[][] = [];
  for (let d = 1; d <= DEVICES; d += 1) {
    addDevice.run(`Phone ${String(d).padStart(2, '0')}`);
    addSource.run(d, `bench-${d}`);
    appIds.push(
      Array.from({ length: APPS }, (_, a) =>
        Number(addApp.run(d, `com.example.app${a}`).lastInsertRowid),
      ),
    );
  }
  db.exec('COMMIT');
  const ins =
    db.prepare(`INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category,
    start_ms, start_offset, b_raw_ts, b_source_id, b_line, b_raw_line, end_ms, end_offset, e_raw_ts, e_source_id, e_line,
    e_raw_line, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms, open)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const perDevice = Math.floor(SESSIONS / DEVICES);
  for (let d = 1; d <= DEVICES; d += 1) {
    db.exec('BEGIN');
    for (let i = 0; i < perDevice; i += 1) {
      const ms = START + Math.floor((i / perDevice) * SPAN + rnd() * 60_000);
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
      );
    }
    db.exec('COMMIT');
  }
  db.transaction(() => rebuildRollup(db))();
  c.close();
}

const t0 = Date.now();
if (!existsSync(path)) build();
const buildSeconds = (Date.now() - t0) / 1000;

const c = CaseSession.open(path);
const q = c.queries;
const extent = q.extent()!;
const day = { fromMs: Date.UTC(2024, 5, 12, 22), toMs: Date.UTC(2024, 5, 13, 22) };
const filters: [string, Filter][] = [
  ['no filter', {}],
  ['devices (3)', { devices: [2, 5, 9] }],
  ['apps (2)', { apps: ['com.example.app3', 'com.example.app17'] }],
  ['categories (photos)', { categories: ['photos'] }],
  ['date range (1 month)', { from: '2024-03-01', to: '2024-04-01' }],
  ['hours 00:00-06:00', { hours: { from: '00:00', to: '06:00' } }],
  ['min 60 s', { minSeconds: 60 }],
];
const lines: string[] = [];
lines.push(
  `\n# Timeline queries over ${SESSIONS.toLocaleString()} stored sessions (${DEVICES} devices x ${APPS} apps, one year)${buildSeconds > 1 ? `; case built in ${buildSeconds.toFixed(0)} s` : ''}`,
);
lines.push('window        filter                    median ms   max ms   mode      lanes');
for (const [wname, range] of [
  ['whole range', undefined],
  ['one day', day],
] as const) {
  for (const [fname, filter] of filters) {
    const times: number[] = [];
    let mode = '';
    let lanes = 0;
    // Five runs; a query slower than a second is run once.
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      const r = q.timeline({ filter, range, width: 1200 });
      times.push(performance.now() - t);
      mode = r.mode;
      lanes = r.lanes.length;
      if (times[0]! > 1000) break;
    }
    times.sort((a, b) => a - b);
    const line = `${wname.padEnd(13)} ${fname.padEnd(25)} ${times[Math.floor(times.length / 2)]!.toFixed(1).padStart(9)} ${times[times.length - 1]!.toFixed(1).padStart(8)}   ${mode.padEnd(9)} ${lanes}`;
    process.stderr.write(line + '\n');
    lines.push(line);
  }
}
lines.push(
  `(extent ${new Date(extent.fromMs).toISOString()} .. ${new Date(extent.toMs).toISOString()}; target: every query under 50 ms)`,
);
c.close();
process.stdout.write(JSON.stringify({ report: lines.join('\n') }) + '\n');

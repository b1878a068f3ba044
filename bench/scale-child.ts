// Study-scale figures: builds (once) a case of DEVICES x PER_DEVICE access sessions, then times every
// app view through the bridge (warm, in this process) and every CLI command in a fresh process, each
// beside its target from issue 13. Usage: scale-child.ts <datadir> <devices> <perDevice>
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiHandlers } from '../src/contract/api';
import type { Filter } from '../src/contract/filter';
import { dispatch } from '../src/core/bridge/dispatch';
import { createCoreApp } from '../src/core/create-core-app';
import { refreshNetworkLatest, staleNetworkDevices } from '../src/core/db/queries/network-latest';
import { refreshSummaryGroups } from '../src/core/db/queries/summary';
import { staleSummaryDevices } from '../src/core/db/summary-groups';
import { refreshFindings, staleFindingDevices } from '../src/core/findings';
import {
  refreshKeyFindings,
  staleKeyFindingDevices,
} from '../src/core/findings/key-findings-store';
import { CaseSession } from '../src/core/services/case-service';
import { peakMemoryMb, resetPeakMemory } from './peak-memory';
import { buildScaleCase } from './scale-case';

const dataDir = process.argv[2]!;
const DEVICES = Number(process.argv[3] ?? 8);
const PER_DEVICE = Number(process.argv[4] ?? 350_000);
const TOTAL = DEVICES * PER_DEVICE;
const path = join(dataDir, `scale-${DEVICES}x${PER_DEVICE}.snoopcase`);
const only = new Set((process.env.BENCH_SCALE_PARTS ?? 'views,cli').split(','));
const lines: string[] = [];
const say = (line: string): void => {
  process.stderr.write(line + '\n');
  lines.push(line);
};
const load = (): string => {
  const u = execFileSync('uptime', { encoding: 'utf8' });
  return u.slice(u.indexOf('load average')).trim();
};

const t0 = performance.now();
if (!existsSync(path)) {
  buildScaleCase(path, {
    devices: DEVICES,
    perDevice: PER_DEVICE,
    seed: 31,
    log: (l) => process.stderr.write(`  ${l}\n`),
  });
  say(
    `case built in ${((performance.now() - t0) / 1000).toFixed(0)} s (${(statSync(path).size / 1e9).toFixed(1)} GB)`,
  );
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (v: number): string => v.toFixed(1).padStart(8);

say(
  `\n# Scale: ${DEVICES} devices x ${PER_DEVICE.toLocaleString('en-US')} sessions = ${TOTAL.toLocaleString('en-US')} (${load()})`,
);

{
  // What an import does after writing: the findings of its device computed and stored. A new
  // case has none stored: all of them are computed once here, then one device again.
  const c = CaseSession.open(path);
  const stale = staleFindingDevices(c.db);
  const t1 = performance.now();
  refreshFindings(c.db, stale);
  const all = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  c.db.prepare('DELETE FROM stored_findings_state WHERE device_id = 1').run();
  refreshFindings(c.db, [1]);
  const one = (performance.now() - t2) / 1000;
  // An import also keeps each device's latest network rows (the app does it with the findings):
  // without this the first Network view would choose them for every device.
  const t3 = performance.now();
  const kept = refreshNetworkLatest(c.db, staleNetworkDevices(c.db));
  const latest = (performance.now() - t3) / 1000;
  // And each device's summary groups (the Summary view reads them).
  const t5 = performance.now();
  const summaryKept = refreshSummaryGroups(c.db, staleSummaryDevices(c.db));
  const summarySeconds = (performance.now() - t5) / 1000;
  // And each device's key findings (the view the app opens on), read from the stored findings.
  const t4 = performance.now();
  const keyKept = refreshKeyFindings(c.db, staleKeyFindingDevices(c.db));
  const keySeconds = (performance.now() - t4) / 1000;
  c.close();
  say(
    `\nstored findings: ${stale.length > 0 ? `all ${stale.length} devices computed in ${all.toFixed(1)} s; ` : ''}one device (${PER_DEVICE.toLocaleString('en-US')} sessions) in ${one.toFixed(1)} s, as after an import into it`,
  );
  if (summaryKept.length > 0)
    say(`summary groups: kept for ${summaryKept.length} devices in ${summarySeconds.toFixed(1)} s`);
  if (keyKept.length > 0)
    say(`key findings: kept for ${keyKept.length} devices in ${keySeconds.toFixed(1)} s`);
  if (kept.length > 0)
    say(
      `latest network rows, groups and snapshot ranks: kept for ${kept.length} devices in ${latest.toFixed(1)} s`,
    );
}

if (only.has('views')) {
  const user = mkdtempSync(join(dataDir, 'user-'));
  const app = createCoreApp({ userDataDir: user, host: 'devserver', version: 'bench' });
  const call = async (method: string, args: unknown): Promise<unknown> => {
    const r = await dispatch(app.handlers as ApiHandlers, method, args);
    // The bytes a transport carries: the dev server sends JSON, Electron a structured clone.
    const text = JSON.stringify(r);
    if (!r.ok) throw new Error(`${method}: ${text.slice(0, 300)}`);
    return text.length;
  };
  await call('openCase', { path });
  const RUNS = Number(process.env.BENCH_VIEW_RUNS ?? 7);
  /** Times `run` RUNS times: the first run separately, then median and p95 over all runs. */
  const time = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const t = performance.now();
      size = Number(await run());
      times.push(performance.now() - t);
    }
    const first = times[0]!;
    times.sort((a, b) => a - b);
    return { first, median: pct(times, 50), p95: pct(times, 95), size };
  };
  // The peak of the views alone, not of building the case or computing its findings.
  const freshPeak = resetPeakMemory();
  say('\n## App views through the bridge (warm; target: median <= 100 ms, p95 <= 250 ms)');
  say('view                                   first ms  median ms   p95 ms   answer KB');
  const row = (name: string, r: Awaited<ReturnType<typeof time>>, flag: number) =>
    say(
      `${name.padEnd(38)} ${ms(r.first)} ${ms(r.median)}  ${ms(r.p95)} ${(r.size / 1024).toFixed(0).padStart(10)}${r.median > flag || r.p95 > flag * 2.5 ? '  OVER' : ''}`,
    );
  const devices = Array.from({ length: DEVICES }, (_, i) => i + 1);
  // The Network view asks for its groups, then for the first page of the groups it opens.
  const networkGroups = await dispatch(app.handlers as ApiHandlers, 'queryNetworkGroups', {
    filter: {},
    snapshots: 'all',
  });
  const largest = networkGroups.ok
    ? (networkGroups.value as { groups: { deviceId: number; app: string; rows: number }[] }).groups
        .slice()
        .sort((a, b) => b.rows - a.rows)[0]
    : undefined;
  const views: [string, () => Promise<unknown>][] = [
    ['Key findings (the view a case opens on)', () => call('queryKeyFindings', {})],
    ['Summary', () => call('querySummary', { filter: {} })],
    ['Heatmap', () => call('queryHeatmap', { filter: {} })],
    [
      'Network groups (all snapshots)',
      () => call('queryNetworkGroups', { filter: {}, snapshots: 'all' }),
    ],
    ['Network groups (latest)', () => call('queryNetworkGroups', { filter: {} })],
    [
      'Network groups (latest, one month)',
      () => call('queryNetworkGroups', { filter: { from: '2024-03-01', to: '2024-04-01' } }),
    ],
    [
      'Network groups (latest, one year)',
      () => call('queryNetworkGroups', { filter: { from: '2024-01-01', to: '2025-01-01' } }),
    ],
    [
      'Network groups (all, one month)',
      () =>
        call('queryNetworkGroups', {
          filter: { from: '2024-03-01', to: '2024-04-01' },
          snapshots: 'all',
        }),
    ],
    [
      'Network rows (largest group, page 1)',
      () =>
        call('queryNetworkRows', {
          filter: {},
          snapshots: 'all',
          deviceId: largest?.deviceId ?? 1,
          app: largest?.app ?? '',
          limit: 50,
        }),
    ],
    [
      'Findings',
      async () =>
        Number(await call('listFindingRules', {})) +
        Number(await call('getFindingParams', {})) +
        // As the view asks: a list without evidence ids, caveats or details (an opened finding
        // reads them).
        Number(
          await call('queryFindings', { filter: {}, params: {}, evidenceLimit: 0, list: true }),
        ),
    ],
    ['Permissions', () => call('queryPermissions', { filter: {} })],
    ['Apps list', () => call('listApps', {})],
    [
      'Compare (all devices)',
      () =>
        call('queryCompare', {
          columns: devices.map((d) => ({
            label: `Phone ${String(d).padStart(2, '0')}`,
            deviceId: d,
          })),
        }),
    ],
  ];
  // BENCH_SCALE_VIEWS=Network,Findings times only the views whose names begin so (and the
  // timeline queries only when it names Timeline).
  const wanted = process.env.BENCH_SCALE_VIEWS?.split(',').filter(Boolean);
  const timed = (name: string): boolean => !wanted || wanted.some((w) => name.startsWith(w));
  for (const [name, run] of views) if (timed(name)) row(name, await time(run), 100);

  if (timed('Timeline')) {
    // Issue 13 sets two targets here: every view's first answer, the timeline's at any zoom and
    // filter among them, within 100 ms at the median and 250 ms at p95; and timeline queries
    // within 50 ms at p95. Each query's first call (the first time this process runs it, its
    // pages and code path possibly cold) is timed on its own against the first; the calls after
    // it, warm, against the second.
    say(
      '\n## Timeline queries (first answer: target median <= 100 ms, p95 <= 250 ms over the queries; warm: target p95 <= 50 ms)',
    );
    // The CPU time of this process beside each figure: on a shared machine the wall time also
    // holds the time other processes had the cores.
    say(
      'zoom          filter                    first ms  warm median ms  warm p95 ms   answer KB   warm cpu median / p95 ms',
    );
    const start = Date.UTC(2024, 5, 12, 22);
    const zooms: [string, { fromMs: number; toMs: number } | undefined][] = [
      ['whole range', undefined],
      ['4 weeks', { fromMs: start - 14 * 86_400_000, toMs: start + 14 * 86_400_000 }],
      ['one week', { fromMs: start, toMs: start + 7 * 86_400_000 }],
      ['one day', { fromMs: start, toMs: start + 86_400_000 }],
      ['one hour', { fromMs: start + 10 * 3_600_000, toMs: start + 11 * 3_600_000 }],
    ];
    const filters: [string, Filter][] = [
      ['no filter', {}],
      ['devices (3)', { devices: [2, 5, Math.min(DEVICES, 7)] }],
      ['apps (2)', { apps: ['com.example.app3', 'com.example.app17'] }],
      ['categories (photos)', { categories: ['photos'] }],
      ['date range (1 month)', { from: '2024-03-01', to: '2024-04-01' }],
      ['hours 00:00-06:00', { hours: { from: '00:00', to: '06:00' } }],
      ['hours 22:30-06:00', { hours: { from: '22:30', to: '06:00' } }],
      ['min 60 s', { minSeconds: 60 }],
      ['min 45 s', { minSeconds: 45 }],
      ['background', { states: ['background'] }],
      ['device state (locked)', { deviceStates: ['locked'] }],
      ['device state (unknown)', { deviceStates: ['unknown'] }],
    ];
    // BENCH_TIMELINE_ZOOMS / BENCH_TIMELINE_FILTERS (names joined by '|'): time only the zooms
    // and filters whose names begin so.
    const pick = (env: string | undefined, name: string): boolean =>
      !env || env.split('|').some((w) => w !== '' && name.startsWith(w));
    // Each query as the app asks it over every lane, then (`paged`) as it asks when the lanes do
    // not fit: the 50 lanes from the top first (which reads the whole answer once for the lanes'
    // order), then each of seven scrolls by 30 lanes asking for the next 50.
    const series = async (paged: boolean): Promise<void> => {
      const all: number[] = [];
      // Every warm call of every query, for the p95 over all of them.
      const calls: number[] = [];
      const firsts: number[] = [];
      for (const [zname, range] of zooms)
        for (const [fname, filter] of filters) {
          if (!pick(process.env.BENCH_TIMELINE_ZOOMS, zname)) continue;
          if (!pick(process.env.BENCH_TIMELINE_FILTERS, fname)) continue;
          const lanesAt = (i: number) => (paged ? { lanes: { offset: i * 30, limit: 50 } } : {});
          const t0 = performance.now();
          await call('queryTimeline', { filter, range, width: 1200, ...lanesAt(0) });
          const first = performance.now() - t0;
          firsts.push(first);
          const cpu: number[] = [];
          let i = 0;
          const r = await time(async () => {
            i += 1;
            const u = process.cpuUsage();
            const t = performance.now();
            const size = await call('queryTimeline', { filter, range, width: 1200, ...lanesAt(i) });
            calls.push(performance.now() - t);
            const d = process.cpuUsage(u);
            cpu.push((d.user + d.system) / 1000);
            return size;
          });
          cpu.sort((a, b) => a - b);
          all.push(r.p95);
          say(
            `${zname.padEnd(13)} ${fname.padEnd(25)} ${ms(first)}       ${ms(r.median)}     ${ms(r.p95)} ${(r.size / 1024).toFixed(0).padStart(10)}   ${ms(pct(cpu, 50))} / ${pct(cpu, 95).toFixed(1)}${r.p95 > 50 ? '  OVER (warm)' : ''}${first > 100 ? '  first over 100 ms' : ''}`,
          );
        }
      if (firsts.length === 0) return;
      all.sort((a, b) => a - b);
      firsts.sort((a, b) => a - b);
      calls.sort((a, b) => a - b);
      const what = paged ? 'timeline for the lanes in view' : 'timeline';
      const warm = paged
        ? `${RUNS} scrolls after each query's first`
        : `${RUNS} calls after each query's first`;
      say(
        `${what}, warm (${warm}): ${all.filter((v) => v > 50).length} of ${all.length} queries over 50 ms at p95; worst p95 ${all.at(-1)!.toFixed(1)} ms`,
      );
      // The same calls taken together: a query's p95 of seven is its slowest call, so one pause
      // in any of them counts the query as over; over all the calls, the p95 is the target's
      // own measure and says how many calls it leaves above 50 ms.
      say(
        `${what}, warm, all ${calls.length} calls together: median ${pct(calls, 50).toFixed(1)} ms, p95 ${pct(calls, 95).toFixed(1)} ms (target 50), p99 ${pct(calls, 99).toFixed(1)} ms; ${calls.filter((v) => v > 50).length} calls over 50 ms`,
      );
      say(
        `${what}, first answers (one a query): median ${pct(firsts, 50).toFixed(1)} ms, p95 ${pct(firsts, 95).toFixed(1)} ms (target 100 / 250); ${firsts.filter((v) => v > 50).length} of ${firsts.length} over 50 ms, ${firsts.filter((v) => v > 100).length} over 100 ms, slowest ${firsts.at(-1)!.toFixed(1)} ms`,
      );
    };
    await series(false);
    if (process.env.BENCH_TIMELINE_PAGED !== '0') {
      say(
        '\n## Timeline queries for the lanes in view (50 lanes from the top, then seven scrolls by 30 lanes; same targets)',
      );
      say(
        'zoom          filter                    first ms  warm median ms  warm p95 ms   answer KB   warm cpu median / p95 ms',
      );
      await series(true);
    }
  }
  await app.dispose();
  rmSync(user, { recursive: true, force: true });
  say(
    `peak memory of the app process${freshPeak ? ' during the views' : ''}: ${peakMemoryMb().toFixed(0)} MB`,
  );
}

if (only.has('cli')) {
  say(`\n## CLI commands, each in a fresh process (${load()})`);
  say(
    'command                          seconds  target   peak MB (< 512)  output               (+ module load s; cpu s)',
  );
  const work = mkdtempSync(join(dataDir, 'cli-'));
  const node = process.execPath;
  // The command as it ships: bundled like `npm run build:node` does, run by plain Node.
  // Beside the project's node_modules, so the bundle finds better-sqlite3 and pdfkit wherever
  // BENCH_DATA_DIR puts the case.
  const cacheDir = join(import.meta.dirname, '..', 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const bundleDir = mkdtempSync(join(cacheDir, 'bench-cli-'));
  const bundled = join(bundleDir, 'cli-child.js');
  // With the workers the CLI starts (events of a large case are written by two threads), named
  // as `npm run build:node` names them beside the CLI.
  const src = join(import.meta.dirname, '..', 'src', 'core', 'services');
  await build({
    entryPoints: {
      'cli-child': join(import.meta.dirname, 'cli-child.ts'),
      'events-worker': join(src, 'events-parallel-worker.ts'),
      'import-worker': join(src, 'import-worker.ts'),
    },
    outdir: bundleDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['better-sqlite3', 'electron', 'pdfkit'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const cli = (args: string[]) => {
    const out = execFileSync(node, [bundled, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SNOOPSCOPE_USER_DATA: join(work, 'user') },
      maxBuffer: 16 << 20,
    });
    return JSON.parse(out.trim().split('\n').pop()!) as {
      code: number;
      seconds: number;
      cpuSeconds: number;
      loadSeconds: number;
      maxRssMb: number;
      bytes: number;
      lines: number;
      errors: string;
    };
  };
  const labels = Array.from(
    { length: DEVICES },
    (_, i) => `Phone ${String(i + 1).padStart(2, '0')}`,
  );
  const commands: [string, string[], number, (r: ReturnType<typeof cli>) => string][] = [
    ['summary', ['summary', path], 1, (r) => `${r.lines} lines`],
    [
      'compare (all devices)',
      ['compare', path, '--devices', labels.join(',')],
      1,
      (r) => `${r.lines} lines`,
    ],
    ['findings', ['findings', path], 4, (r) => `${r.lines} lines`],
    ['findings --json', ['findings', path, '--json'], 4, (r) => `${(r.bytes / 1e6).toFixed(1)} MB`],
    [
      'events --kind access (jsonl)',
      ['events', path, '--kind', 'access'],
      TOTAL / 300_000,
      (r) => `${Math.round(r.lines / r.seconds).toLocaleString('en-US')} rows/s (>= 300,000)`,
    ],
    [
      'events --kind access (csv)',
      ['events', path, '--kind', 'access', '--format', 'csv'],
      TOTAL / 300_000,
      (r) => `${Math.round((r.lines - 1) / r.seconds).toLocaleString('en-US')} rows/s (>= 300,000)`,
    ],
    [
      'export (signed bundle + PDF)',
      ['export', path, '--out', join(work, 'bundle.zip')],
      60,
      () => `${(statSync(join(work, 'bundle.zip')).size / 1e6).toFixed(0)} MB zip`,
    ],
  ];
  const skip = new Set((process.env.BENCH_SKIP_CLI ?? '').split(',').filter(Boolean));
  for (const [name, args, target, what] of commands) {
    if (skip.has(args[0]!)) continue;
    const r = cli(args);
    if (r.code !== 0) say(`${name}: exit ${r.code} ${r.errors}`);
    say(
      `${name.padEnd(32)} ${r.seconds.toFixed(2).padStart(7)}  <= ${String(Math.round(target * 10) / 10).padEnd(4)} ${r.maxRssMb.toFixed(0).padStart(8)}${r.maxRssMb >= 512 ? ' OVER' : '     '}     ${what(r).padEnd(22)} (+${r.loadSeconds.toFixed(1)}; cpu ${r.cpuSeconds.toFixed(1)} s)${r.seconds > target ? '  OVER' : ''}`,
    );
    rmSync(join(work, 'bundle.zip'), { force: true });
  }
  rmSync(work, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
}
say(`\nscale figures took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.stdout.write(JSON.stringify({ report: lines.join('\n') }) + '\n');

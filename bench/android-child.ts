// Android figures: reading and parsing a generated 50 MB bugreport (zip) and importing it into a
// case; peak memory of this process. Usage: android-child.ts <workdir>
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAppOps } from '../src/core/importers/android/appops';
import { importAndroid } from '../src/core/importers/android/import';
import { readAndroidInput } from '../src/core/importers/android/input';
import { parsePackages } from '../src/core/importers/android/packages';
import { parseUsageStats } from '../src/core/importers/android/usagestats';
import { buildZip } from '../src/core/formats/zip/testing/write-zip';
import { CaseSession } from '../src/core/services/case-service';
import { captureGetprop } from '../src/core/testing/android-capture';

const TARGET = Number(process.env.BENCH_ANDROID_MB ?? 50) * 1e6;
const work = mkdtempSync(join(process.argv[2] ?? '.', 'android-'));
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

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
function wall(i: number): string {
  const t = Date.UTC(2025, 5, 11) + ((i * 7919) % (7 * 86_400_000));
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** A bugreport main text of about TARGET bytes: mostly appops, plus usagestats and package. */
function mainText(): string {
  const parts: string[] = ['== dumpstate: 2025-06-18 19:20:45', ''];
  parts.push(DASHES, 'DUMP OF SERVICE appops:', 'Current AppOps Service state:');
  let size = 0;
  let i = 0;
  for (let pkg = 0; size < TARGET * 0.85; pkg += 1) {
    const lines = [`  Uid u0a${100 + (pkg % 9000)}:`, `    Package com.example.app${pkg}:`];
    for (const op of OPS) {
      lines.push(`      ${op} (allow): `, '        null=[');
      for (const st of STATES) {
        i += 1;
        lines.push(`          Access: [${st}] ${wall(i)} (-1d2h3m4s5ms) duration=+${i % 5000}ms`);
      }
      lines.push('        ]');
    }
    const block = lines.join('\n');
    size += block.length;
    parts.push(block);
  }
  parts.push(
    DASHES,
    'DUMP OF SERVICE usagestats:',
    'user=0',
    '  Last 24 hour events (timeRange="x" )',
  );
  for (let k = 0; size < TARGET * 0.95; k += 1) {
    const line = `    time="${wall(k).slice(0, 19)}" type=${k % 2 ? 'ACTIVITY_PAUSED' : 'ACTIVITY_RESUMED'} package=com.example.app${k % 500} class=com.example.Main instanceId=${Math.floor(k / 2)} flags=0x0`;
    size += line.length + 1;
    parts.push(line);
  }
  parts.push(DASHES, 'DUMP OF SERVICE package:', 'Packages:');
  for (let p = 0; size < TARGET; p += 1) {
    const block = [
      `  Package [com.example.app${p}] (${p.toString(16)}):`,
      `    userId=${10100 + p}`,
      '    versionName=1.0',
      '    User 0: ceDataInode=1 installed=true hidden=false',
      '      runtime permissions:',
      '        android.permission.CAMERA: granted=true, flags=[ USER_SET ]',
    ].join('\n');
    size += block.length;
    parts.push(block);
  }
  parts.push(DASHES, '------ SYSTEM PROPERTIES (getprop) ------', captureGetprop());
  return parts.join('\n') + '\n';
}

try {
  const text = mainText();
  const zipPath = join(work, 'bugreport.zip');
  writeFileSync(
    zipPath,
    buildZip([
      { name: 'version.txt', data: '2.0' },
      { name: 'main_entry.txt', data: 'bugreport-bench.txt\n' },
      { name: 'bugreport-bench.txt', data: text, method: 'deflate' },
    ]),
  );
  const mb = Buffer.byteLength(text) / 1e6;
  const t0 = performance.now();
  const input = await readAndroidInput(zipPath);
  const t1 = performance.now();
  let events = 0;
  for (const s of input.sections) {
    if (s.service === 'appops') events += parseAppOps(s.text).records.length;
    if (s.service === 'usagestats') events += parseUsageStats(s.text).records.length;
    if (s.service === 'package') events += parsePackages(s.text).records.length;
  }
  const t2 = performance.now();
  const session = CaseSession.create(join(work, 'case.snoopcase'));
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);
  const r = await importAndroid(session, zipPath);
  clearInterval(sampler);
  const t3 = performance.now();
  session.close();
  const rss = process.resourceUsage().maxRSS / 1024;
  const secs = (a: number, b: number) => (b - a) / 1000;
  console.log(
    JSON.stringify({
      report: [
        `bugreport  ${mb.toFixed(1)} MB main text (zipped), ${events.toLocaleString('en-US')} records`,
        `read+split ${secs(t0, t1).toFixed(2)} s (${(mb / secs(t0, t1)).toFixed(1)} MB/s, inflate and section split)`,
        `parse      ${secs(t1, t2).toFixed(2)} s (${(mb / secs(t1, t2)).toFixed(1)} MB/s, appops + usagestats + package)`,
        `import     ${secs(t2, t3).toFixed(2)} s (${(mb / secs(t2, t3)).toFixed(1)} MB/s end to end: ${r.added.access.toLocaleString('en-US')} accesses, ${r.added.usage.toLocaleString('en-US')} usage events stored)`,
        `memory     import peak heap ${(peakHeap / 1e6).toFixed(0)} MB (sampled every 10 ms); whole bench process max RSS ${rss.toFixed(0)} MB`,
      ].join('\n'),
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

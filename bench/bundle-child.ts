// Evidence bundle figures: export a signed bundle of a case with 1,000,000 access sessions, then
// verify it. Usage: bundle-child.ts <datadir>
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportBundle } from '../src/core/bundle/export-bundle';
import { installationKey } from '../src/core/bundle/signing-key';
import { verifyBundle } from '../src/core/bundle/verify-bundle';
import { CaseSession } from '../src/core/services/case-service';
import { importFile } from '../src/core/services/import-run';
import { ensureExport } from './gen';

const dataDir = process.argv[2]!;
const SESSIONS = Number(process.env.BENCH_BUNDLE_EVENTS ?? 1_000_000);
const casePath = join(dataDir, `bundle-${SESSIONS}.snoopcase`);
if (!existsSync(casePath)) {
  const exp = await ensureExport(
    join(dataDir, `export-bundle-${SESSIONS}.ndjson`),
    Math.ceil(SESSIONS * 2.02),
  );
  const c = CaseSession.create(casePath);
  const d = c.createDevice({ label: 'bench' });
  const o = await importFile({ db: c.db, path: exp.path, deviceId: d.id });
  if (o.status !== 'imported') throw new Error(`import ${o.status}: ${o.error}`);
  c.close();
}
const work = mkdtempSync(join(dataDir, 'bundle-'));
try {
  const session = CaseSession.open(casePath);
  const key = installationKey(join(work, 'user'));
  const out = join(work, 'bundle.zip');
  const t0 = performance.now();
  const r = await exportBundle(session, { out, filter: {}, version: 'bench', key });
  const t1 = performance.now();
  const check = await verifyBundle(out);
  const t2 = performance.now();
  session.close();
  const mb = statSync(out).size / 1e6;
  console.log(
    JSON.stringify({
      report: [
        `export  ${((t1 - t0) / 1000).toFixed(2)} s for ${r.events.toLocaleString('en-US')} events (${mb.toFixed(0)} MB zip: events.csv, network.csv, signed manifest)`,
        `verify  ${((t2 - t1) / 1000).toFixed(2)} s (${check.ok ? 'intact' : 'NOT INTACT'})`,
        `peak memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (this process)`,
      ].join('\n'),
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

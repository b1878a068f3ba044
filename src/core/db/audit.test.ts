import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendAudit,
  AUDIT_GENESIS,
  auditHashV1,
  auditHashV2,
  auditPayloadHash,
  auditRows,
  listAudit,
  verifyAudit,
} from './audit';
import { MIGRATIONS } from './migrations';
import { migrate, type Db } from './open';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-audit-'));
  db = new Database(join(dir, 'c.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes entries the way versions before migration 0009 did: the hash covers the payload text. */
function writeOldEntries(n: number): void {
  let prev = AUDIT_GENESIS;
  for (let seq = 1; seq <= n; seq += 1) {
    const details = JSON.stringify({ path: `/evidence/com.evil.spy-${seq}.ndjson`, seq });
    const hash = auditHashV1(prev, seq, 1_700_000_000_000 + seq, 'import', details);
    db.prepare(
      'INSERT INTO audit_log (seq, at, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(seq, 1_700_000_000_000 + seq, 'import', details, prev, hash);
    prev = hash;
  }
}

describe('the audit chain', () => {
  it('hashes new entries over the salted SHA-256 of their payload, so a reader needs only that hash', () => {
    migrate(db);
    appendAudit(db, 'annotation', { target: 's:1:A', note: 'seen at night' });
    appendAudit(db, 'apps-paired', { a: 'com.a', b: 'com.b' });
    const rows = auditRows(db, 10);
    expect(rows.map((r) => r.scheme)).toEqual([2, 2]);
    let prev = AUDIT_GENESIS;
    for (const r of rows) {
      expect(r.salt).toMatch(/^[0-9a-f]{32}$/);
      const payload = auditPayloadHash(r.salt!, r.details);
      // The chain is recomputed without the payload text, from its hash alone.
      expect(r.hash).toBe(auditHashV2(prev, r.seq, r.at, r.action, payload));
      expect(r.prevHash).toBe(prev);
      prev = r.hash;
    }
    expect(rows[0]!.salt).not.toBe(rows[1]!.salt);
    expect(verifyAudit(db)).toMatchObject({ intact: true, entries: 2 });
  });

  it('detects an edited payload, salt or scheme', () => {
    migrate(db);
    appendAudit(db, 'annotation', { target: 's:1:A', note: 'one' });
    appendAudit(db, 'annotation', { target: 's:1:A', note: 'two' });
    const edits = [
      "UPDATE audit_log SET details = replace(details, 'one', 'won') WHERE seq = 1",
      "UPDATE audit_log SET salt = '00000000000000000000000000000000' WHERE seq = 1",
      'UPDATE audit_log SET salt = NULL WHERE seq = 1',
      // Scheme 1 over a text equal to the payload's hash must not pass for the original entry.
      'UPDATE audit_log SET scheme = 1 WHERE seq = 1',
    ];
    for (const sql of edits) {
      db.exec('SAVEPOINT edit');
      db.exec(sql);
      expect(verifyAudit(db), sql).toMatchObject({ intact: false, firstBroken: 1 });
      db.exec('ROLLBACK TO edit');
      db.exec('RELEASE edit');
    }
    const r = auditRows(db, 1)[0]!;
    expect(r.seq).toBe(2);
    db.prepare('UPDATE audit_log SET scheme = 1, details = ? WHERE seq = 2').run(
      auditPayloadHash(r.salt!, r.details),
    );
    expect(verifyAudit(db)).toMatchObject({ intact: false, firstBroken: 2 });
  });

  it('lists an entry whose details are no longer JSON as their text, which the check reports', () => {
    migrate(db);
    appendAudit(db, 'annotation', { target: 's:1:A', note: 'one' });
    appendAudit(db, 'annotation', { target: 's:1:A', note: 'two' });
    db.exec(`UPDATE audit_log SET details = '{"target":' WHERE seq = 1`);
    const [second, first] = listAudit(db);
    expect(second!.details).toEqual({ target: 's:1:A', note: 'two' });
    expect(first!.details).toEqual({
      'unreadable details (changed outside Snoopscope)': '{"target":',
    });
    expect(verifyAudit(db)).toMatchObject({ intact: false, firstBroken: 1 });
  });

  it('keeps entries written before the migration verifiable (scheme 1) and chains new ones after them', () => {
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 9),
    );
    writeOldEntries(3);
    // A case opened read-only is not migrated: its chain is still checked.
    expect(verifyAudit(db)).toMatchObject({ intact: true, entries: 3 });
    expect(auditRows(db, 10).map((r) => r.scheme)).toEqual([1, 1, 1]);
    migrate(db);
    expect(auditRows(db, 10).map((r) => [r.seq, r.scheme, r.salt])).toEqual([
      [1, 1, null],
      [2, 1, null],
      [3, 1, null],
    ]);
    expect(verifyAudit(db)).toMatchObject({ intact: true, entries: 3 });
    appendAudit(db, 'bundle-export', { path: '/out/b.zip' });
    const rows = auditRows(db, 10);
    expect(rows.map((r) => r.scheme)).toEqual([1, 1, 1, 2]);
    expect(rows[3]!.prevHash).toBe(rows[2]!.hash);
    expect(verifyAudit(db)).toMatchObject({ intact: true, entries: 4 });
    db.exec("UPDATE audit_log SET details = replace(details, 'spy-2', 'spy-9') WHERE seq = 2");
    expect(verifyAudit(db)).toMatchObject({ intact: false, firstBroken: 2 });
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mbFileBlob } from '../../testing/ios-backup-fixture';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { appsFromDomains, fileIdFor, openManifest, timeZoneFromManifest } from './manifest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-manifest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeManifest(rows: [string, string, number, Uint8Array | null][], wal = false): void {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)',
  );
  const ins = db.prepare('INSERT INTO Files VALUES (?, ?, ?, ?, ?)');
  for (const [domain, path, flags, file] of rows)
    ins.run(fileIdFor(domain, path), domain, path, flags, file);
  const bytes = db.serialize();
  if (wal) {
    bytes[18] = 2;
    bytes[19] = 2;
  }
  writeFileSync(join(dir, 'Manifest.db'), bytes);
}

describe('backup index', () => {
  it('computes fileIDs as sha1 of domain-path, with the dash even for an empty path', () => {
    expect(fileIdFor('AppDomain-com.google.Translate', '')).toBe(
      '0ee391b7b30bb534b93984ac39b3b20a65060c34',
    );
    expect(fileIdFor('HomeDomain', 'Library/TCC/TCC.db')).toBe(
      '64d0019cb3d46bfc8cce545a8ba54b93e7ea9347',
    );
  });

  it('opens the index from memory, reads the time zone link and the app domains, writing nothing beside it', async () => {
    writeManifest(
      [
        [
          'DatabaseDomain',
          'timezone/localtime',
          4,
          mbFileBlob('timezone/localtime', {
            target: '/var/db/timezone/zoneinfo/Europe/Zurich',
            mode: 41453,
          }),
        ],
        ['AppDomain-com.tencent.xin', '', 2, mbFileBlob('', { mode: 16877 })],
        [
          'AppDomain-com.tencent.xin',
          'Documents/a.db',
          1,
          mbFileBlob('Documents/a.db', { size: 10 }),
        ],
        ['AppDomain-ph.telegra.Telegraph', '', 2, null],
        ['HomeDomain', 'Library/TCC/TCC.db', 1, mbFileBlob('Library/TCC/TCC.db', { size: 4096 })],
      ],
      true,
    );
    const before = readdirSync(dir).sort();
    const m = await openManifest(dir);
    try {
      expect(timeZoneFromManifest(m)).toBe('Europe/Zurich');
      expect(appsFromDomains(m)).toEqual(['com.tencent.xin', 'ph.telegra.Telegraph']);
      expect(m.problems).toEqual([]);
    } finally {
      m.close();
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('reports a -wal file beside the index instead of ignoring it, and refuses a database without Files', async () => {
    writeManifest([]);
    writeFileSync(join(dir, 'Manifest.db-wal'), Buffer.alloc(32));
    const m = await openManifest(dir);
    expect(m.problems.join(' ')).toMatch(/Manifest\.db-wal is present/);
    m.close();
    const other = new Database(':memory:');
    other.exec('CREATE TABLE t (x)');
    writeFileSync(join(dir, 'Manifest.db'), other.serialize());
    await expect(openManifest(dir)).rejects.toThrow(/no Files table/);
  });

  const fixtures = sharedFixtures('ios-backup');
  it.skipIf(fixtures === null)(
    'reads the sample backup fixture: Vancouver and Google Translate',
    async () => {
      const m = await openManifest(join(fixtures!, 'sample_backup'));
      try {
        expect(timeZoneFromManifest(m)).toBe('America/Vancouver');
        expect(appsFromDomains(m)).toEqual(['com.google.Translate']);
      } finally {
        m.close();
      }
    },
  );
});

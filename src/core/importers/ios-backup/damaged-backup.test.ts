import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asDict, parsePlist } from '../../formats/plist';
import type { PlistValue } from '../../formats/plist/types';
import { writeBinaryPlist } from '../../formats/plist/writer';
import { AppError } from '../../model/errors';
import { DEMO_UDID, DEMO_ZONE, writeDemoBackup } from '../../testing/ios-backup-demo';
import { payloadPath, writeSyntheticBackup } from '../../testing/ios-backup-fixture';
import { deniedOpen } from '../../testing/denied-open';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { treeHashes } from '../../testing/tree-hashes';
import { importBackupDevice, type BackupDeviceResult } from '../../services/backup-import';

vi.mock('node:fs/promises', async (original) => {
  const { withDeniedOpen } = await import('../../testing/denied-open');
  return withDeniedOpen(await original<typeof FsPromises>());
});

const TCC = ['HomeDomain', 'Library/TCC/TCC.db'] as const;
const DATA_USAGE = ['WirelessDomain', 'Library/Databases/DataUsage.sqlite'] as const;

let t: TempCase;
let dir: string;
beforeEach(() => {
  t = tempCase();
  dir = join(t.dir, 'backup');
  writeDemoBackup(dir);
});
afterEach(() => {
  deniedOpen.suffix = null;
  if (t.session.db.open) t.cleanup();
  else rmSync(t.dir, { recursive: true, force: true });
});

function statuses(r: BackupDeviceResult): [string | null, string][] {
  return r.artifacts.map((o) => [o.importer, o.status]);
}

function setManifestPlist(change: (m: Record<string, PlistValue>) => void): void {
  const path = join(dir, 'Manifest.plist');
  const m = { ...asDict(parsePlist(readFileSync(path)))! };
  change(m);
  writeFileSync(path, writeBinaryPlist(m));
}

function deviceRow(): { udid: string; time_zone: string | null } | undefined {
  return t.session.db
    .prepare('SELECT udid, time_zone FROM devices WHERE udid = ?')
    .get(DEMO_UDID) as { udid: string; time_zone: string | null } | undefined;
}

const ALL_IMPORTED: [string, string][] = [
  ['ios-backup-tcc', 'imported'],
  ['ios-backup-data-usage', 'imported'],
  ['ios-backup-location-clients', 'imported'],
  ['ios-backup-osanalytics-addaily', 'imported'],
  ['ios-backup-configuration-profiles', 'imported'],
  ['ios-backup-configuration-profiles', 'imported'],
];

describe('a backup whose Manifest.db cannot serve as the index', () => {
  /** Imports, and checks the phone was still recorded and the index refused with the reason. */
  async function expectIndexRefused(reason: RegExp): Promise<void> {
    const before = treeHashes(dir);
    const r = await importBackupDevice(t.session, dir);
    expect(r.artifacts).toHaveLength(1);
    expect(r.artifacts[0]).toMatchObject({
      path: join(dir, 'Manifest.db'),
      locator: 'Manifest.db',
      status: 'refused',
      deviceId: r.device.id,
    });
    expect(r.artifacts[0]!.error).toMatch(reason);
    expect(r.artifacts[0]!.error).toMatch(/the phone and its apps were recorded/);
    // What else can be read is read: the phone's identity and its apps from the root plists.
    expect(r.device.identifiers.udid).toBe(DEMO_UDID);
    expect(r.apps).toBe(2);
    expect(treeHashes(dir)).toEqual(before);
  }

  it('refuses an empty Manifest.db by name', async () => {
    truncateSync(join(dir, 'Manifest.db'), 0);
    await expectIndexRefused(/^Manifest\.db is empty \(0 bytes\)/);
  });

  it('refuses a truncated Manifest.db whose tables cannot be read', async () => {
    truncateSync(join(dir, 'Manifest.db'), 3000);
    await expectIndexRefused(/^Manifest\.db is damaged: its list of tables cannot be read/);
  });

  it('refuses a Manifest.db that is a folder, a named pipe, or a link out of the backup', async () => {
    rmSync(join(dir, 'Manifest.db'));
    mkdirSync(join(dir, 'Manifest.db'));
    await expectIndexRefused(/^Manifest\.db is a folder, not a regular file/);
    rmSync(join(dir, 'Manifest.db'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'Manifest.db')]);
    await expectIndexRefused(/^Manifest\.db is a named pipe \(FIFO\)/);
    rmSync(join(dir, 'Manifest.db'));
    symlinkSync('/etc/passwd', join(dir, 'Manifest.db'));
    await expectIndexRefused(
      /^Manifest\.db is a symbolic link to \/etc\/passwd, outside the evidence folder/,
    );
  });

  it('refuses a Manifest.db that cannot be opened (permission denied) and says what to do', async () => {
    deniedOpen.suffix = 'Manifest.db';
    await expectIndexRefused(
      /^Manifest\.db cannot be read \(permission denied\).*Full Disk Access/,
    );
  });

  it('refuses a Manifest.db without a Files table, or one that is not SQLite', async () => {
    const db = new Database(join(dir, 'Manifest.db'));
    db.exec('ALTER TABLE Files RENAME TO Other');
    db.close();
    await expectIndexRefused(/^Manifest\.db has no Files table \(its tables: Other\)/);
    writeFileSync(join(dir, 'Manifest.db'), 'x'.repeat(5000));
    await expectIndexRefused(/^Manifest\.db is not a SQLite database \(it looks like plain text\)/);
  });
});

describe('a damaged Manifest.db whose rows can partly be read', () => {
  it("reads a Manifest.db cut short after its rows, and reports SQLite's verdict on one line", async () => {
    const path = join(dir, 'Manifest.db');
    truncateSync(path, Math.floor(statSync(path).size * 0.7));
    const r = await importBackupDevice(t.session, dir);
    const warning = r.problems.find((p) => p.startsWith('Manifest.db is damaged ('));
    expect(warning).toMatch(/rows of its Files table could be read and are used/);
    expect(warning).not.toMatch(/\n/);
    expect(statuses(r)).toEqual(ALL_IMPORTED);
  });

  it('uses the rows on both sides of a damaged page, with a warning', async () => {
    rmSync(dir, { recursive: true });
    writeSyntheticBackup(dir, {
      fillerRows: 3000,
      files: [{ domain: TCC[0], relativePath: TCC[1], data: readFileSync(tccOfDemo()) }],
    });
    const bytes = readFileSync(join(dir, 'Manifest.db'));
    const page = Math.floor(bytes.length / 4096 / 2) * 4096;
    bytes.fill(0xab, page, page + 4096);
    writeFileSync(join(dir, 'Manifest.db'), bytes);
    const r = await importBackupDevice(t.session, dir);
    expect(r.problems.join(' ')).toMatch(
      /Manifest\.db is damaged \(.+\): \d+ rows of its Files table could be read and are used/,
    );
    // The time zone row and the TCC row lie outside the damaged page: both are still found.
    expect(r.timeZone).toBe('Europe/Zurich');
    expect(statuses(r)).toEqual([['ios-backup-tcc', 'imported']]);
  });
});

let tccCopy: string | null = null;
/** The demo backup's TCC.db payload, copied out once. */
function tccOfDemo(): string {
  if (tccCopy === null) {
    const other = join(t.dir, 'demo-copy');
    writeDemoBackup(other);
    tccCopy = join(t.dir, 'TCC.db');
    writeFileSync(tccCopy, readFileSync(payloadPath(other, ...TCC)));
  }
  return tccCopy;
}
afterEach(() => {
  tccCopy = null;
});

describe('index rows that are not what the format says', () => {
  it('reads a backup whose file blobs are garbage: the zone is reported unknown, artifacts are read', async () => {
    const db = new Database(join(dir, 'Manifest.db'));
    db.exec("UPDATE Files SET file = x'00112233'");
    db.close();
    const r = await importBackupDevice(t.session, dir);
    expect(r.problems).toContain(
      'Manifest.db\'s entry for DatabaseDomain timezone/localtime cannot be decoded (binary plist: missing the "bplist00" header (at byte 0)); the time zone is not taken from the backup.',
    );
    expect(r.timeZone).toBeNull();
    expect(statuses(r)).toEqual(ALL_IMPORTED);
  });

  it('skips rows whose names are not text, and reads the rest', async () => {
    const db = new Database(join(dir, 'Manifest.db'));
    db.exec(
      "INSERT INTO Files VALUES (x'00', 'AppDomain-x', 'a', 1, NULL), ('f', x'41', 'b', 1, NULL)",
    );
    db.close();
    const r = await importBackupDevice(t.session, dir);
    expect(r.apps).toBe(2);
    expect(r.problems).toContain(
      "2 rows of Manifest.db's Files table have a fileID, domain or relativePath that is not text; they are skipped.",
    );
    expect(statuses(r)).toEqual(ALL_IMPORTED);
  });
});

describe('an IsEncrypted flag that does not match Manifest.db', () => {
  it('reads a plain index as plain when Manifest.plist says encrypted, and says so', async () => {
    setManifestPlist((m) => {
      m.IsEncrypted = true;
    });
    const r = await importBackupDevice(t.session, dir);
    expect(r.problems).toContain(
      'Manifest.plist says the backup is encrypted (IsEncrypted), but Manifest.db is a plain SQLite database: the backup is read as unencrypted.',
    );
    expect(statuses(r)).toEqual(ALL_IMPORTED);
  });

  it('reads an encrypted index as encrypted when Manifest.plist says plain, and says so', async () => {
    rmSync(dir, { recursive: true });
    writeDemoBackup(dir, { password: 'secret' });
    setManifestPlist((m) => {
      m.IsEncrypted = false;
    });
    const r = await importBackupDevice(t.session, dir, { password: 'secret' });
    expect(r.problems).toContain(
      'Manifest.plist says the backup is not encrypted (IsEncrypted), but Manifest.db is not a plain SQLite database and Manifest.plist holds the backup keys: the backup is read as encrypted.',
    );
    expect(statuses(r)).toEqual(ALL_IMPORTED);
  });

  it('refuses the index of a backup that says plain but is not SQLite and holds no keys', async () => {
    writeFileSync(join(dir, 'Manifest.db'), Buffer.alloc(8192, 0x5a));
    const r = await importBackupDevice(t.session, dir);
    expect(r.info.encrypted).toBe(false);
    expect(r.artifacts.map((o) => [o.status, o.error])).toEqual([
      [
        'refused',
        expect.stringMatching(
          /^Manifest\.db is not a SQLite database \(it looks like plain text\)/,
        ),
      ],
    ]);
  });
});

describe('named pipes and links inside a backup', () => {
  it('skips a named pipe in place of an artifact or a root plist, and imports the rest', async () => {
    const tcc = payloadPath(dir, ...TCC);
    rmSync(tcc);
    execFileSync('mkfifo', [tcc]);
    rmSync(join(dir, 'Status.plist'));
    execFileSync('mkfifo', [join(dir, 'Status.plist')]);
    const r = await importBackupDevice(t.session, dir);
    expect(r.problems).toContain(
      'Status.plist is a named pipe (FIFO), not a regular file; it was skipped without being opened.',
    );
    expect(r.artifacts[0]).toMatchObject({ importer: 'ios-backup-tcc', status: 'refused' });
    expect(r.artifacts[0]!.error).toMatch(
      /^HomeDomain Library\/TCC\/TCC\.db: [0-9a-f]{2}\/[0-9a-f]{40} is a named pipe \(FIFO\), not a regular file; it was skipped without being opened\.$/,
    );
    expect(statuses(r).slice(1)).toEqual(ALL_IMPORTED.slice(1));
  });

  it('refuses an artifact that links out of the backup, and never stores what the link names', async () => {
    const tcc = payloadPath(dir, ...TCC);
    rmSync(tcc);
    symlinkSync('/etc/passwd', tcc);
    const r = await importBackupDevice(t.session, dir);
    expect(r.artifacts[0]!.status).toBe('refused');
    expect(r.artifacts[0]!.error).toMatch(
      /is a symbolic link to \/etc\/passwd, outside the evidence folder; it was not followed\.$/,
    );
    const passwd = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');
    expect(
      t.session.db.prepare('SELECT count(*) AS n FROM sources WHERE sha256 = ?').get(passwd),
    ).toEqual({ n: 0 });
  });

  it('refuses a payload reached through a linked folder outside the backup', async () => {
    const tcc = payloadPath(dir, ...TCC);
    const outside = join(t.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, tcc.split('/').pop()!), readFileSync(tcc));
    rmSync(join(tcc, '..'), { recursive: true });
    symlinkSync(outside, join(tcc, '..'));
    const r = await importBackupDevice(t.session, dir);
    expect(r.artifacts[0]!.error).toMatch(/outside the evidence folder; it was not followed\.$/);
  });

  it('follows a link that stays inside the backup, and notes it', async () => {
    const tcc = payloadPath(dir, ...TCC);
    const moved = join(dir, 'moved-tcc');
    writeFileSync(moved, readFileSync(tcc));
    rmSync(tcc);
    symlinkSync('../moved-tcc', tcc);
    const r = await importBackupDevice(t.session, dir);
    expect(r.artifacts[0]).toMatchObject({ status: 'imported', counts: { records: 4 } });
    expect(r.artifacts[0]!.warnings.map((w) => w.message)).toContain(
      "HomeDomain Library/TCC/TCC.db is stored as a symbolic link to moved-tcc inside the backup folder; the link's target was read.",
    );
  });
});

describe('SQLite artifacts that are not readable databases', () => {
  it('refuses TCC.db and DataUsage.sqlite alike when they are not databases, and imports the rest', async () => {
    writeFileSync(payloadPath(dir, ...TCC), 'hello, this is not a database at all\n');
    writeFileSync(payloadPath(dir, ...DATA_USAGE), 'hello, this is not a database at all\n');
    const r = await importBackupDevice(t.session, dir);
    expect(r.artifacts.map((o) => [o.importer, o.status, o.error])).toEqual([
      [
        'ios-backup-tcc',
        'refused',
        'HomeDomain Library/TCC/TCC.db is not a SQLite database (it looks like plain text).',
      ],
      [
        'ios-backup-data-usage',
        'refused',
        'WirelessDomain Library/Databases/DataUsage.sqlite is not a SQLite database (it looks like plain text).',
      ],
      ...ALL_IMPORTED.slice(2).map(([importer, status]) => [importer, status, null]),
    ]);
    expect(t.session.sources().map((s) => s.importer)).not.toContain('ios-backup-tcc');
  });

  it('refuses TCC.db and DataUsage.sqlite alike when they are empty or truncated', async () => {
    writeFileSync(payloadPath(dir, ...TCC), '');
    const usage = payloadPath(dir, ...DATA_USAGE);
    truncateSync(usage, Math.floor(statSync(usage).size / 2));
    const r = await importBackupDevice(t.session, dir);
    expect(r.artifacts[0]).toMatchObject({
      status: 'refused',
      error: 'HomeDomain Library/TCC/TCC.db is empty (0 bytes), not a SQLite database.',
    });
    expect(r.artifacts[1]).toMatchObject({ importer: 'ios-backup-data-usage', status: 'refused' });
    expect(r.artifacts[1]!.error).toMatch(/^WirelessDomain Library\/Databases\/DataUsage\.sqlite /);
    expect(statuses(r).slice(2)).toEqual(ALL_IMPORTED.slice(2));
  });
});

describe('values no date can be', () => {
  it('stores a TCC row whose last_modified is 1e308 seconds without a time, and everything else', async () => {
    const db = new Database(payloadPath(dir, ...TCC));
    db.prepare('UPDATE access SET last_modified = 1e308 WHERE rowid = 2').run();
    db.close();
    const r = await importBackupDevice(t.session, dir);
    expect(statuses(r)).toEqual(ALL_IMPORTED);
    expect(r.artifacts[0]).toMatchObject({ counts: { records: 4 } });
    expect(r.artifacts[0]!.warnings.map((w) => w.message)).toContain(
      'access rowid 2: the time is outside the range of dates (Infinity ms from 1970); it is stored as unknown.',
    );
    const times = t.session.db
      .prepare(
        "SELECT locator, time_ms FROM permission_records WHERE origin = 'tcc' ORDER BY locator",
      )
      .all() as { locator: string; time_ms: number | null }[];
    expect(times.map((x) => [x.locator, x.time_ms === null])).toEqual([
      ['access rowid 1', false],
      ['access rowid 2', true],
      ['access rowid 3', false],
      ['access rowid 4', false],
    ]);
  });
});

describe('large artifacts', () => {
  it('stores a DataUsage.sqlite with 70,000 processes (its time span is not spread into Math.min)', async () => {
    rmSync(dir, { recursive: true });
    // 140,004 first and last times: more arguments than a call can take on the stack.
    writeDemoBackup(dir, { extraProcesses: 70_000, omit: ['TCC.db'] });
    const r = await importBackupDevice(t.session, dir);
    const usage = r.artifacts.find((o) => o.importer === 'ios-backup-data-usage');
    expect(usage).toMatchObject({ status: 'imported', counts: { records: 70_002 } });
    const source = t.session.sources().find((s) => s.importer === 'ios-backup-data-usage');
    expect(source?.dataFrom).toBe(Date.UTC(2024, 4, 10) - 60 * 86_400_000);
    expect(deviceRow()?.time_zone).toBe(DEMO_ZONE);
  });
});

describe('a failure that is not about the input', () => {
  it('comes out as an INTERNAL refusal naming the backup, with the cause kept for the log', async () => {
    t.session.db.close();
    const e = (await importBackupDevice(t.session, dir).catch((x: unknown) => x)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('INTERNAL');
    expect(
      e.message.startsWith(`${dir} could not be imported because of an unexpected error (`),
    ).toBe(true);
    expect(e.cause).toBeInstanceOf(Error);
  });
});

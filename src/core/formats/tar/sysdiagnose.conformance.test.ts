import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { parsePowerLog, readPowerLogFile } from '../powerlog/reader';
import { extractMembers, readTar } from './reader';
import { buildTarGz } from './testing/tar-writer';

// A synthetic sysdiagnose archive built in a temporary folder around the real PowerLog of the
// shared fixtures (never copied into the repository; the temporary folder is removed).
const dir = sharedFixtures('ios-sysdiagnose');
const NAME = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
const ROOT = 'sysdiagnose_2021.12.16_05-54-30-0500_iPad_iPadOS_15.0.2_19A404';

describe.skipIf(dir === null)('conformance: a sysdiagnose archive around the real PowerLog', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sysdiagnose-conformance-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('pulls the PowerLog out of a system-tar archive and reads the same states', async () => {
    const src = join(tmp, ROOT);
    mkdirSync(join(src, 'logs', 'powerlogs'), { recursive: true });
    copyFileSync(join(dir!, NAME), join(src, 'logs', 'powerlogs', NAME));
    writeFileSync(join(src, 'logs', 'other.log'), 'unrelated');
    const archive = join(tmp, `${ROOT}.tar.gz`);
    execFileSync('tar', ['-czf', archive, '-C', tmp, ROOT]);

    const members = await extractMembers(archive, ['**/logs/powerlogs/*.PLSQL']);
    expect(members.map((m) => m.entry.path)).toEqual([`${ROOT}/logs/powerlogs/${NAME}`]);
    expect(members[0]!.data.equals(readFileSync(join(dir!, NAME)))).toBe(true);
    const fromArchive = parsePowerLog(members[0]!.data, {}, NAME);
    const direct = await readPowerLogFile(join(dir!, NAME));
    expect(fromArchive.changes).toEqual(direct.changes);
    expect(fromArchive.intervals).toEqual(direct.intervals);
  });

  it('reads the PowerLog as a member of a PAX archive among links and a FIFO entry', async () => {
    const bytes = readFileSync(join(dir!, NAME));
    const archive = buildTarGz([
      { name: `${ROOT}/`, type: '5' },
      { name: `${ROOT}/logs/powerlogs/evil.PLSQL`, type: '2', linkName: '/etc/passwd' },
      { name: `${ROOT}/logs/fifo`, type: '6' },
      { name: 'x', pax: { path: `${ROOT}/logs/powerlogs/${NAME}` }, content: bytes },
    ]);
    const seen: string[] = [];
    for await (const m of readTar(archive)) seen.push(`${m.type}:${m.refusal === null}`);
    expect(seen).toEqual(['directory:false', 'symlink:false', 'fifo:false', 'file:true']);
    const [member] = await extractMembers(archive, ['**/powerlog_*.PLSQL']);
    const r = parsePowerLog(member!.data);
    expect(r.changes.filter((c) => c.kind === 'lock')).toHaveLength(6);
  });
});

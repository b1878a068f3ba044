import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPowerLog } from '../../formats/powerlog/testing/synthetic';
import { buildTar, buildTarGz } from '../../formats/tar/testing/tar-writer';
import { importPath } from '../../services/import-pipeline';
import { tempCase, type TempCase } from '../../testing/temp-case';
import type { MemberRecord, ParseItem } from '../importer';
import { detect } from '../registry';
import { bytesSource, testContext } from '../testing/source-input';
import { sysdiagnoseNameFacts } from './name';
import { sysdiagnoseImporter } from '.';

const ROOT = 'sysdiagnose_2021.12.16_05-54-30-0500_iPad_iPadOS_15.0.2_19A404';
const PL = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
const T = Date.UTC(2021, 11, 16, 10) / 1000;

function powerLog(): Buffer {
  return buildPowerLog({
    PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
    PLSpringBoardAgent_EventForward_SBLock: [
      { timestamp: T + 10, Locked: 1 },
      { timestamp: T + 20, Locked: 0 },
    ],
    PLSpringBoardAgent_EventForward_SBBlank: [{ timestamp: T + 5, Blanked: 1 }],
  });
}

function archive(extra: Parameters<typeof buildTar>[0] = []): Buffer {
  return buildTarGz([
    { name: `${ROOT}/`, type: '5' },
    { name: `${ROOT}/logs/other.log`, content: 'unrelated' },
    // Names past 100 bytes are written as PAX paths, as macOS and iOS tar do.
    { name: 'x', pax: { path: `${ROOT}/logs/powerlogs/${PL}` }, content: powerLog() },
    ...extra,
  ]);
}

async function collect(bytes: Uint8Array, name = `${ROOT}.tar.gz`): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const batch of sysdiagnoseImporter.parse(bytesSource(bytes, name), testContext()))
    out.push(...batch);
  return out;
}

describe('sysdiagnose importer: sniff', () => {
  it('looks inside the gzip head for the sysdiagnose folder, whatever the name', () => {
    const head = archive().subarray(0, 64 * 1024);
    const r = sysdiagnoseImporter.sniff({ kind: 'file', name: 'x.bin', size: 1, head });
    expect(r.confidence).toBe(0.95);
    expect(detect({ kind: 'file', name: 'x.bin', size: 1, head }).chosen).toBe(sysdiagnoseImporter);
  });
  it('looks inside the first 64 KiB of a large archive, past a PAX header', () => {
    const big = buildTarGz([
      { name: 'x', pax: { path: `${ROOT}/logs/powerlogs/${PL}` }, content: randomBytes(300_000) },
    ]);
    const head = big.subarray(0, 64 * 1024);
    const r = sysdiagnoseImporter.sniff({
      kind: 'file',
      name: 'evidence.bin',
      size: big.length,
      head,
    });
    expect(r.confidence).toBe(0.95);
  });
  it('recognises an archive made by the system tar from its first 64 KiB', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sysdiagnose-sniff-'));
    try {
      mkdirSync(join(tmp, ROOT, 'logs', 'powerlogs'), { recursive: true });
      writeFileSync(join(tmp, ROOT, 'logs', 'powerlogs', PL), randomBytes(200_000));
      const archive = join(tmp, 'upload.tgz');
      execFileSync('tar', ['-czf', archive, '-C', tmp, ROOT]);
      const head = readFileSync(archive).subarray(0, 64 * 1024);
      const r = sysdiagnoseImporter.sniff({ kind: 'file', name: 'upload.tgz', size: 1, head });
      expect(r.confidence).toBe(0.95);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
  it('recognises a plain tar of a sysdiagnose', () => {
    const head = buildTar([{ name: `${ROOT}/`, type: '5' }]);
    expect(
      sysdiagnoseImporter.sniff({ kind: 'file', name: 'a.tar', size: 1, head }).confidence,
    ).toBe(0.95);
  });
  it('refuses another gzip or tar, and takes the name alone with less confidence', () => {
    const other = buildTarGz([{ name: 'photos/', type: '5' }]);
    expect(
      sysdiagnoseImporter.sniff({ kind: 'file', name: 'a.tar.gz', size: 1, head: other })
        .confidence,
    ).toBe(0);
    expect(
      sysdiagnoseImporter.sniff({
        kind: 'file',
        name: `${ROOT}.tar.gz`,
        size: 1,
        head: other.subarray(0, 12),
      }).confidence,
    ).toBe(0.8);
    expect(
      sysdiagnoseImporter.sniff({ kind: 'file', name: 'a.txt', size: 1, head: Buffer.from('hi') })
        .confidence,
    ).toBe(0);
  });
});

describe('sysdiagnose importer: parse', () => {
  it('yields one member per PowerLog with its archive path and the name facts', async () => {
    const items = await collect(archive());
    const members = items.filter((i): i is MemberRecord => i.type === 'member');
    expect(members).toHaveLength(1);
    const m = members[0]!;
    expect(m.importer).toBe('ios-powerlog');
    expect(m.source.locator).toBe(`${ROOT}/logs/powerlogs/${PL}`);
    expect(m.source.name).toBe(PL);
    expect(m.hints).toEqual({
      captureOffsetMin: -300,
      capturedAtMs: Date.UTC(2021, 11, 16, 10, 54, 30),
    });
    expect(m.capturedAtMs).toBe(Date.UTC(2021, 11, 16, 10, 54, 30));
    expect(m.details).toMatchObject({ model: 'iPad', osVersion: '15.0.2', build: '19A404' });
    const parts: Uint8Array[] = [];
    for await (const c of m.source.chunks()) parts.push(c);
    expect(Buffer.concat(parts).equals(powerLog())).toBe(true);
    // No identity is in a sysdiagnose name: no device record, the examiner's choice applies.
    expect(items.some((i) => i.type === 'device')).toBe(false);
  });

  it('never follows a link named like a PowerLog, and says so', async () => {
    const items = await collect(
      archive([{ name: `${ROOT}/logs/powerlogs/evil.PLSQL`, type: '2', linkName: '/etc/passwd' }]),
    );
    expect(items.filter((i) => i.type === 'member')).toHaveLength(1);
    expect(JSON.stringify(items)).toContain('evil.PLSQL');
  });

  it('refuses an archive without a PowerLog', async () => {
    const items = await collect(buildTarGz([{ name: `${ROOT}/logs/a.log`, content: 'x' }]));
    expect(items.at(-1)).toMatchObject({ type: 'refusal' });
    expect((items.at(-1) as { message: string }).message).toContain('holds no PowerLog');
  });

  it('refuses a truncated archive in words', async () => {
    const bytes = archive();
    const items = await collect(bytes.subarray(0, bytes.length - 40));
    expect(items.at(-1)).toMatchObject({ type: 'refusal' });
    expect((items.at(-1) as { message: string }).message).toMatch(
      /could not be read as a sysdiagnose archive/,
    );
  });
});

describe('sysdiagnoseNameFacts', () => {
  it('reads the time, offset, model, OS and build from the name', () => {
    expect(sysdiagnoseNameFacts(`${ROOT}.tar.gz`)).toEqual({
      localTime: '2021-12-16T05:54:30',
      offsetMin: -300,
      model: 'iPad',
      osName: 'iPadOS',
      osVersion: '15.0.2',
      build: '19A404',
    });
    expect(sysdiagnoseNameFacts('sysdiagnose_2021.13.16_05-54-30.tar.gz')).toBeNull();
    expect(sysdiagnoseNameFacts('photo.tar.gz')).toBeNull();
  });
});

describe('sysdiagnose through the import pipeline', () => {
  let c: TempCase | null = null;
  afterEach(() => {
    c?.cleanup();
    c = null;
  });

  it('stores each PowerLog as its own source with its states and coverage', async () => {
    c = tempCase();
    const path = c.write(`${ROOT}.tar.gz`, '');
    writeFileSync(path, archive());
    const r = await importPath(c.session.db, path, {
      device: c.deviceId,
      timeZone: 'America/New_York',
    });
    expect(r.outcomes.map((o) => o.status)).toEqual(['imported']);
    const rows = c.session.db
      .prepare('SELECT kind, value, locator FROM device_states ORDER BY from_ms')
      .all();
    expect(rows).toEqual([
      { kind: 'screen', value: 'off', locator: 'PLSpringBoardAgent_EventForward_SBBlank rowid 1' },
      { kind: 'lock', value: 'locked', locator: 'PLSpringBoardAgent_EventForward_SBLock rowid 1' },
      {
        kind: 'lock',
        value: 'unlocked',
        locator: 'PLSpringBoardAgent_EventForward_SBLock rowid 2',
      },
    ]);
    const cov = c.session.db
      .prepare('SELECT kind, basis FROM device_state_coverage ORDER BY kind')
      .all();
    expect(cov).toEqual([
      { kind: 'lock', basis: 'powerlog' },
      { kind: 'screen', basis: 'powerlog' },
    ]);
  });

  it('asks for the time zone when none is given', async () => {
    c = tempCase();
    const path = c.write(`${ROOT}.tar.gz`, '');
    writeFileSync(path, archive());
    await expect(importPath(c.session.db, path, { device: c.deviceId })).rejects.toMatchObject({
      code: 'TIMEZONE_REQUIRED',
    });
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationSchema, type Annotation } from '../contract/findings';
import { CaseSession } from '../core/services/case-service';
import { listAudit, verifyAudit } from '../core/db/audit';
import { REPORTS, runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let casePath: string;

beforeAll(async () => {
  tmp = tempDir();
  const a = tmp.file('a.ndjson', REPORTS.a);
  casePath = join(tmp.dir, 'a.snoopcase');
  expect((await runCli(['import', casePath, a, '--device', 'phone'])).code).toBe(0);
});
afterAll(() => tmp.cleanup());

const session = (key: string) => `s:1:${key}`;

async function annotateJson(...args: string[]): Promise<Annotation> {
  const r = await runCli(['annotate', casePath, ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const row: unknown = JSON.parse(r.stdout);
  const valid = annotationSchema.parse(row);
  expect(row).toStrictEqual(valid);
  return valid;
}

async function summaryKeys(...flags: string[]): Promise<string[]> {
  const r = await runCli(['summary', casePath, ...flags, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { app: string; category: string; sessions: number }[])
    .map((x) => `${x.app}/${x.category}/${x.sessions}`)
    .sort();
}

describe('annotate', () => {
  it('stars, tags and notes a session and prints the annotation', async () => {
    const a = await annotateJson(session('U1'), '--star', '--tag', 'night', '--tag', 'wechat');
    expect(a).toMatchObject({
      target: session('U1'),
      kind: 'access',
      star: true,
      tags: ['night', 'wechat'],
      note: null,
    });
    const b = await annotateJson(session('U1'), '--untag', 'wechat', '--note', 'Checked');
    expect(b).toMatchObject({ star: true, tags: ['night'], note: 'Checked' });
  });

  it('prints a readable annotation without --json', async () => {
    const r = await runCli(['annotate', casePath, session('U2'), '--tag', 'camera']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${session('U2')} (access)`);
    expect(r.stdout).toMatch(/tags:\s+camera/);
  });

  it('filters summary and events by tag and by star', async () => {
    expect(await summaryKeys('--tag', 'night')).toEqual(['com.example.app/photos/1']);
    expect(await summaryKeys('--tag', 'night', '--tag', 'camera')).toEqual([
      'com.example.app/camera/1',
      'com.example.app/photos/1',
    ]);
    expect(await summaryKeys('--starred')).toEqual(['com.example.app/photos/1']);
    const r = await runCli(['events', casePath, '--kind', 'access', '--tag', 'camera']);
    expect(r.code).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual([session('U2')]);
  });

  it('clears star and note, removing an empty annotation', async () => {
    await annotateJson(session('U3'), '--star', '--note', 'x');
    const a = await annotateJson(session('U3'), '--unstar', '--clear-note');
    expect(a).toMatchObject({ star: false, tags: [], note: null });
  });

  it('annotates a finding by id and records every change in an intact audit log', async () => {
    const a = await annotateJson('f:night-access:1:com.example.app:photos', '--tag', 'report');
    expect(a.kind).toBe('finding');
    const s = CaseSession.open(casePath, { readonly: true });
    try {
      const entries = listAudit(s.db).filter((e) => e.action === 'annotation');
      expect(entries.length).toBeGreaterThanOrEqual(6);
      expect(entries[0]!.details).toMatchObject({
        target: 'f:night-access:1:com.example.app:photos',
        before: null,
      });
      expect(verifyAudit(s.db).intact).toBe(true);
    } finally {
      s.close();
    }
  });

  it('refuses unknown records, missing cases and contradictory flags', async () => {
    const unknown = await runCli(['annotate', casePath, 's:1:NOPE', '--star']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No record s:1:NOPE');
    const missing = await runCli(['annotate', join(tmp.dir, 'none.snoopcase'), 'p:1', '--star']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No case file');
    expect((await runCli(['annotate', casePath, 'p:1', '--star', '--unstar'])).code).toBe(2);
    expect((await runCli(['annotate', casePath])).code).toBe(2);
    expect((await runCli(['annotate', casePath, 'p:1', 'extra'])).code).toBe(2);
    expect((await runCli(['annotate', casePath, 'p:1', '--tag', ' '])).code).toBe(2);
  });
});

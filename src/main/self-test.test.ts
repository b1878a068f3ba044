import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNativeSelfTest, selfTestRequest, writeSelfTestReport } from './self-test';

describe('selfTestRequest', () => {
  it('finds --self-test with or without a report file among the arguments', () => {
    expect(selfTestRequest(['/app/Snoopscope'])).toBeNull();
    expect(selfTestRequest(['/app/Snoopscope', '--self-test'])).toEqual({ out: null });
    expect(selfTestRequest(['x', '--no-sandbox', '--self-test=/tmp/r.json'])).toEqual({
      out: '/tmp/r.json',
    });
    expect(selfTestRequest(['x', '--self-testing'])).toBeNull();
  });
});

describe('runNativeSelfTest', () => {
  it('opens an in-memory database through better-sqlite3 and reports the runtime', () => {
    const r = runNativeSelfTest();
    expect(r).toMatchObject({ ok: true, error: null, node: process.versions.node });
    expect(r.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(Number(r.napi)).toBeGreaterThanOrEqual(10);
  });

  it('reports a module that does not load as a failure with its reason', () => {
    const r = runNativeSelfTest(() => {
      throw new Error('dlopen failed: wrong ELF class');
    });
    expect(r).toMatchObject({ ok: false, sqlite: null, error: 'dlopen failed: wrong ELF class' });
  });

  it('writes the report file the CI step reads', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-self-test-'));
    try {
      const out = path.join(dir, 'report.json');
      const report = runNativeSelfTest();
      writeSelfTestReport(report, out);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

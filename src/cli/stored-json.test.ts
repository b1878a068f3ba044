import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS, runCli, tempDir } from './test-support';

// JSON that Snoopscope keeps with the records (an Android proxy, an annotation's tags, an audit
// entry's details) changed outside Snoopscope: refused with a message that names the value, never
// the parser's own message or a stack.

let tmp: ReturnType<typeof tempDir>;
let casePath: string;

beforeAll(async () => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'a.snoopcase');
  expect(
    (await runCli(['import', casePath, tmp.file('a.ndjson', REPORTS.a), '--device', 'phone'])).code,
  ).toBe(0);
});
afterAll(() => tmp.cleanup());

/** Runs SQL on the case file as another program would. */
function edit(sql: string, ...params: unknown[]): void {
  const db = new Database(casePath);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

function refused(r: { code: number; stderr: string }, what: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toContain('the case file was changed outside Snoopscope');
  expect(r.stderr).not.toMatch(/SyntaxError|JSON at position|\n\s+at /);
}

describe('JSON kept with the records, damaged', () => {
  it('an Android proxy: events as JSON lines and as CSV name the session', async () => {
    const key = (
      new Database(casePath, { readonly: true })
        .prepare('SELECT interval_key FROM access_sessions ORDER BY id LIMIT 1')
        .pluck()
        .get() as string
    ).toString();
    edit(
      `UPDATE access_sessions SET proxy = '{"uid":10,"packageName":"com.x","attributionTag":null}' WHERE interval_key = ?`,
      key,
    );
    const fine = await runCli(['events', casePath, '--kind', 'access']);
    expect(fine.code).toBe(0);
    expect(fine.stdout).toContain('"packageName":"com.x"');
    edit(`UPDATE access_sessions SET proxy = '{"uid":10,' WHERE interval_key = ?`, key);
    const id = new RegExp(`The proxy app of s:1:${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    refused(await runCli(['events', casePath, '--kind', 'access']), id);
    refused(await runCli(['events', casePath, '--kind', 'access', '--format', 'csv']), id);
    edit('UPDATE access_sessions SET proxy = NULL WHERE interval_key = ?', key);
  });

  it("an annotation's tags: the export names the annotation", async () => {
    const target = 's:1:U1';
    expect((await runCli(['annotate', casePath, target, '--tag', 'night'])).code).toBe(0);
    edit(`UPDATE annotations SET tags = '["night"' WHERE target = ?`, target);
    refused(
      await runCli(['export', casePath, '--out', join(tmp.dir, 'a.zip')]),
      /The tags of the annotation on s:1:U1 does not read as JSON/,
    );
    edit(`UPDATE annotations SET tags = '{"night":1}' WHERE target = ?`, target);
    refused(
      await runCli(['export', casePath, '--out', join(tmp.dir, 'b.zip')]),
      /The tags of the annotation on s:1:U1 is not a list of texts/,
    );
  });
});

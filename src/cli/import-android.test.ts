import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accessEventSchema,
  deviceSchema,
  importOutcomeSchema,
  rejectEventSchema,
  usageEventSchema,
} from '../contract/records';
import { writeAndroidCapture } from '../core/testing/android-capture';
import { runCli } from './test-support';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-android-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (text: string): unknown[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('import of an Android capture', () => {
  it('imports a capture folder without --device, and lists access, reject and usage records', async () => {
    const capture = writeAndroidCapture(join(dir, 'capture'));
    const casePath = join(dir, 'a.snoopcase');
    const r = await runCli(['import', casePath, capture, '--json']);
    expect(r.code).toBe(0);
    const outcomes = (JSON.parse(r.stdout) as unknown[]).map((o) => importOutcomeSchema.parse(o));
    expect(outcomes.map((o) => [o.importer, o.status])).toEqual(
      Array(4).fill(['android-dumpsys', 'imported']),
    );
    expect(r.stderr).toMatch(/Android capture → device "Pixel 7": Pixel 7, Android 14/);
    const devices = (
      JSON.parse((await runCli(['devices', casePath, '--json'])).stdout) as unknown[]
    ).map((d) => deviceSchema.parse(d));
    expect(devices[0]).toMatchObject({ platform: 'android', timeZone: 'Europe/Lisbon' });
    expect(devices[0]?.identifiers.serial).toMatch(/^•+0ABC$/);

    const access = lines((await runCli(['events', casePath, '--kind', 'access'])).stdout).map((e) =>
      accessEventSchema.parse(e),
    );
    expect(access.map((a) => [a.app, a.state, a.stateSource])).toEqual([
      ['com.example.social', 'background', 'reported'],
      ['com.android.providers.contacts', 'foreground', 'reported'],
      ['com.example.social', 'foreground', 'reported'],
    ]);
    const rejects = lines((await runCli(['events', casePath, '--kind', 'reject'])).stdout).map(
      (e) => rejectEventSchema.parse(e),
    );
    expect(rejects.map((x) => x.raw)).toEqual(['READ_SMS']);
    const usage = lines((await runCli(['events', casePath, '--kind', 'usage'])).stdout).map((e) =>
      usageEventSchema.parse(e),
    );
    expect(usage).toHaveLength(7);
    const bg = await runCli(['summary', casePath, '--json', '--category', 'photos']);
    expect(JSON.parse(bg.stdout)).toEqual([expect.objectContaining({ sessions: 2 })]);
  });

  it('exits 1 naming --timezone when the capture does not record the time zone', async () => {
    const capture = writeAndroidCapture(join(dir, 'nozone'), { zone: null });
    const casePath = join(dir, 'b.snoopcase');
    const r = await runCli(['import', casePath, capture]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/--timezone IANA/);
    const ok = await runCli(['import', casePath, capture, '--timezone', 'Europe/Lisbon', '--json']);
    expect(ok.code).toBe(0);
  });
});

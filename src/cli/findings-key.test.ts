import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKeyFindings } from '../contract/key-findings';
import { daily, writeSessions } from '../core/findings/test-sessions';
import { CaseSession } from '../core/services/case-service';
import { runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let casePath: string;

beforeAll(() => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'key.snoopcase');
  const s = CaseSession.create(casePath);
  const phone = s.createDevice({ label: 'phone', platform: 'ios' });
  s.createDevice({ label: 'quiet', platform: 'android' });
  writeSessions(s.db, phone.id, [
    ...daily('com.tencent.xin', 'photos', 4, 130, 45),
    ...daily('com.apple.camera', 'camera', 4, 60, 30),
  ]);
  s.close();
});
afterAll(() => tmp.cleanup());

describe('findings --key', () => {
  it('prints each device with its key findings in sentences and the rest by app', async () => {
    const r = await runCli(['findings', casePath, '--key']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('phone (14 observed days)');
    expect(r.stdout).toContain('1. [high] com.tencent.xin: Photos');
    expect(r.stdout).toContain(
      'com.tencent.xin read the photo library 4 times on 4 of 14 observed days',
    );
    expect(r.stdout).toContain('Everything else, by app:');
    expect(r.stdout).toMatch(/\[low\] com\.apple\.camera used the camera/);
    expect(r.stdout).toContain('No app stands out');
    expect(r.stdout).not.toMatch(/read for/i);
  });

  it('prints the same as JSON, for the devices named', async () => {
    const r = await runCli(['findings', casePath, '--key', '--json', '--device', 'phone']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as DeviceKeyFindings[];
    expect(parsed.map((d) => d.device)).toEqual(['phone']);
    expect(parsed[0]!.key.map((k) => [k.app, k.category, k.severity])).toEqual([
      ['com.tencent.xin', 'photos', 'high'],
    ]);
  });

  it('refuses filters other than --device, and --param', async () => {
    const r = await runCli(['findings', casePath, '--key', '--hours', '00:00-06:00']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--key reads every record');
    const p = await runCli(['findings', casePath, '--key', '--param', 'long-access.seconds=5']);
    expect(p.code).toBe(2);
  });
});

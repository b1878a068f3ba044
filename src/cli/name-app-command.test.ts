import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppResolver } from '../core/db/queries/apps';
import { CaseSession } from '../core/services/case-service';
import { runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir> | null = null;
afterEach(() => {
  tmp?.cleanup();
  tmp = null;
});

function caseWithApps(): string {
  tmp = tempDir();
  const path = join(tmp.dir, 'case.snoopcase');
  const session = CaseSession.create(path);
  const a = session.createDevice({ label: 'A', platform: 'ios' }).id;
  const b = session.createDevice({ label: 'B', platform: 'ios' }).id;
  new AppResolver(session.db, a).idFor('com.example.tracker');
  new AppResolver(session.db, b).idFor('com.example.tracker');
  new AppResolver(session.db, a).idFor('com.tencent.xin');
  session.close();
  return path;
}

describe('name-app', () => {
  it('names an app on every device, or one with --device, and clears it', async () => {
    const path = caseWithApps();
    const all = await runCli(['name-app', path, 'com.example.tracker', 'Tracker']);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(
      'A\tcom.example.tracker\tTracker (from the examiner)\nB\tcom.example.tracker\tTracker (from the examiner)\n',
    );
    const one = await runCli(['name-app', path, 'com.example.tracker', '--clear', '--device', 'B']);
    expect(one.stdout).toBe('B\tcom.example.tracker\tcom.example.tracker\n');
    const wechat = await runCli(['name-app', path, 'com.tencent.xin', '--clear']);
    expect(wechat.stdout).toBe('A\tcom.tencent.xin\tWeChat (from the built-in catalog)\n');
  });

  it('refuses a missing name, an unknown app and an unknown device with a plain message', async () => {
    const path = caseWithApps();
    expect((await runCli(['name-app', path, 'com.example.tracker'])).code).toBe(2);
    const unknown = await runCli(['name-app', path, 'com.example.none', 'X']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No app com.example.none in this case');
    const device = await runCli(['name-app', path, 'com.example.tracker', 'X', '--device', 'Z']);
    expect(device.code).toBe(1);
    expect(device.stderr).toContain('No device labelled "Z"');
  });
});

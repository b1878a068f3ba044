import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreApp } from '../core/create-core-app';
import type { CoreApp } from '../core/app';
import { startDevServer, type DevServer } from './server';

let dir: string;
let core: CoreApp;
let server: DevServer;
const token = 'test-token-123';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-dev-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<html>app</html>');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'devserver', version: '0' });
  server = await startDevServer({ core, token, staticDir: join(dir, 'static'), testHooks: true });
});
afterEach(async () => {
  await server.close();
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const invoke = (method: string, args: unknown, tok = token) =>
  fetch(`${server.url}/api/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-snoopscope-token': tok },
    body: JSON.stringify({ method, args }),
  });

describe('dev server', () => {
  it('listens on loopback only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the bridge through dispatch behind the token', async () => {
    expect((await invoke('getAppInfo', {}, 'wrong')).status).toBe(403);
    const r = (await (await invoke('getAppInfo', {})).json()) as unknown;
    expect(r).toEqual({ ok: true, value: { name: 'Snoopscope', version: '0', host: 'devserver' } });
    const bad = (await (await invoke('removeSource', { sourceId: 'x' })).json()) as {
      error: { code: string };
    };
    expect(bad.error.code).toBe('INVALID_INPUT');
  });

  it('answers dialog calls from the queue tests fill', async () => {
    await fetch(`${server.url}/api/test/picks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-snoopscope-token': token },
      body: JSON.stringify({ pickCaseFile: [join(dir, 'q.snoopcase')] }),
    });
    expect(await (await invoke('pickCaseFile', { mode: 'create' })).json()).toEqual({
      ok: true,
      value: join(dir, 'q.snoopcase'),
    });
    expect(await (await invoke('pickCaseFile', { mode: 'create' })).json()).toEqual({
      ok: true,
      value: null,
    });
  });

  it('serves the renderer and never files outside its folder', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toContain('app');
    const escape = await fetch(`${server.url}/..%2fsecret.txt`);
    expect(await escape.text()).not.toContain('do not serve');
  });

  it('streams events to subscribers with the token', async () => {
    expect((await fetch(`${server.url}/api/events?token=nope`)).status).toBe(403);
    const res = await fetch(`${server.url}/api/events?token=${token}`);
    const reader = res.body!.getReader();
    await reader.read();
    await invoke('createCase', { path: join(dir, 'e.snoopcase') });
    await invoke('createDevice', { label: 'A' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('"event":"onCaseChanged"');
    await reader.cancel();
  });
});

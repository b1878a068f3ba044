import { describe, expect, it, vi, type Mock } from 'vitest';
import type { ApiHandlers } from '../contract/api';
import { INVOKE_CHANNEL } from '../contract/bridge';
import { AppError } from '../core/model/errors';
import {
  createInvokeHandler,
  isTrustedSender,
  registerInvokeHandler,
  type AppContents,
  type InvokeSender,
} from './ipc';
import { resolveRendererOrigin } from './security';

const { isAppUrl } = resolveRendererOrigin(undefined, false);
const APP_URL = 'app://snoopscope/index.html';

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  processId: number;
  routingId: number;
}

function fakeWindow(id = 1, url = APP_URL) {
  const mainFrame: FakeFrame = { url, parent: null, processId: 10, routingId: 20 + id };
  const contents = { id, mainFrame } as unknown as AppContents;
  const event = (frame: FakeFrame | null = mainFrame, senderId = id): InvokeSender =>
    ({ sender: { id: senderId }, senderFrame: frame }) as unknown as InvokeSender;
  return { contents, mainFrame, event };
}

type Spy = Mock<(input: never) => unknown>;

/** A fake core: every handler is a spy; only getAppInfo and createCase return something. */
function fakeHandlers(): { handlers: ApiHandlers; spy: (name: string) => Spy } {
  const spies = new Map<string, Spy>();
  const spy = (name: string): Spy => {
    let s = spies.get(name);
    if (!s) {
      s = vi.fn<(input: never) => unknown>(() => null);
      spies.set(name, s);
    }
    return s;
  };
  spy('getAppInfo').mockImplementation(() => ({
    name: 'Snoopscope',
    version: '0.0.0',
    host: 'electron',
  }));
  spy('createCase').mockImplementation((input: { path: string }) => ({
    path: input.path,
    name: 'x',
  }));
  const handlers = new Proxy(
    {},
    { get: (_target, name) => (typeof name === 'string' ? spy(name) : undefined) },
  );
  return { handlers: handlers as ApiHandlers, spy };
}

describe('isTrustedSender', () => {
  it('accepts the main frame of the app window showing the app', () => {
    const w = fakeWindow();
    expect(isTrustedSender(w.event(), w.contents, isAppUrl)).toBe(true);
  });

  it('refuses other windows, subframes, foreign pages and missing frames', () => {
    const w = fakeWindow();
    const other = fakeWindow(2);
    expect(isTrustedSender(other.event(), w.contents, isAppUrl), 'other window').toBe(false);
    expect(isTrustedSender(w.event(w.mainFrame), null, isAppUrl), 'no window').toBe(false);
    expect(isTrustedSender(w.event(null), w.contents, isAppUrl), 'no frame').toBe(false);
    const sub: FakeFrame = { url: APP_URL, parent: w.mainFrame, processId: 10, routingId: 99 };
    expect(isTrustedSender(w.event(sub), w.contents, isAppUrl), 'subframe').toBe(false);
    const foreign = fakeWindow(1, 'https://evil.example/');
    expect(isTrustedSender(foreign.event(), foreign.contents, isAppUrl), 'foreign page').toBe(
      false,
    );
    const file = fakeWindow(1, 'file:///tmp/index.html');
    expect(isTrustedSender(file.event(), file.contents, isAppUrl), 'file page').toBe(false);
    const stale: FakeFrame = { ...w.mainFrame, routingId: 7 };
    expect(isTrustedSender(w.event(stale), w.contents, isAppUrl), 'another top frame').toBe(false);
  });
});

describe('invoke handler', () => {
  it('refuses a foreign sender with a Result error and never runs the handler', async () => {
    const w = fakeWindow();
    const { handlers, spy } = fakeHandlers();
    const log = vi.fn();
    const handle = createInvokeHandler({ getContents: () => w.contents, isAppUrl, handlers, log });
    const foreign = fakeWindow(1, 'https://evil.example/');
    const result = await handle(foreign.event(), 'createCase', { path: '/tmp/x.snoopcase' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining('Snoopscope window') },
    });
    expect(spy('createCase')).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('https://evil.example/'));
  });

  it('passes an allowed sender to dispatch: validated input in, Result out', async () => {
    const w = fakeWindow();
    const { handlers, spy } = fakeHandlers();
    const handle = createInvokeHandler({
      getContents: () => w.contents,
      isAppUrl,
      handlers,
      log: vi.fn(),
    });

    await expect(handle(w.event(), 'getAppInfo', {})).resolves.toEqual({
      ok: true,
      value: { name: 'Snoopscope', version: '0.0.0', host: 'electron' },
    });
    await expect(handle(w.event(), 'createCase', { path: '/tmp/a.snoopcase' })).resolves.toEqual({
      ok: true,
      value: { path: '/tmp/a.snoopcase', name: 'x' },
    });
    expect(spy('createCase')).toHaveBeenCalledWith({ path: '/tmp/a.snoopcase' });

    const bad = await handle(w.event(), 'createCase', { path: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const unknown = await handle(w.event(), 'deleteEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(spy('createCase')).toHaveBeenCalledTimes(1);
  });

  it('logs unexpected errors through the given logger and keeps known codes', async () => {
    const w = fakeWindow();
    const { handlers, spy } = fakeHandlers();
    spy('getCase').mockImplementation(() => {
      throw new Error('disk on fire');
    });
    spy('listDevices').mockImplementation(() => {
      throw new AppError('NO_CASE_OPEN', 'No case is open.');
    });
    const log = vi.fn();
    const handle = createInvokeHandler({ getContents: () => w.contents, isAppUrl, handlers, log });
    await expect(handle(w.event(), 'getCase', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('getCase'), expect.any(Error));
    await expect(handle(w.event(), 'listDevices', {})).resolves.toEqual({
      ok: false,
      error: { code: 'NO_CASE_OPEN', message: 'No case is open.' },
    });
  });

  it('is registered once on the invoke channel', async () => {
    const w = fakeWindow();
    const { handlers } = fakeHandlers();
    const registered = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
    const ipc = {
      handle: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
        registered.set(channel, fn);
      }),
      removeHandler: vi.fn((channel: string) => registered.delete(channel)),
    };
    const unregister = registerInvokeHandler(ipc as never, {
      getContents: () => w.contents,
      isAppUrl,
      handlers,
      log: vi.fn(),
    });
    expect(ipc.handle).toHaveBeenCalledTimes(1);
    expect([...registered.keys()]).toEqual([INVOKE_CHANNEL]);
    await expect(
      registered.get(INVOKE_CHANNEL)?.(w.event(), 'getAppInfo', {}),
    ).resolves.toMatchObject({ ok: true });
    unregister();
    expect(ipc.removeHandler).toHaveBeenCalledWith(INVOKE_CHANNEL);
  });
});

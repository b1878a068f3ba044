import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi, type Mock } from 'vitest';
import type { SnoopscopeBridge } from '../contract/bridge';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../contract/bridge';
import { BRIDGE_EVENTS } from '../contract/events';

interface FakeIpc {
  emitter: EventEmitter;
  invoke: Mock<(...args: unknown[]) => Promise<unknown>>;
}

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  ipc: null as FakeIpc | null,
}));
const ipc = (): FakeIpc => {
  if (!electron.ipc) throw new Error('electron mock not loaded');
  return electron.ipc;
};

vi.mock('electron', () => {
  const emitter = new EventEmitter();
  const invoke = vi.fn(async (..._args: unknown[]): Promise<unknown> => ({
    ok: true,
    value: 'pong',
  }));
  electron.ipc = { emitter, invoke };
  return {
    contextBridge: {
      exposeInMainWorld: vi.fn((key: string, api: unknown) => electron.exposed.set(key, api)),
    },
    ipcRenderer: {
      invoke,
      on: (channel: string, listener: (...args: unknown[]) => void) =>
        emitter.on(channel, listener),
    },
    webUtils: { getPathForFile: vi.fn(() => '/evidence/dropped.ndjson') },
  };
});

let bridge: SnoopscopeBridge;
const send = (envelope: unknown) => {
  const ipcRendererEvent = { sender: { send: () => {} }, senderId: 0, ports: [] };
  ipc().emitter.emit(EVENT_CHANNEL, ipcRendererEvent, envelope);
};

beforeAll(async () => {
  await import('./index');
  bridge = electron.exposed.get('snoopscope') as SnoopscopeBridge;
});

describe('preload', () => {
  it('exposes exactly window.snoopscope = { invoke, on, pathForFile }', () => {
    expect([...electron.exposed.keys()]).toEqual(['snoopscope']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
  });

  it('forwards invoke over the invoke channel and returns its Result', async () => {
    await expect(bridge.invoke('createCase', { path: '/tmp/a.snoopcase' })).resolves.toEqual({
      ok: true,
      value: 'pong',
    });
    expect(ipc().invoke).toHaveBeenCalledWith(INVOKE_CHANNEL, 'createCase', {
      path: '/tmp/a.snoopcase',
    });
  });

  it('rejects event names outside BRIDGE_EVENTS', () => {
    expect(() => bridge.on('onSomethingElse' as never, () => {})).toThrow(/Unknown bridge event/);
    expect(() => bridge.on('__proto__' as never, () => {})).toThrow(/Unknown bridge event/);
    expect(() => bridge.on('onCaseChanged', 'not a function' as never)).toThrow(TypeError);
  });

  it('hands listeners the payload alone and returns a working unsubscribe', () => {
    const listener = vi.fn();
    const unsubscribe = bridge.on('onCaseChanged', listener);
    expect(typeof unsubscribe).toBe('function');

    send({ event: 'onCaseChanged', payload: { reason: 'device-created' } });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([{ reason: 'device-created' }]);

    send({ event: 'onImportFinished', payload: { importId: 'x', outcomes: [], cancelled: false } });
    send({ event: 'onNotDeclared', payload: {} });
    send('garbage');
    send(null);
    expect(listener).toHaveBeenCalledTimes(1);

    unsubscribe();
    send({ event: 'onCaseChanged', payload: { reason: 'again' } });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps one IPC listener however many subscriptions there are', () => {
    const before = ipc().emitter.listenerCount(EVENT_CHANNEL);
    const offs = BRIDGE_EVENTS.flatMap((name) => [
      bridge.on(name, () => {}),
      bridge.on(name, () => {}),
    ]);
    expect(ipc().emitter.listenerCount(EVENT_CHANNEL)).toBe(before);
    expect(before).toBe(1);
    offs.forEach((off) => off());
  });

  it('keeps delivering when one listener throws', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const second = vi.fn();
    const offA = bridge.on('onImportProgress', () => {
      throw new Error('boom');
    });
    const offB = bridge.on('onImportProgress', second);
    send({ event: 'onImportProgress', payload: { importId: 'i', percent: 50 } });
    expect(second).toHaveBeenCalledWith({ importId: 'i', percent: 50 });
    offA();
    offB();
  });

  it('names a dropped file through webUtils.getPathForFile', () => {
    const file = new File(['x'], 'dropped.ndjson');
    expect(bridge.pathForFile?.(file)).toBe('/evidence/dropped.ndjson');
  });
});

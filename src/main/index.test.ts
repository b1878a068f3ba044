import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type EventEnvelope } from '../contract/bridge';
import type { CoreOptions } from '../core/app';

type Listener = (...args: unknown[]) => unknown;

/** A stand-in for the `electron` module that records what the shell does with it. */
function fakeElectron(options: { isPackaged?: boolean; lock?: boolean } = {}) {
  const userData = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-main-'));
  const windows: FakeWindow[] = [];
  const handlers = new Map<string, Listener>();
  const protocols = new Map<string, (request: Request) => Promise<Response>>();
  const sessionEmitter = new EventEmitter();
  const sessionHandlers: Record<string, Listener> = {};
  let menuTemplate: { label?: string; submenu?: { id?: string; click?: () => void }[] }[] = [];

  class App extends EventEmitter {
    isPackaged = options.isPackaged ?? false;
    whenReady = vi.fn(() => Promise.resolve());
    getPath = vi.fn((name: string) => (name === 'userData' ? userData : path.join(userData, name)));
    getVersion = vi.fn(() => '9.9.9');
    requestSingleInstanceLock = vi.fn(() => options.lock ?? true);
    enableSandbox = vi.fn();
    setAboutPanelOptions = vi.fn();
    quit = vi.fn(() => {
      const event = {
        defaultPrevented: false,
        preventDefault: () => (event.defaultPrevented = true),
      };
      this.emit('will-quit', event);
      return event;
    });
    exit = vi.fn();
  }
  const app = new App();

  let nextId = 1;
  class FakeContents extends EventEmitter {
    id = nextId++;
    mainFrame = { url: '', parent: null, processId: 3, routingId: this.id };
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    send = vi.fn();
    setWindowOpenHandler(handler: (d: { url: string }) => { action: string }) {
      this.openHandler = handler;
    }
    isDestroyed() {
      return false;
    }
  }
  class FakeWindow extends EventEmitter {
    static getAllWindows = () => windows;
    webContents = new FakeContents();
    constructor(public options: { webPreferences: Record<string, unknown> }) {
      super();
      app.emit('web-contents-created', {}, this.webContents);
      windows.push(this);
    }
    loadURL = vi.fn((url: string) => {
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    });
    isDestroyed = () => false;
    isMinimized = () => false;
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
  }

  const module = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: vi.fn((channel: string, fn: Listener) => handlers.set(channel, fn)),
      removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: vi.fn((scheme: string, fn: (request: Request) => Promise<Response>) =>
        protocols.set(scheme, fn),
      ),
    },
    net: {
      fetch: vi.fn(
        async () => new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } }),
      ),
    },
    session: {
      defaultSession: Object.assign(sessionEmitter, {
        setPermissionRequestHandler: (h: Listener) => (sessionHandlers.request = h),
        setPermissionCheckHandler: (h: Listener) => (sessionHandlers.check = h),
        webRequest: { onHeadersReceived: (h: Listener) => (sessionHandlers.headers = h) },
      }),
    },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
      showSaveDialog: vi.fn(async () => ({
        canceled: false,
        filePath: '/cases/from-menu.snoopcase',
      })),
      showMessageBox: vi.fn(async () => ({ response: 0 })),
      showErrorBox: vi.fn(),
    },
    Menu: {
      buildFromTemplate: vi.fn((template: typeof menuTemplate) => ({ template })),
      setApplicationMenu: vi.fn((menu: { template: typeof menuTemplate }) => {
        menuTemplate = menu.template;
      }),
    },
  };
  return {
    module,
    app,
    windows,
    handlers,
    protocols,
    sessionHandlers,
    menuItem: (id: string) => menuTemplate.flatMap((m) => m.submenu ?? []).find((i) => i.id === id),
  };
}

function fakeCore() {
  let listener: ((e: EventEnvelope) => void) | null = null;
  const core = {
    handlers: {
      getAppInfo: vi.fn(() => ({ name: 'Snoopscope', version: '9.9.9', host: 'electron' })),
      createCase: vi.fn(({ path: p }: { path: string }) => ({ path: p, name: 'from-menu' })),
      openCase: vi.fn(async (_input: { path: string }): Promise<unknown> => null),
    },
    onEvent: vi.fn((l: (e: EventEnvelope) => void) => {
      listener = l;
      return () => {};
    }),
    dispose: vi.fn(() => Promise.resolve()),
    emit: (e: EventEnvelope) => listener?.(e),
  };
  return core;
}

const processListeners = () => ({
  exception: process.listeners('uncaughtException'),
  rejection: process.listeners('unhandledRejection'),
});

async function boot(options: { isPackaged?: boolean; lock?: boolean; devUrl?: string } = {}) {
  vi.resetModules();
  const electron = fakeElectron(options);
  const core = fakeCore();
  const createCoreApp = vi.fn((_options: CoreOptions) => core);
  vi.doMock('electron', () => electron.module);
  vi.doMock('../core/create-core-app', () => ({ createCoreApp }));
  if (options.devUrl) process.env.ELECTRON_RENDERER_URL = options.devUrl;
  else delete process.env.ELECTRON_RENDERER_URL;
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await import('./index');
  if (options.lock !== false) await vi.waitFor(() => expect(electron.windows).toHaveLength(1));
  return { electron, core, createCoreApp };
}

const before = processListeners();
afterEach(() => {
  const now = processListeners();
  for (const l of now.exception)
    if (!before.exception.includes(l)) process.off('uncaughtException', l);
  for (const l of now.rejection)
    if (!before.rejection.includes(l)) process.off('unhandledRejection', l);
  delete process.env.ELECTRON_RENDERER_URL;
  vi.doUnmock('electron');
  vi.doUnmock('../core/create-core-app');
});

describe('main process shell', () => {
  it('registers the app scheme, enables the sandbox and opens one hardened window', async () => {
    const { electron } = await boot();
    const { module } = electron;
    expect(module.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ]);
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    const win = electron.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(win.options.webPreferences.preload)).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    expect(win.loadURL).toHaveBeenCalledWith('app://snoopscope/index.html');
    expect(win.webContents.openHandler?.({ url: 'https://example.com' })).toEqual({
      action: 'deny',
    });
    expect(electron.protocols.has('app')).toBe(true);
    expect(electron.sessionHandlers.request).toBeTypeOf('function');
    expect(electron.sessionHandlers.check).toBeTypeOf('function');
    expect(electron.sessionHandlers.headers).toBeTypeOf('function');
  });

  it('creates the core with the Electron host options', async () => {
    const { createCoreApp } = await boot();
    expect(createCoreApp).toHaveBeenCalledTimes(1);
    const options = createCoreApp.mock.calls[0]![0];
    expect(options).toMatchObject({ host: 'electron', version: '9.9.9' });
    expect(options.userDataDir).toMatch(/snoopscope-main-/);
    expect(options.workerUrl?.href).toMatch(/\/import-worker\.js$/);
    // Background work reports to the app's log file, not only to stderr.
    options.log?.('Could not bring the stored findings up to date', new Error('worker gone'));
    const logged = readFileSync(path.join(options.userDataDir, 'logs', 'main.log'), 'utf8');
    expect(logged).toMatch(/ Could not bring the stored findings up to date\nError: worker gone\n/);
  });

  it('registers one invoke handler that serves the window and refuses others', async () => {
    const { electron, core } = await boot();
    expect(electron.module.ipcMain.handle).toHaveBeenCalledTimes(1);
    const handle = electron.handlers.get(INVOKE_CHANNEL)!;
    const wc = electron.windows[0]!.webContents;
    const trusted = { sender: wc, senderFrame: wc.mainFrame };
    await expect(handle(trusted, 'getAppInfo', {})).resolves.toMatchObject({
      ok: true,
      value: { host: 'electron' },
    });
    const foreign = { sender: wc, senderFrame: { ...wc.mainFrame, url: 'https://evil.example/' } };
    await expect(handle(foreign, 'createCase', { path: '/x.snoopcase' })).resolves.toMatchObject({
      ok: false,
    });
    expect(core.handlers.createCase).not.toHaveBeenCalled();
    await expect(handle(trusted, 'pickImportFiles', {})).resolves.toEqual({ ok: true, value: [] });
  });

  it('forwards core events to the window on the event channel', async () => {
    const { electron, core } = await boot();
    const envelope: EventEnvelope = {
      event: 'onCaseChanged',
      payload: { reason: 'device-created' },
    };
    core.emit(envelope);
    expect(electron.windows[0]!.webContents.send).toHaveBeenCalledWith(EVENT_CHANNEL, envelope);
  });

  it('creates a case from File > New Case… and tells the renderer', async () => {
    const { electron, core } = await boot();
    electron.menuItem('new-case')?.click?.();
    await vi.waitFor(() =>
      expect(core.handlers.createCase).toHaveBeenCalledWith({ path: '/cases/from-menu.snoopcase' }),
    );
    await vi.waitFor(() =>
      expect(electron.windows[0]!.webContents.send).toHaveBeenCalledWith(EVENT_CHANNEL, {
        event: 'onCaseChanged',
        payload: { reason: 'case-created' },
      }),
    );
  });

  it('opens a case from File > Open Case… and says nothing more when its upgrade was cancelled, but shows a failed one', async () => {
    const { electron, core } = await boot();
    // The error class of the modules main loaded, which the bridge's dispatch recognises.
    const { AppError } = await import('../core/model/errors');
    core.handlers.openCase.mockImplementation(async () => {
      throw new AppError('CANCELLED', 'The upgrade of old was stopped.');
    });
    electron.module.dialog.showOpenDialog.mockImplementation(async () => ({
      canceled: false,
      filePaths: ['/cases/old.snoopcase'],
    }));
    electron.menuItem('open-case')?.click?.();
    await vi.waitFor(() =>
      expect(core.handlers.openCase).toHaveBeenCalledWith({ path: '/cases/old.snoopcase' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(electron.module.dialog.showMessageBox).not.toHaveBeenCalled();

    const failed =
      'Upgrading old failed at step 1 of 2 (adding half-hour columns to the timeline summary). Migration 0029-rollup-half-hours failed and was rolled back; the case file was not changed by it.';
    core.handlers.openCase.mockImplementation(async () => {
      throw new AppError('MIGRATION_FAILED', failed);
    });
    electron.menuItem('open-case')?.click?.();
    await vi.waitFor(() =>
      expect(electron.module.dialog.showMessageBox).toHaveBeenCalledWith(
        expect.anything(),
        expect.objectContaining({ message: 'The case could not be opened.', detail: failed }),
      ),
    );
  });

  it('disposes the core before quitting', async () => {
    const { electron, core } = await boot();
    const first = electron.app.quit();
    expect(first.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(core.dispose).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledTimes(2));
    expect(electron.handlers.has(INVOKE_CHANNEL)).toBe(false);
  });

  it('quits even when the core does not close in time', async () => {
    const { electron, core } = await boot();
    core.dispose.mockImplementation(() => new Promise<void>(() => {}));
    vi.useFakeTimers();
    try {
      electron.app.quit();
      expect(core.dispose).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(electron.app.quit).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('loads a loopback dev server only when the app is not packaged', async () => {
    const dev = await boot({ devUrl: 'http://127.0.0.1:5173' });
    expect(dev.electron.windows[0]!.loadURL).toHaveBeenCalledWith('http://127.0.0.1:5173/');
    expect(dev.electron.protocols.has('app')).toBe(false);
    const packaged = await boot({ devUrl: 'http://127.0.0.1:5173', isPackaged: true });
    expect(packaged.electron.windows[0]!.loadURL).toHaveBeenCalledWith(
      'app://snoopscope/index.html',
    );
  });

  it('quits without a window when another instance holds the lock', async () => {
    const { electron, createCoreApp } = await boot({ lock: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.windows).toHaveLength(0);
    expect(createCoreApp).not.toHaveBeenCalled();
  });
});

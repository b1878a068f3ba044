import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  net,
  protocol,
  session,
  type WebContents,
} from 'electron';
import type { ApiHandlers } from '../contract/api';
import { EVENT_CHANNEL, type EventEnvelope } from '../contract/bridge';
import type { CoreApp } from '../core/app';
import { dispatch } from '../core/bridge/dispatch';
import { createCoreApp } from '../core/create-core-app';
import { createAppProtocolHandler } from './app-protocol';
import { createHostHandlers } from './host-handlers';
import { registerInvokeHandler } from './ipc';
import { createFileLogger } from './log';
import { buildMenuTemplate } from './menu';
import {
  APP_SCHEME,
  APP_SCHEME_REGISTRATION,
  buildContentSecurityPolicy,
  hardenSession,
  hardenWebContents,
  resolveRendererOrigin,
} from './security';
import { runNativeSelfTest, selfTestRequest, writeSelfTestReport } from './self-test';
import { createMainWindow } from './window';

const here = import.meta.dirname;
const PRELOAD_PATH = path.join(here, '../preload/index.cjs');
const RENDERER_DIR = path.join(here, '../renderer');

/** How long quitting waits for the core (a running import is cancelled and rolled back). */
const DISPOSE_TIMEOUT_MS = 10_000;

/** The event the File menu sends for work the renderer carries out (it holds the device and filter). */
const MENU_COMMAND_EVENT = 'onMenuCommand';

const log = createFileLogger(path.join(app.getPath('userData'), 'logs', 'main.log'));
process.on('uncaughtException', (error) => log('Uncaught exception in main', error));
process.on('unhandledRejection', (reason) => log('Unhandled rejection in main', reason));

const renderer = resolveRendererOrigin(process.env.ELECTRON_RENDERER_URL, !app.isPackaged);
const csp = buildContentSecurityPolicy(renderer.devOrigin);

protocol.registerSchemesAsPrivileged([APP_SCHEME_REGISTRATION]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
let core: CoreApp | null = null;
let unregisterInvoke: (() => void) | null = null;

function liveContents(): WebContents | null {
  if (!mainWindow || mainWindow.isDestroyed() || mainWindow.webContents.isDestroyed()) return null;
  return mainWindow.webContents;
}

function sendToRenderer(envelope: EventEnvelope | { event: string; payload: unknown }): void {
  liveContents()?.send(EVENT_CHANNEL, envelope);
}

function openWindow(): void {
  mainWindow = createMainWindow({ preloadPath: PRELOAD_PATH, entryUrl: renderer.entryUrl, log });
  const win = mainWindow;
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
}

async function showError(message: string, detail: string): Promise<void> {
  const options = { type: 'error' as const, message, detail, buttons: ['OK'] };
  if (mainWindow && !mainWindow.isDestroyed()) await dialog.showMessageBox(mainWindow, options);
  else await dialog.showMessageBox(options);
}

async function start(): Promise<void> {
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, renderer.isAppUrl, (what, url) => {
      log(`Blocked ${what}${url ? ` to ${url.slice(0, 300)}` : ''}`);
    });
  });
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  await app.whenReady();

  hardenSession(session.defaultSession, csp);
  if (!renderer.devOrigin) {
    protocol.handle(
      APP_SCHEME,
      createAppProtocolHandler({ rootDir: RENDERER_DIR, csp, fetchFile: (url) => net.fetch(url) }),
    );
  }

  const coreApp = createCoreApp({
    userDataDir: app.getPath('userData'),
    host: 'electron',
    version: app.getVersion(),
    workerUrl: new URL('./import-worker.js', import.meta.url),
    log,
  });
  core = coreApp;
  const hostHandlers = createHostHandlers({
    dialog,
    getWindow: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
    defaultDir: app.getPath('documents'),
  });
  const handlers: ApiHandlers = { ...coreApp.handlers, ...hostHandlers };

  unregisterInvoke = registerInvokeHandler(ipcMain, {
    getContents: liveContents,
    isAppUrl: renderer.isAppUrl,
    handlers,
    log,
  });
  coreApp.onEvent((envelope) => sendToRenderer(envelope));

  const openOrCreateCase = async (mode: 'create' | 'open'): Promise<void> => {
    const picked = await hostHandlers.pickCaseFile({ mode });
    if (!picked) return;
    const method = mode === 'create' ? 'createCase' : 'openCase';
    const result = await dispatch(handlers, method, { path: picked }, log);
    if (!result.ok) {
      // A stopped upgrade is no error: the start screen says it was stopped and continues later.
      if (result.error.code === 'CANCELLED') return;
      await showError(
        mode === 'create' ? 'The case could not be created.' : 'The case could not be opened.',
        result.error.message,
      );
      return;
    }
    sendToRenderer({
      event: 'onCaseChanged',
      payload: { reason: mode === 'create' ? 'case-created' : 'case-opened' },
    });
  };
  const runMenuAction = (action: () => Promise<void> | void) => () => {
    Promise.resolve()
      .then(action)
      .catch((error: unknown) => log('Menu action failed', error));
  };

  app.setAboutPanelOptions({ applicationName: 'Snoopscope', applicationVersion: app.getVersion() });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        appName: 'Snoopscope',
        isMac: process.platform === 'darwin',
        isDev: renderer.devOrigin !== null,
        actions: {
          newCase: runMenuAction(() => openOrCreateCase('create')),
          openCase: runMenuAction(() => openOrCreateCase('open')),
          importFiles: runMenuAction(() =>
            sendToRenderer({ event: MENU_COMMAND_EVENT, payload: { command: 'import' } }),
          ),
          exportCsv: runMenuAction(() =>
            sendToRenderer({ event: MENU_COMMAND_EVENT, payload: { command: 'exportCsv' } }),
          ),
        },
      }),
    ),
  );

  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let disposing = false;
app.on('will-quit', (event) => {
  const running = core;
  if (!running) return;
  event.preventDefault();
  if (disposing) return;
  disposing = true;
  unregisterInvoke?.();
  unregisterInvoke = null;
  const timeout = new Promise<never>((_resolve, reject) => {
    setTimeout(
      () => reject(new Error(`The core did not close within ${DISPOSE_TIMEOUT_MS} ms`)),
      DISPOSE_TIMEOUT_MS,
    ).unref();
  });
  Promise.race([running.dispose(), timeout])
    .catch((error: unknown) => log('Closing the core failed', error))
    .finally(() => {
      core = null;
      app.quit();
    });
});

const selfTest = selfTestRequest(process.argv);
if (selfTest) {
  // Checks the native SQLite module in this (packaged) app and exits without a window.
  const report = runNativeSelfTest();
  writeSelfTestReport(report, selfTest.out);
  app.exit(report.ok ? 0 : 1);
} else if (app.requestSingleInstanceLock()) {
  start().catch((error: unknown) => {
    log('Startup failed', error);
    dialog.showErrorBox(
      'Snoopscope could not start',
      error instanceof Error ? error.message : String(error),
    );
    app.exit(1);
  });
} else {
  app.quit();
}

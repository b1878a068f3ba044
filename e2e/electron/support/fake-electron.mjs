// A stand-in for the `electron` module, for running the built main bundle under plain Node.
// It records what main does (windows, IPC handlers, protocol handlers, menu, sent events) on
// globalThis.__fakeElectron so a driver script can inspect and exercise it.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const userData = process.env.FAKE_ELECTRON_USER_DATA;
if (!userData) throw new Error('FAKE_ELECTRON_USER_DATA is not set');

export const state = {
  windows: [],
  ipcHandlers: new Map(),
  protocols: new Map(),
  privilegedSchemes: null,
  sandboxed: false,
  session: {},
  menu: null,
  sent: [],
  quit: false,
};
globalThis.__fakeElectron = state;

class App extends EventEmitter {
  isPackaged = false;
  whenReady() {
    return Promise.resolve();
  }
  getPath(name) {
    return name === 'userData' ? userData : path.join(userData, name);
  }
  getVersion() {
    return '0.0.0-bundle';
  }
  requestSingleInstanceLock() {
    return true;
  }
  enableSandbox() {
    state.sandboxed = true;
  }
  setAboutPanelOptions() {}
  quit() {
    const event = {
      defaultPrevented: false,
      preventDefault: () => (event.defaultPrevented = true),
    };
    this.emit('will-quit', event);
    if (!event.defaultPrevented) state.quit = true;
  }
  exit(code) {
    state.exitCode = code;
  }
}
export const app = new App();

let nextId = 1;
class WebContents extends EventEmitter {
  id = nextId++;
  mainFrame = { url: '', parent: null, processId: 1, routingId: this.id };
  openHandler = null;
  setWindowOpenHandler(handler) {
    this.openHandler = handler;
  }
  send(channel, payload) {
    state.sent.push({ channel, payload });
  }
  isDestroyed() {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return state.windows;
  }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    app.emit('web-contents-created', {}, this.webContents);
    state.windows.push(this);
  }
  loadURL(url) {
    this.webContents.mainFrame.url = url;
    this.loadedUrl = url;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  show() {}
  focus() {}
  restore() {}
}

export const ipcMain = {
  handle: (channel, fn) => state.ipcHandlers.set(channel, fn),
  removeHandler: (channel) => state.ipcHandlers.delete(channel),
};

export const protocol = {
  registerSchemesAsPrivileged: (schemes) => (state.privilegedSchemes = schemes),
  handle: (scheme, fn) => state.protocols.set(scheme, fn),
};

export const net = {
  async fetch(url) {
    const file = fileURLToPath(url);
    const type = file.endsWith('.html')
      ? 'text/html'
      : file.endsWith('.css')
        ? 'text/css'
        : 'text/javascript';
    return new Response(await readFile(file), { headers: { 'Content-Type': type } });
  },
};

const defaultSession = new EventEmitter();
defaultSession.setPermissionRequestHandler = (h) => (state.session.request = h);
defaultSession.setPermissionCheckHandler = (h) => (state.session.check = h);
defaultSession.webRequest = { onHeadersReceived: (h) => (state.session.headers = h) };
export const session = { defaultSession };

export const dialog = {
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  showSaveDialog: async () => ({ canceled: true, filePath: '' }),
  showMessageBox: async () => ({ response: 0 }),
  showErrorBox: (title, message) => {
    state.errorBox = { title, message };
  },
};

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu: (menu) => (state.menu = menu),
};

export default { app, BrowserWindow, ipcMain, protocol, net, session, dialog, Menu };

import { BrowserWindow } from 'electron';
import type { Logger } from '../core/bridge/dispatch';
import { createWebPreferences } from './security';

export interface MainWindowOptions {
  preloadPath: string;
  entryUrl: string;
  log: Logger;
}

/**
 * Opens the app window with the hardened webPreferences and loads the renderer. The window
 * is shown once the first paint is ready, so it never flashes blank.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Snoopscope',
    webPreferences: createWebPreferences(options.preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_event, details) => {
    options.log(`Renderer process gone: ${details.reason} (exit code ${details.exitCode})`);
  });
  win.webContents.on('preload-error', (_event, preloadPath, error) => {
    options.log(`Preload failed: ${preloadPath}`, error);
  });
  win.loadURL(options.entryUrl).catch((error: unknown) => {
    options.log(`Failed to load the renderer from ${options.entryUrl}`, error);
  });
  return win;
}

import type { MenuItemConstructorOptions } from 'electron';

/** What the File menu asks of the shell. */
export interface MenuActions {
  newCase(): void;
  openCase(): void;
  importFiles(): void;
  exportCsv(): void;
}

export interface MenuOptions {
  appName: string;
  isMac: boolean;
  /** Reload and developer tools appear only in development. */
  isDev: boolean;
  actions: MenuActions;
}

/** The application menu: File, Edit, View, Help (and the app menu on macOS). */
export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { appName, isMac, isDev, actions } = options;

  const appMenu: MenuItemConstructorOptions[] = isMac
    ? [
        {
          label: appName,
          submenu: [
            { role: 'about' },
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      {
        id: 'new-case',
        label: 'New Case…',
        accelerator: 'CmdOrCtrl+N',
        click: () => actions.newCase(),
      },
      {
        id: 'open-case',
        label: 'Open Case…',
        accelerator: 'CmdOrCtrl+O',
        click: () => actions.openCase(),
      },
      { type: 'separator' },
      {
        id: 'import',
        label: 'Import…',
        accelerator: 'CmdOrCtrl+I',
        click: () => actions.importFiles(),
      },
      {
        id: 'export-csv',
        label: 'Export CSV…',
        accelerator: 'CmdOrCtrl+E',
        click: () => actions.exportCsv(),
      },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };

  // Without an Edit menu, macOS does not route copy and paste shortcuts to text fields.
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(isDev
        ? ([
            { role: 'reload' },
            { role: 'forceReload' },
            { role: 'toggleDevTools' },
            { type: 'separator' },
          ] satisfies MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [{ role: 'about', label: `About ${appName}` }],
  };

  return [...appMenu, file, edit, view, help];
}

import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, type MenuActions } from './menu';

function actions() {
  return {
    newCase: vi.fn<() => void>(),
    openCase: vi.fn<() => void>(),
    importFiles: vi.fn<() => void>(),
    exportCsv: vi.fn<() => void>(),
  } satisfies MenuActions;
}

const items = (menu: MenuItemConstructorOptions | undefined) =>
  (menu?.submenu ?? []) as MenuItemConstructorOptions[];
const find = (template: MenuItemConstructorOptions[], label: string) =>
  template.find((m) => m.label?.replace('&', '') === label);

describe('application menu', () => {
  it('has File, Edit, View and Help, with the app menu first on macOS', () => {
    const win = buildMenuTemplate({
      appName: 'Snoopscope',
      isMac: false,
      isDev: false,
      actions: actions(),
    });
    expect(win.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const mac = buildMenuTemplate({
      appName: 'Snoopscope',
      isMac: true,
      isDev: false,
      actions: actions(),
    });
    expect(mac.map((m) => m.label)).toEqual(['Snoopscope', '&File', '&Edit', '&View', '&Help']);
  });

  it('wires the File items to the shell actions', () => {
    const a = actions();
    const file = items(
      find(buildMenuTemplate({ appName: 'S', isMac: false, isDev: false, actions: a }), 'File'),
    );
    const byId = (id: string) => file.find((i) => i.id === id);
    const click = (id: string) => (byId(id)?.click as () => void)();
    click('new-case');
    click('open-case');
    click('import');
    click('export-csv');
    expect(a.newCase).toHaveBeenCalledOnce();
    expect(a.openCase).toHaveBeenCalledOnce();
    expect(a.importFiles).toHaveBeenCalledOnce();
    expect(a.exportCsv).toHaveBeenCalledOnce();
    expect(file.map((i) => i.label ?? i.role ?? i.type)).toEqual([
      'New Case…',
      'Open Case…',
      'separator',
      'Import…',
      'Export CSV…',
      'separator',
      'quit',
    ]);
  });

  it('offers reload and developer tools only in development', () => {
    const roles = (isDev: boolean) =>
      items(
        find(buildMenuTemplate({ appName: 'S', isMac: false, isDev, actions: actions() }), 'View'),
      ).map((i) => i.role);
    expect(roles(false)).not.toContain('reload');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).toEqual(expect.arrayContaining(['resetZoom', 'zoomIn', 'zoomOut']));
    expect(roles(true)).toEqual(
      expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools', 'zoomIn']),
    );
  });

  it('has About under Help', () => {
    const help = items(
      find(
        buildMenuTemplate({
          appName: 'Snoopscope',
          isMac: false,
          isDev: false,
          actions: actions(),
        }),
        'Help',
      ),
    );
    expect(help).toEqual([{ role: 'about', label: 'About Snoopscope' }]);
  });
});

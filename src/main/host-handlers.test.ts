import path from 'node:path';
import { dialogFilters } from '../core/importers/registry';
import { describe, expect, it, vi } from 'vitest';
import { createHostHandlers, ensureExtension } from './host-handlers';

function setup(answer: { open?: unknown; save?: unknown }, withWindow = true) {
  const win = { id: 1 };
  const dialog = {
    showOpenDialog: vi.fn(
      async (..._args: unknown[]) => answer.open ?? { canceled: true, filePaths: [] },
    ),
    showSaveDialog: vi.fn(
      async (..._args: unknown[]) => answer.save ?? { canceled: true, filePath: '' },
    ),
  };
  const handlers = createHostHandlers({
    dialog: dialog as never,
    getWindow: () => (withWindow ? (win as never) : null),
    defaultDir: '/home/examiner/Documents',
  });
  return { dialog, handlers, win };
}

describe('host handlers', () => {
  it('creates a case through a save dialog filtered to .snoopcase', async () => {
    const { dialog, handlers, win } = setup({
      save: { canceled: false, filePath: '/cases/new-case' },
    });
    await expect(handlers.pickCaseFile({ mode: 'create' })).resolves.toBe(
      '/cases/new-case.snoopcase',
    );
    const [parent, options] = dialog.showSaveDialog.mock.calls[0] as [
      unknown,
      Electron.SaveDialogOptions,
    ];
    expect(parent).toBe(win);
    expect(options.filters).toEqual([{ name: 'Snoopscope case', extensions: ['snoopcase'] }]);
    expect(options.defaultPath).toBe(path.join('/home/examiner/Documents', 'Untitled.snoopcase'));
  });

  it('opens a case through an open dialog and returns null on cancel', async () => {
    const picked = setup({ open: { canceled: false, filePaths: ['/cases/a.snoopcase'] } });
    await expect(picked.handlers.pickCaseFile({ mode: 'open' })).resolves.toBe(
      '/cases/a.snoopcase',
    );
    const [, options] = picked.dialog.showOpenDialog.mock.calls[0] as [
      unknown,
      Electron.OpenDialogOptions,
    ];
    expect(options.properties).toEqual(['openFile']);
    expect(options.filters?.[0]?.extensions).toEqual(['snoopcase']);
    const cancelled = setup({});
    await expect(cancelled.handlers.pickCaseFile({ mode: 'open' })).resolves.toBeNull();
    await expect(cancelled.handlers.pickCaseFile({ mode: 'create' })).resolves.toBeNull();
  });

  it('picks several import files with the filters the importers declare, and All files', async () => {
    const { dialog, handlers } = setup(
      { open: { canceled: false, filePaths: ['/e/a.ndjson', '/e/b.json'] } },
      false,
    );
    await expect(handlers.pickImportFiles({})).resolves.toEqual(['/e/a.ndjson', '/e/b.json']);
    const [options] = dialog.showOpenDialog.mock.calls[0] as [Electron.OpenDialogOptions];
    expect(options.properties).toEqual(['openFile', 'multiSelections']);
    expect(options.filters).toEqual(dialogFilters());
    expect(options.filters?.[0]?.extensions).toEqual(expect.arrayContaining(['ndjson', 'json']));
    expect(options.filters?.at(-1)?.extensions).toEqual(['*']);
    await expect(setup({}).handlers.pickImportFiles({})).resolves.toEqual([]);
  });

  it('picks a folder: a backup to read, or where to write a new one', async () => {
    const open = setup({ open: { canceled: false, filePaths: ['/backups/0000-1111'] } });
    await expect(open.handlers.pickFolder({ mode: 'open' })).resolves.toBe('/backups/0000-1111');
    const [, openOptions] = open.dialog.showOpenDialog.mock.calls[0] as [
      unknown,
      Electron.OpenDialogOptions,
    ];
    expect(openOptions.properties).toEqual(['openDirectory']);
    const create = setup({ open: { canceled: false, filePaths: ['/new'] } });
    await create.handlers.pickFolder({ mode: 'create' });
    const [, createOptions] = create.dialog.showOpenDialog.mock.calls[0] as [
      unknown,
      Electron.OpenDialogOptions,
    ];
    expect(createOptions.properties).toEqual(['openDirectory', 'createDirectory']);
    await expect(setup({}).handlers.pickFolder({ mode: 'open' })).resolves.toBeNull();
  });

  it('asks where to save, keeping the extension of the suggested name', async () => {
    const { dialog, handlers } = setup({ save: { canceled: false, filePath: '/out/sessions' } });
    await expect(handlers.pickSavePath({ defaultName: 'sessions.csv' })).resolves.toBe(
      '/out/sessions.csv',
    );
    const [, options] = dialog.showSaveDialog.mock.calls[0] as [
      unknown,
      Electron.SaveDialogOptions,
    ];
    expect(options.filters?.[0]).toEqual({ name: 'CSV file', extensions: ['csv'] });
    expect(options.defaultPath).toBe(path.join('/home/examiner/Documents', 'sessions.csv'));
    const sneaky = setup({});
    await sneaky.handlers.pickSavePath({ defaultName: '../../etc/sessions.csv' });
    const [, sneakyOptions] = sneaky.dialog.showSaveDialog.mock.calls[0] as [
      unknown,
      Electron.SaveDialogOptions,
    ];
    expect(sneakyOptions.defaultPath).toBe(path.join('/home/examiner/Documents', 'sessions.csv'));
  });

  it('adds an extension only when the name has none', () => {
    expect(ensureExtension('/a/b', 'csv')).toBe('/a/b.csv');
    expect(ensureExtension('/a/b.txt', 'csv')).toBe('/a/b.txt');
  });
});

import path from 'node:path';
import type {
  BaseWindow,
  Dialog,
  FileFilter,
  OpenDialogOptions,
  SaveDialogOptions,
} from 'electron';
import type { HostHandlers } from '../contract/api';
import { dialogFilters } from '../core/importers/registry';

export const CASE_EXTENSION = 'snoopcase';

const CASE_FILTER: FileFilter = { name: 'Snoopscope case', extensions: [CASE_EXTENSION] };
const ALL_FILES: FileFilter = { name: 'All files', extensions: ['*'] };

export interface HostHandlerOptions {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  /** The window dialogs attach to (sheet on macOS), or null. */
  getWindow(): BaseWindow | null;
  /** Where save dialogs start (the user's documents folder). */
  defaultDir: string;
}

/** Appends `.ext` when the chosen name has no extension (Linux dialogs do not add one). */
export function ensureExtension(filePath: string, extension: string): string {
  return path.extname(filePath) === '' ? `${filePath}.${extension}` : filePath;
}

/** The dialogs behind the host methods of the bridge (`pickCaseFile`, `pickImportFiles`, `pickFolder`, `pickSavePath`). */
export function createHostHandlers(options: HostHandlerOptions): HostHandlers {
  const { dialog, defaultDir } = options;

  const save = (opts: SaveDialogOptions) => {
    const win = options.getWindow();
    return win ? dialog.showSaveDialog(win, opts) : dialog.showSaveDialog(opts);
  };
  const open = (opts: OpenDialogOptions) => {
    const win = options.getWindow();
    return win ? dialog.showOpenDialog(win, opts) : dialog.showOpenDialog(opts);
  };

  return {
    async pickCaseFile({ mode }) {
      if (mode === 'create') {
        const result = await save({
          title: 'New case',
          buttonLabel: 'Create',
          defaultPath: path.join(defaultDir, `Untitled.${CASE_EXTENSION}`),
          filters: [CASE_FILTER],
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        });
        if (result.canceled || !result.filePath) return null;
        return ensureExtension(result.filePath, CASE_EXTENSION);
      }
      const result = await open({
        title: 'Open case',
        buttonLabel: 'Open',
        filters: [CASE_FILTER, ALL_FILES],
        properties: ['openFile'],
      });
      if (result.canceled) return null;
      return result.filePaths[0] ?? null;
    },

    async pickImportFiles() {
      const result = await open({
        title: 'Import evidence files',
        buttonLabel: 'Import',
        // One filter per format that reads files, from the importers' own declarations.
        filters: dialogFilters(),
        properties: ['openFile', 'multiSelections'],
      });
      return result.canceled ? [] : result.filePaths;
    },

    async pickFolder({ mode }) {
      const result = await open(
        mode === 'create'
          ? {
              title: 'Choose where to write the backup',
              buttonLabel: 'Choose',
              defaultPath: defaultDir,
              properties: ['openDirectory', 'createDirectory'],
            }
          : {
              title: 'Choose a backup folder (or a folder of backups)',
              buttonLabel: 'Choose',
              properties: ['openDirectory'],
            },
      );
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },

    async pickSavePath({ defaultName }) {
      const name = path.basename(defaultName);
      const extension = path.extname(name).slice(1);
      const filters = extension
        ? [{ name: `${extension.toUpperCase()} file`, extensions: [extension] }, ALL_FILES]
        : [ALL_FILES];
      const result = await save({
        title: 'Save as',
        defaultPath: path.join(defaultDir, name),
        filters,
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      if (result.canceled || !result.filePath) return null;
      return extension ? ensureExtension(result.filePath, extension) : result.filePath;
    },
  };
}

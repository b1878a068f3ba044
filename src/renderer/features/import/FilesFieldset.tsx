import { useApp } from '../../app/use-app';
import { PathList } from './PathList';
import { SysdiagnoseHelp } from './SysdiagnoseHelp';

interface Props {
  paths: readonly string[];
  onRemove: (path: string) => void;
  onChooseFiles: () => void;
  onChooseFolder: () => void;
  /** The paths typed on the dev server (no file dialog there), or null in the desktop app. */
  typed: string | null;
  onTyped: (text: string) => void;
}

/** The files to import: chosen in the file dialogs (or typed on the dev server), and what they may be. */
export function FilesFieldset({
  paths,
  onRemove,
  onChooseFiles,
  onChooseFolder,
  typed,
  onTyped,
}: Props) {
  const { client } = useApp();
  return (
    <fieldset className="fieldset">
      <legend>Files</legend>
      <div className="row">
        <button
          type="button"
          className="btn"
          data-testid="import-choose-files"
          onClick={onChooseFiles}
        >
          Choose files…
        </button>
        <button
          type="button"
          className="btn"
          data-testid="import-choose-folder"
          onClick={onChooseFolder}
        >
          Choose folder…
        </button>
        <span className="muted small">
          {client.kind === 'electron'
            ? 'or drop them onto the window.'
            : 'Drag-and-drop of file paths needs the desktop app.'}
        </span>
      </div>
      <p className="muted small" data-testid="import-files-help">
        Takes App Privacy Report exports (.ndjson), iPhone sysdiagnose archives
        (sysdiagnose_….tar.gz) and PowerLog files (.PLSQL), and Android captures: a bugreport zip,
        an AndroidQF folder or zip, a folder of dumpsys and getprop outputs, or a single dumpsys
        file. A folder is imported as one capture.
      </p>
      <SysdiagnoseHelp />
      <PathList paths={paths} onRemove={onRemove} />
      {typed !== null ? (
        <label className="stack">
          <span className="small">Paths on the dev server machine, one per line</span>
          <textarea
            className="input mono"
            rows={3}
            data-testid="import-paths-input"
            value={typed}
            placeholder={'/path/to/App_Privacy_Report.ndjson\n/path/to/bugreport.zip'}
            onChange={(e) => onTyped(e.target.value)}
          />
        </label>
      ) : null}
    </fieldset>
  );
}

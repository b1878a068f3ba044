import { useMemo, useState } from 'react';
import type { BackupSummary } from '../../../contract/records';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { localStore } from '../../shared/storage';
import { baseName } from '../import/import-format';
import {
  addFolder,
  defaultBackupLocations,
  loadBackupFolders,
  saveBackupFolders,
} from './backup-folders';
import { mergeBackups } from './backup-flow';
import { BackupList } from './BackupList';
import { useRefreshable } from './use-refreshable';
import './backups.css';

interface Props {
  /** Backups to list even when the search does not find them (dropped, or just made). */
  pinned: BackupSummary[];
  selected: string | null;
  onSelect: (path: string) => void;
}

/**
 * The backups on this computer and in the folders the examiner added (remembered across
 * sessions), with ways to add a folder by dialog or by typing its path.
 */
export function BackupChooser({ pinned, selected, onSelect }: Props) {
  const { client, info } = useApp();
  const [folders, setFolders] = useState<string[]>(() => loadBackupFolders(localStore()));
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<AppErrorShape | null>(null);
  const listed = useRefreshable('listBackups', { folders });
  const backups = useMemo(() => mergeBackups(pinned, listed.data ?? []), [pinned, listed.data]);
  const devserver = info.host === 'devserver';
  const [places] = useState(() =>
    typeof navigator === 'undefined' ? [] : defaultBackupLocations(navigator.userAgent),
  );

  const update = (next: string[]): void => {
    setFolders(next);
    saveBackupFolders(localStore(), next);
  };

  const add = (path: string): void => {
    const next = addFolder(folders, path);
    if (next.length !== folders.length) update(next);
  };

  const pick = async (): Promise<void> => {
    const r = await client.call('pickFolder', { mode: 'open' });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    if (r.value === null) {
      if (devserver) {
        setError({
          code: 'UNSUPPORTED',
          message: 'No folder dialog in the browser: type the folder path below.',
        });
      }
      return;
    }
    setError(null);
    add(r.value);
  };

  const addButton = (testId: string) => (
    <button type="button" className="btn" data-testid={testId} onClick={() => void pick()}>
      Add folder…
    </button>
  );

  return (
    <section className="backup-chooser" aria-label="Backups on this computer">
      <div className="row">
        <span className="small muted grow">
          Finder and iTunes backups on this computer
          {folders.length > 0 ? ', and in the folders you added' : ''}. A folder can hold one backup
          or several.
        </span>
        {addButton('add-backup-folder')}
        <button
          type="button"
          className="btn"
          data-testid="refresh-backups"
          disabled={listed.loading}
          onClick={listed.refresh}
        >
          {listed.loading && listed.data ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add(typed);
          setTyped('');
        }}
      >
        <input
          className="input grow mono"
          data-testid="backup-folder-input"
          aria-label="Folder holding backups"
          placeholder={
            devserver
              ? 'Type a folder on the dev server machine, e.g. /path/to/Backups'
              : 'Or type a folder path'
          }
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button
          type="submit"
          className="btn"
          data-testid="backup-folder-submit"
          disabled={typed.trim() === ''}
        >
          Add
        </button>
      </form>
      {folders.length > 0 ? (
        <ul
          className="chips backup-folders"
          data-testid="backup-folders"
          aria-label="Added folders"
        >
          {folders.map((f) => (
            <li key={f} className="chip mono" title={f}>
              {f}
              <button
                type="button"
                className="chip-x"
                aria-label={`Stop searching ${baseName(f)}`}
                onClick={() => update(folders.filter((x) => x !== f))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {listed.error ? <ErrorBanner error={listed.error} title="Could not list backups" /> : null}
      {listed.data === null && listed.loading && backups.length === 0 ? (
        <Spinner label="Looking for backups…" />
      ) : backups.length === 0 && !listed.error ? (
        <EmptyState title="No backups found" testId="backups-empty">
          <p>
            {places.length > 0 || folders.length > 0 ? 'Looked in ' : ''}
            {[...places, ...folders].map((p, i) => (
              <span key={p}>
                {i > 0 ? ', ' : ''}
                <span className="mono">{p}</span>
              </span>
            ))}
            {places.length > 0 || folders.length > 0 ? '. ' : ''}
            {places.length === 0
              ? 'This system has no standard place for iPhone backups: add the folder that holds yours.'
              : 'Add the folder that holds your backups if they are elsewhere.'}
          </p>
          <div className="row">{addButton('backups-empty-add-folder')}</div>
        </EmptyState>
      ) : (
        <BackupList backups={backups} selected={selected} onSelect={onSelect} />
      )}
    </section>
  );
}

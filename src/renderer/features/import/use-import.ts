import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiRawInput } from '../../../contract/api';
import type { ImportFinished, ImportProgress } from '../../../contract/events';
import type { AppErrorShape, Result } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';
import { useAndroidCapture, type AndroidCaptureControl } from '../android/use-android-capture';
import { backupRefusal } from '../backups/backup-flow';

export type ImportPhase = 'idle' | 'starting' | 'running' | 'finished' | 'failed';

export interface ImportState {
  phase: ImportPhase;
  /** What is (or was last) imported: files, or a backup folder. */
  kind: 'files' | 'backup' | null;
  /** The backup folder of a backup import, and the name it is shown under. */
  backup: { path: string; name: string } | null;
  /** A backup import refused as a whole (it stored nothing): what it said, and whether the password was why. */
  rejected: { message: string; password: boolean } | null;
  importId: string | null;
  progress: ImportProgress | null;
  finished: ImportFinished | null;
  error: AppErrorShape | null;
  cancelling: boolean;
}

const IDLE: ImportState = {
  phase: 'idle',
  kind: null,
  backup: null,
  rejected: null,
  importId: null,
  progress: null,
  finished: null,
  error: null,
  cancelling: false,
};

export interface ImportControl {
  state: ImportState;
  /** Imports files; `timeZone` is the phone's IANA zone for Android captures that lack one. */
  start(paths: string[], deviceId: number, timeZone?: string): Promise<void>;
  /** Imports a backup folder; `name` is how the progress view names it. */
  startBackup(request: ApiRawInput<'startBackupImport'>, name: string): Promise<void>;
  cancel(): Promise<void>;
  reset(): void;
  /**
   * The capture or watch of a connected Android phone. It is kept here, with the imports, so it
   * outlives the import dialog: a watch closed out of sight is there again when the dialog opens.
   */
  android: AndroidCaptureControl;
}

/**
 * Runs one import at a time (files or a backup) and follows it through bridge events. The import
 * counts as app activity from its start call until its `onImportFinished` arrives. A backup import
 * refused as a whole (a wrong password) returns to idle with `rejected` set, so the form can ask again.
 */
export function useImport(): ImportControl {
  const { client, activity, invalidate } = useApp();
  const [state, setState] = useState<ImportState>(IDLE);
  const currentId = useRef<string | null>(null);
  const waiting = useRef(false);
  const early = useRef(new Map<string, ImportFinished>());
  const kind = useRef<ImportState['kind']>(null);
  const endActivity = useRef<(() => void) | null>(null);

  const stopActivity = useCallback(() => {
    endActivity.current?.();
    endActivity.current = null;
  }, []);

  useEffect(() => stopActivity, [stopActivity]);

  const finish = useCallback(
    (finished: ImportFinished) => {
      currentId.current = null;
      const rejected = kind.current === 'backup' ? backupRefusal(finished) : null;
      setState((s) =>
        rejected !== null
          ? { ...IDLE, kind: s.kind, backup: s.backup, rejected }
          : { ...s, phase: 'finished', finished, cancelling: false },
      );
      invalidate();
      stopActivity();
    },
    [invalidate, stopActivity],
  );

  useBridgeEvent('onImportProgress', (progress) => {
    if (
      currentId.current === progress.importId ||
      (waiting.current && currentId.current === null)
    ) {
      setState((s) => (s.phase === 'starting' || s.phase === 'running' ? { ...s, progress } : s));
    }
  });

  useBridgeEvent('onImportFinished', (finished) => {
    if (currentId.current === finished.importId) finish(finished);
    else if (waiting.current) early.current.set(finished.importId, finished);
  });

  const run = useCallback(
    async (
      base: Pick<ImportState, 'kind' | 'backup'>,
      call: () => Promise<Result<{ importId: string }>>,
    ) => {
      if (waiting.current || currentId.current !== null) return;
      stopActivity();
      endActivity.current = activity.begin();
      waiting.current = true;
      kind.current = base.kind;
      early.current.clear();
      setState({ ...IDLE, ...base, phase: 'starting' });
      const r = await call();
      waiting.current = false;
      if (!r.ok) {
        setState({ ...IDLE, ...base, phase: 'failed', error: r.error });
        stopActivity();
        return;
      }
      const { importId } = r.value;
      const already = early.current.get(importId);
      early.current.clear();
      setState((s) => ({ ...s, phase: 'running', importId }));
      if (already) finish(already);
      else currentId.current = importId;
    },
    [activity, finish, stopActivity],
  );

  const start = useCallback(
    (paths: string[], deviceId: number, timeZone?: string) =>
      run({ kind: 'files', backup: null }, () =>
        client.call('startImport', {
          paths,
          deviceId,
          ...(timeZone !== undefined ? { timeZone } : {}),
        }),
      ),
    [client, run],
  );

  const startBackup = useCallback(
    (request: ApiRawInput<'startBackupImport'>, name: string) =>
      // The request (and the password in it) is handed to the bridge and not kept here.
      run({ kind: 'backup', backup: { path: request.path, name } }, () =>
        client.call('startBackupImport', request),
      ),
    [client, run],
  );

  const cancel = useCallback(async () => {
    const importId = currentId.current;
    if (!importId) return;
    setState((s) => ({ ...s, cancelling: true }));
    const r = await client.call('cancelImport', { importId });
    if (!r.ok) setState((s) => ({ ...s, cancelling: false, error: r.error }));
  }, [client]);

  const reset = useCallback(() => {
    if (currentId.current !== null || waiting.current) return;
    setState(IDLE);
  }, []);

  const android = useAndroidCapture();

  return { state, start, startBackup, cancel, reset, android };
}

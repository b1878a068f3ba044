import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportFinished, ImportProgress } from '../../../contract/events';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';

export type ImportPhase = 'idle' | 'starting' | 'running' | 'finished' | 'failed';

export interface ImportState {
  phase: ImportPhase;
  importId: string | null;
  progress: ImportProgress | null;
  finished: ImportFinished | null;
  error: AppErrorShape | null;
  cancelling: boolean;
}

const IDLE: ImportState = {
  phase: 'idle',
  importId: null,
  progress: null,
  finished: null,
  error: null,
  cancelling: false,
};

export interface ImportControl {
  state: ImportState;
  start(paths: string[], deviceId: number): Promise<void>;
  cancel(): Promise<void>;
  reset(): void;
}

/**
 * Runs one import at a time and follows it through bridge events. The import counts as app
 * activity from `startImport` until its `onImportFinished` arrives.
 */
export function useImport(): ImportControl {
  const { client, activity, invalidate } = useApp();
  const [state, setState] = useState<ImportState>(IDLE);
  const currentId = useRef<string | null>(null);
  const waiting = useRef(false);
  const early = useRef(new Map<string, ImportFinished>());
  const endActivity = useRef<(() => void) | null>(null);

  const stopActivity = useCallback(() => {
    endActivity.current?.();
    endActivity.current = null;
  }, []);

  useEffect(() => stopActivity, [stopActivity]);

  const finish = useCallback(
    (finished: ImportFinished) => {
      currentId.current = null;
      setState((s) => ({ ...s, phase: 'finished', finished, cancelling: false }));
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

  const start = useCallback(
    async (paths: string[], deviceId: number) => {
      if (waiting.current || currentId.current !== null) return;
      stopActivity();
      endActivity.current = activity.begin();
      waiting.current = true;
      early.current.clear();
      setState({ ...IDLE, phase: 'starting' });
      const r = await client.call('startImport', { paths, deviceId });
      waiting.current = false;
      if (!r.ok) {
        setState({ ...IDLE, phase: 'failed', error: r.error });
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
    [activity, client, finish, stopActivity],
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

  return { state, start, cancel, reset };
}

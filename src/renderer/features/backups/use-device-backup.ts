import { useCallback, useRef, useState } from 'react';
import type { DeviceBackupProgress } from '../../../contract/events';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';
import { deviceBackupRunning } from './backup-format';

export interface DeviceBackupState {
  /** The phone being (or last) backed up. */
  udid: string | null;
  backupId: string | null;
  /** The destination the examiner chose. */
  folder: string | null;
  progress: DeviceBackupProgress | null;
  error: AppErrorShape | null;
  starting: boolean;
  cancelling: boolean;
}

export interface DeviceBackupControl {
  state: DeviceBackupState;
  /** True from the start call until the backup is done, failed or cancelled. */
  running: boolean;
  start(udid: string, folder: string): Promise<void>;
  cancel(): Promise<void>;
  /** Forgets a finished backup's progress. */
  dismiss(): void;
}

const NONE: DeviceBackupState = {
  udid: null,
  backupId: null,
  folder: null,
  progress: null,
  error: null,
  starting: false,
  cancelling: false,
};

/**
 * Makes a backup of a connected iPhone and follows it through `onDeviceBackupProgress`. Events
 * that arrive before the start call answers are matched by the phone's UDID.
 */
export function useDeviceBackup(): DeviceBackupControl {
  const { client } = useApp();
  const [state, setState] = useState<DeviceBackupState>(NONE);
  const current = useRef<{ udid: string; backupId: string | null } | null>(null);

  useBridgeEvent('onDeviceBackupProgress', (progress) => {
    const c = current.current;
    if (!c) return;
    const ours =
      c.backupId === progress.backupId || (c.backupId === null && c.udid === progress.udid);
    if (!ours) return;
    c.backupId = progress.backupId;
    setState((s) => ({
      ...s,
      backupId: progress.backupId,
      progress,
      cancelling: deviceBackupRunning(progress.phase) ? s.cancelling : false,
    }));
  });

  const running =
    state.starting ||
    (state.backupId !== null &&
      (state.progress === null || deviceBackupRunning(state.progress.phase)));

  const start = useCallback(
    async (udid: string, folder: string) => {
      if (running) return;
      current.current = { udid, backupId: null };
      setState({ ...NONE, udid, folder, starting: true });
      const r = await client.call('startDeviceBackup', { udid, folder });
      if (!r.ok) {
        current.current = null;
        setState({ ...NONE, udid, folder, error: r.error });
        return;
      }
      if (current.current?.udid === udid) current.current.backupId = r.value.backupId;
      setState((s) => ({ ...s, starting: false, backupId: r.value.backupId }));
    },
    [client, running],
  );

  const cancel = useCallback(async () => {
    const backupId = current.current?.backupId;
    if (!backupId) return;
    setState((s) => ({ ...s, cancelling: true }));
    const r = await client.call('cancelDeviceBackup', { backupId });
    if (!r.ok) setState((s) => ({ ...s, cancelling: false, error: r.error }));
  }, [client]);

  const dismiss = useCallback(() => {
    if (running) return;
    current.current = null;
    setState(NONE);
  }, [running]);

  return { state, running, start, cancel, dismiss };
}

import type { AndroidCaptureStatus } from '../../../contract/events';
import type { AppErrorShape } from '../../../contract/result';

/** A capture (or watch) of one phone as the import dialog follows it. */
export interface CaptureState {
  /** The phone being (or last) captured; null when there is nothing to show. */
  serial: string | null;
  /** How the phone is named while it is followed. */
  name: string;
  /** The watch interval, or null for a single capture. */
  watchMinutes: number | null;
  captureId: string | null;
  status: AndroidCaptureStatus | null;
  starting: boolean;
  stopping: boolean;
  error: AppErrorShape | null;
}

export const NO_CAPTURE: CaptureState = {
  serial: null,
  name: '',
  watchMinutes: null,
  captureId: null,
  status: null,
  starting: false,
  stopping: false,
  error: null,
};

export type CaptureAction =
  | { type: 'start'; serial: string; name: string; watchMinutes: number | null }
  | { type: 'started'; captureId: string }
  | { type: 'failed'; error: AppErrorShape }
  | { type: 'event'; status: AndroidCaptureStatus }
  | { type: 'stopping' }
  /** The stop call failed, or found the capture already gone (`error` null). */
  | { type: 'stop-answered'; error: AppErrorShape | null; gone: boolean }
  | { type: 'dismiss' };

/** True from the start call until the capture (or watch) has stopped. */
export function captureActive(s: CaptureState): boolean {
  if (s.starting) return true;
  return s.captureId !== null && s.status?.phase !== 'stopped';
}

/**
 * Whether an event belongs to the capture followed: by its id, or, before the start call has
 * answered, by the phone's serial.
 */
export function isOurs(s: CaptureState, status: AndroidCaptureStatus): boolean {
  if (s.captureId !== null) return s.captureId === status.captureId;
  return s.starting && s.serial === status.serial;
}

/** The next state of a followed capture. */
export function captureReducer(s: CaptureState, a: CaptureAction): CaptureState {
  switch (a.type) {
    case 'start':
      if (captureActive(s)) return s;
      return {
        ...NO_CAPTURE,
        serial: a.serial,
        name: a.name,
        watchMinutes: a.watchMinutes,
        starting: true,
      };
    case 'started':
      if (!s.starting) return s;
      // An event may have named the capture already; the answer agrees with it.
      return { ...s, starting: false, captureId: a.captureId };
    case 'failed':
      return { ...s, starting: false, captureId: null, status: null, error: a.error };
    case 'event': {
      if (!isOurs(s, a.status)) return s;
      const stopped = a.status.phase === 'stopped';
      return {
        ...s,
        captureId: a.status.captureId,
        status: a.status,
        stopping: stopped ? false : s.stopping,
      };
    }
    case 'stopping':
      return captureActive(s) ? { ...s, stopping: true, error: null } : s;
    case 'stop-answered': {
      if (a.error) return { ...s, stopping: false, error: a.error };
      if (!a.gone || s.captureId === null) return s;
      // The core no longer runs this capture: it ended without this page hearing its last event.
      const last: AndroidCaptureStatus = s.status ?? {
        captureId: s.captureId,
        serial: s.serial ?? '',
        phase: 'stopped',
        nextCaptureAt: null,
        history: [],
        deviceId: null,
      };
      return { ...s, stopping: false, status: { ...last, phase: 'stopped', nextCaptureAt: null } };
    }
    case 'dismiss':
      return captureActive(s) ? s : NO_CAPTURE;
    default: {
      const never: never = a;
      return never;
    }
  }
}

import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';
import type { CaptureRequest } from './android-flow';
import { captureWorking } from './android-format';
import { captureActive, captureReducer, NO_CAPTURE, type CaptureState } from './capture-state';

export interface AndroidCaptureControl {
  state: CaptureState;
  /** True from the start call until the capture (or watch) has stopped. */
  active: boolean;
  /** Starts a capture; `name` is how the phone is shown while it is followed. */
  start(request: CaptureRequest, name: string): Promise<void>;
  stop(): Promise<void>;
  /** Forgets a stopped capture's panel. */
  dismiss(): void;
}

/**
 * Starts and follows one Android capture or watch through `onAndroidCapture`. Meant to live as
 * long as the open case (not the import dialog), so closing the dialog during a watch loses
 * nothing: reopened, it shows the same watch. Reading the phone and importing count as app
 * activity; the wait between two captures of a watch does not.
 */
export function useAndroidCapture(): AndroidCaptureControl {
  const { client, activity } = useApp();
  const [state, dispatch] = useReducer(captureReducer, NO_CAPTURE);
  // The callbacks read the state of the last render without being rebuilt on each event.
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  }, [state]);
  const starting = useRef(false);

  useBridgeEvent('onAndroidCapture', (status) => dispatch({ type: 'event', status }));

  const working = state.starting || (state.status !== null && captureWorking(state.status.phase));
  useEffect(() => (working ? activity.begin() : undefined), [working, activity]);

  const active = captureActive(state);

  const start = useCallback(
    async (request: CaptureRequest, name: string) => {
      if (starting.current || captureActive(latest.current)) return;
      starting.current = true;
      dispatch({
        type: 'start',
        serial: request.serial,
        name,
        watchMinutes: request.watchMinutes ?? null,
      });
      const r = await client.call('startAndroidCapture', request);
      starting.current = false;
      dispatch(
        r.ok
          ? { type: 'started', captureId: r.value.captureId }
          : { type: 'failed', error: r.error },
      );
    },
    [client],
  );

  const stop = useCallback(async () => {
    const captureId = latest.current.captureId;
    if (captureId === null || !captureActive(latest.current)) return;
    dispatch({ type: 'stopping' });
    const r = await client.call('stopAndroidCapture', { captureId });
    dispatch(
      r.ok
        ? { type: 'stop-answered', error: null, gone: !r.value.stopped }
        : { type: 'stop-answered', error: r.error, gone: false },
    );
  }, [client]);

  const dismiss = useCallback(() => dispatch({ type: 'dismiss' }), []);

  return { state, active, start, stop, dismiss };
}

import { describe, expect, it } from 'vitest';
import type { AndroidCaptureStatus } from '../../../contract/events';
import {
  captureActive,
  captureReducer,
  isOurs,
  NO_CAPTURE,
  type CaptureAction,
  type CaptureState,
} from './capture-state';

const status = (fields: Partial<AndroidCaptureStatus> = {}): AndroidCaptureStatus => ({
  captureId: 'c1',
  serial: 'S1',
  phase: 'capturing',
  nextCaptureAt: null,
  history: [],
  deviceId: null,
  ...fields,
});

const run = (...actions: CaptureAction[]): CaptureState =>
  actions.reduce(captureReducer, NO_CAPTURE);

const start: CaptureAction = { type: 'start', serial: 'S1', name: 'Pixel 7', watchMinutes: 15 };

describe('captureReducer', () => {
  it('follows a watch from its start to its stop', () => {
    let s = run(start);
    expect(captureActive(s)).toBe(true);
    expect(s.watchMinutes).toBe(15);
    s = captureReducer(s, { type: 'started', captureId: 'c1' });
    expect(s.captureId).toBe('c1');
    s = captureReducer(s, {
      type: 'event',
      status: status({ phase: 'waiting', nextCaptureAt: 5 }),
    });
    expect(s.status?.nextCaptureAt).toBe(5);
    expect(captureActive(s)).toBe(true);
    s = captureReducer(s, { type: 'stopping' });
    expect(s.stopping).toBe(true);
    s = captureReducer(s, { type: 'event', status: status({ phase: 'stopped' }) });
    expect(s.stopping).toBe(false);
    expect(captureActive(s)).toBe(false);
    expect(captureReducer(s, { type: 'dismiss' })).toEqual(NO_CAPTURE);
  });

  it('takes events that arrive before the start call answers, by serial', () => {
    let s = run(start);
    expect(isOurs(s, status({ serial: 'OTHER' }))).toBe(false);
    s = captureReducer(s, { type: 'event', status: status({ phase: 'importing' }) });
    expect(s.captureId).toBe('c1');
    expect(s.status?.phase).toBe('importing');
    s = captureReducer(s, { type: 'started', captureId: 'c1' });
    expect(s.starting).toBe(false);
    expect(s.status?.phase).toBe('importing');
  });

  it('ignores another capture’s events and a second start while one runs', () => {
    const s = run(start, { type: 'started', captureId: 'c1' });
    expect(captureReducer(s, { type: 'event', status: status({ captureId: 'c2' }) })).toBe(s);
    expect(
      captureReducer(s, { type: 'start', serial: 'S2', name: 'Other', watchMinutes: null }),
    ).toBe(s);
    expect(captureReducer(s, { type: 'dismiss' })).toBe(s);
  });

  it('ignores events when nothing is followed', () => {
    expect(captureReducer(NO_CAPTURE, { type: 'event', status: status() })).toBe(NO_CAPTURE);
  });

  it('keeps the error of a start that failed, and is no longer active', () => {
    const s = run(start, {
      type: 'failed',
      error: { code: 'UNSUPPORTED', message: 'adb was not found.' },
    });
    expect(captureActive(s)).toBe(false);
    expect(s.error?.code).toBe('UNSUPPORTED');
    expect(s.serial).toBe('S1');
  });

  it('marks a capture stopped when the core no longer runs it', () => {
    let s = run(start, { type: 'started', captureId: 'c1' }, { type: 'stopping' });
    s = captureReducer(s, { type: 'stop-answered', error: null, gone: true });
    expect(captureActive(s)).toBe(false);
    expect(s.status?.phase).toBe('stopped');
    expect(s.status?.captureId).toBe('c1');
  });

  it('stays active when the stop call fails, and says why', () => {
    let s = run(start, { type: 'started', captureId: 'c1' }, { type: 'stopping' });
    s = captureReducer(s, {
      type: 'stop-answered',
      error: { code: 'INTERNAL', message: 'no' },
      gone: false,
    });
    expect(captureActive(s)).toBe(true);
    expect(s.stopping).toBe(false);
    expect(s.error?.message).toBe('no');
  });
});

import { describe, expect, it } from 'vitest';
import type { AndroidDevice, Device } from '../../../contract/api';
import type { ImportOutcome } from '../../../contract/records';
import {
  boundDevice,
  captureLabel,
  captureRequest,
  isTimeZoneRefusal,
  newCaptureDraft,
  parseWatchMinutes,
  timeZoneRetry,
} from './android-flow';

const phone = (fields: Partial<AndroidDevice> = {}): AndroidDevice => ({
  serial: '2A281FDH300ABC',
  state: 'device',
  model: 'Pixel 7',
  product: 'panther',
  problem: null,
  ...fields,
});

const device = (id: number, fields: Partial<Device> = {}): Device => ({
  id,
  label: `Device ${id}`,
  platform: 'android',
  model: null,
  osVersion: null,
  timeZone: null,
  offsetMin: null,
  identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
  sources: 0,
  createdAt: 0,
  ...fields,
});

const outcome = (fields: Partial<ImportOutcome>): ImportOutcome => ({
  path: '/c/capture',
  sha256: null,
  importer: null,
  status: 'imported',
  counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 },
  duplicateLines: 0,
  alreadyStored: 0,
  warnings: [],
  error: null,
  sourceId: null,
  deviceId: 3,
  locator: null,
  ...fields,
});

const ZONE_ERROR =
  "The capture does not record the phone's time zone (no persist.sys.timezone) and its capture time is unknown; give the time zone. Nothing was imported.";

describe('capture drafts', () => {
  const serial = '2A281FDH300ABC';
  const devices = [
    device(1, {
      identifiers: { udid: null, serial, imei: null, phoneNumber: null },
      platform: 'ios',
    }),
    device(2, { identifiers: { udid: null, serial, imei: null, phoneNumber: null } }),
  ];

  it('finds the Android device already bound to the serial and starts the draft on it', () => {
    expect(boundDevice(devices, serial)?.id).toBe(2);
    expect(boundDevice(devices, 'OTHER')).toBeNull();
    expect(newCaptureDraft(serial, devices)).toEqual({
      serial,
      deviceId: 2,
      label: null,
      timeZone: '',
      watchMinutes: '15',
    });
    expect(newCaptureDraft('OTHER', devices).deviceId).toBeNull();
  });

  it('names a new device after the phone model until a label is typed', () => {
    expect(captureLabel({ label: null }, phone())).toBe('Pixel 7');
    expect(captureLabel({ label: '' }, phone())).toBe('');
    expect(captureLabel({ label: 'Subject phone' }, phone())).toBe('Subject phone');
  });

  it('reads the watch interval as whole minutes from 1 to a day', () => {
    expect(parseWatchMinutes('15')).toEqual({ ok: true, minutes: 15 });
    expect(parseWatchMinutes(' 1 ')).toEqual({ ok: true, minutes: 1 });
    expect(parseWatchMinutes('1440')).toEqual({ ok: true, minutes: 1440 });
    expect(parseWatchMinutes('0').ok).toBe(false);
    expect(parseWatchMinutes('1441').ok).toBe(false);
    expect(parseWatchMinutes('2.5').ok).toBe(false);
    expect(parseWatchMinutes('').ok).toBe(false);
    expect(parseWatchMinutes('-3').ok).toBe(false);
  });
});

describe('captureRequest', () => {
  const draft = newCaptureDraft('2A281FDH300ABC', []);

  it('captures once into a new device named after the model', () => {
    expect(captureRequest(draft, phone(), 'once')).toEqual({
      ok: true,
      request: { serial: '2A281FDH300ABC', label: 'Pixel 7' },
    });
  });

  it('watches an existing device with a zone and the interval', () => {
    const r = captureRequest(
      { ...draft, deviceId: 4, label: 'ignored', timeZone: 'Europe/Lisbon', watchMinutes: '5' },
      phone(),
      'watch',
    );
    expect(r).toEqual({
      ok: true,
      request: {
        serial: '2A281FDH300ABC',
        deviceId: 4,
        timeZone: 'Europe/Lisbon',
        watchMinutes: 5,
      },
    });
  });

  it('ignores the interval for a single capture', () => {
    expect(captureRequest({ ...draft, watchMinutes: 'x' }, phone(), 'once').ok).toBe(true);
    expect(captureRequest({ ...draft, watchMinutes: 'x' }, phone(), 'watch').ok).toBe(false);
  });

  it('says why it cannot start', () => {
    const problem = (r: ReturnType<typeof captureRequest>) => (r.ok ? null : r.problem);
    expect(
      problem(
        captureRequest(
          draft,
          phone({ state: 'unauthorized', problem: 'Allow it on the phone.' }),
          'once',
        ),
      ),
    ).toBe('Allow it on the phone.');
    expect(problem(captureRequest({ ...draft, label: '  ' }, phone(), 'once'))).toBe(
      'Name the new device.',
    );
    expect(problem(captureRequest({ ...draft, label: 'x'.repeat(201) }, phone(), 'once'))).toBe(
      'The device name is too long.',
    );
    expect(
      problem(captureRequest({ ...draft, timeZone: 'Mars/Olympus' }, phone(), 'once')),
    ).toContain('Mars/Olympus');
  });
});

describe('time-zone refusals', () => {
  it('recognises an outcome refused for the missing time zone only', () => {
    expect(isTimeZoneRefusal(outcome({ status: 'refused', error: ZONE_ERROR }))).toBe(true);
    expect(isTimeZoneRefusal(outcome({ status: 'refused', error: 'Not a known format.' }))).toBe(
      false,
    );
    expect(isTimeZoneRefusal(outcome({ status: 'imported', error: null }))).toBe(false);
  });

  it('collects the captures to import again and their device', () => {
    const finished = {
      importId: 'i',
      cancelled: false,
      outcomes: [
        outcome({ path: '/a.ndjson', importer: 'ios-app-privacy-report' }),
        outcome({ path: '/c/one', status: 'refused', error: ZONE_ERROR }),
        outcome({ path: '/c/two.zip', status: 'refused', error: 'Not a known format.' }),
        outcome({ path: '/c/three', status: 'refused', error: ZONE_ERROR }),
      ],
    };
    expect(timeZoneRetry(finished)).toEqual({ paths: ['/c/one', '/c/three'], deviceId: 3 });
    expect(timeZoneRetry({ ...finished, cancelled: true })).toBeNull();
    expect(timeZoneRetry({ ...finished, outcomes: finished.outcomes.slice(0, 1) })).toBeNull();
    expect(
      timeZoneRetry({
        ...finished,
        outcomes: [outcome({ status: 'refused', error: ZONE_ERROR, deviceId: null })],
      }),
    ).toBeNull();
  });
});

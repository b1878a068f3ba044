import type { AndroidDevice, ApiRawInput, Device } from '../../../contract/api';
import type { ImportFinished } from '../../../contract/events';
import type { ImportOutcome } from '../../../contract/records';
import { phoneLabel, phoneReady } from './android-format';
import { checkTimeZone } from './time-zones';

/** What the examiner has chosen for capturing one phone. */
export interface CaptureDraft {
  serial: string;
  /** An existing device of the case; null means a new device named `label`. */
  deviceId: number | null;
  /** The new device's name as typed; null until edited (the phone's model is used). */
  label: string | null;
  /** An IANA zone for the phone, or empty to use the one the phone reports. */
  timeZone: string;
  /** The watch interval as typed. */
  watchMinutes: string;
}

export const DEFAULT_WATCH_MINUTES = 15;
export const MAX_WATCH_MINUTES = 1440;

/** The device of the case that is already this phone (same serial, Android), if any. */
export function boundDevice(devices: readonly Device[], serial: string): Device | null {
  return devices.find((d) => d.platform === 'android' && d.identifiers.serial === serial) ?? null;
}

/** A fresh draft for a phone: its own device when the case has one, else a new device. */
export function newCaptureDraft(serial: string, devices: readonly Device[]): CaptureDraft {
  return {
    serial,
    deviceId: boundDevice(devices, serial)?.id ?? null,
    label: null,
    timeZone: '',
    watchMinutes: String(DEFAULT_WATCH_MINUTES),
  };
}

/** The label a new device gets: what was typed, else the phone's model. */
export function captureLabel(
  draft: Pick<CaptureDraft, 'label'>,
  phone: Pick<AndroidDevice, 'model' | 'product'>,
): string {
  return draft.label ?? phoneLabel(phone);
}

/** The watch interval typed, as whole minutes, or why it is not one. */
export function parseWatchMinutes(
  text: string,
): { ok: true; minutes: number } | { ok: false; problem: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { ok: false, problem: 'The interval is a whole number of minutes.' };
  const minutes = Number(t);
  if (minutes < 1) return { ok: false, problem: 'The interval is at least 1 minute.' };
  if (minutes > MAX_WATCH_MINUTES)
    return { ok: false, problem: `The interval is at most ${MAX_WATCH_MINUTES} minutes (a day).` };
  return { ok: true, minutes };
}

export type CaptureRequest = ApiRawInput<'startAndroidCapture'>;

/**
 * The `startAndroidCapture` call for a draft (once, or a watch every N minutes), or why it cannot
 * start yet.
 */
export function captureRequest(
  draft: CaptureDraft,
  phone: AndroidDevice,
  mode: 'once' | 'watch',
): { ok: true; request: CaptureRequest } | { ok: false; problem: string } {
  if (!phoneReady(phone))
    return { ok: false, problem: phone.problem ?? 'The phone is not ready for a capture.' };
  const request: CaptureRequest = { serial: phone.serial };
  if (draft.deviceId !== null) {
    request.deviceId = draft.deviceId;
  } else {
    const label = captureLabel(draft, phone).trim();
    if (label.length === 0) return { ok: false, problem: 'Name the new device.' };
    if (label.length > 200) return { ok: false, problem: 'The device name is too long.' };
    request.label = label;
  }
  const zone = checkTimeZone(draft.timeZone);
  if (!zone.ok) return zone;
  if (zone.zone !== undefined) request.timeZone = zone.zone;
  if (mode === 'watch') {
    const minutes = parseWatchMinutes(draft.watchMinutes);
    if (!minutes.ok) return minutes;
    request.watchMinutes = minutes.minutes;
  }
  return { ok: true, request };
}

/** True for an outcome refused because the capture does not record the phone's time zone. */
export function isTimeZoneRefusal(o: Pick<ImportOutcome, 'status' | 'error'>): boolean {
  return o.status === 'refused' && o.error !== null && /time zone/i.test(o.error);
}

/**
 * The captures of a finished import that were refused for a missing time zone, to import again
 * with one: their paths and the device they were meant for; null when there are none.
 */
export function timeZoneRetry(
  finished: ImportFinished,
): { paths: string[]; deviceId: number } | null {
  if (finished.cancelled) return null;
  const paths: string[] = [];
  let deviceId: number | null = null;
  for (const o of finished.outcomes) {
    if (!isTimeZoneRefusal(o) || o.deviceId === null) continue;
    if (deviceId !== null && o.deviceId !== deviceId) continue;
    deviceId = o.deviceId;
    if (!paths.includes(o.path)) paths.push(o.path);
  }
  return deviceId === null ? null : { paths, deviceId };
}

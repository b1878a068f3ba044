import { AppError } from '../model/errors';

/** The public id of a session: stable across re-pairing (device + the source's interval id). */
export function sessionId(deviceId: number, intervalKey: string): string {
  return `s:${deviceId}:${intervalKey}`;
}

/**
 * Splits a session id into device and interval key, or throws NOT_FOUND. The key is everything
 * after the device's colon, line breaks included: an import stores whatever key its source gives.
 */
export function parseSessionId(id: string): { deviceId: number; intervalKey: string } {
  const m = /^s:(\d+):(.+)$/s.exec(id);
  if (!m) throw new AppError('NOT_FOUND', `Not a session id: ${id}`);
  return { deviceId: Number(m[1]), intervalKey: m[2]! };
}

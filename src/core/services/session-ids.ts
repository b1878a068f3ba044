import { AppError } from '../model/errors';

/** The public id of a session: stable across re-pairing (device + the source's interval id). */
export function sessionId(deviceId: number, intervalKey: string): string {
  return `s:${deviceId}:${intervalKey}`;
}

/** Splits a session id into device and interval key, or throws NOT_FOUND. */
export function parseSessionId(id: string): { deviceId: number; intervalKey: string } {
  const m = /^s:(\d+):(.+)$/.exec(id);
  if (!m) throw new AppError('NOT_FOUND', `Not a session id: ${id}`);
  return { deviceId: Number(m[1]), intervalKey: m[2]! };
}

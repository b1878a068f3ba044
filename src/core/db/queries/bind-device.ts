import { AppError } from '../../model/errors';
import type { Db } from '../open';

export interface PhoneIdentity {
  platform: 'ios' | 'android';
  /** The identity column: a phone's UDID (iOS) or serial (Android). */
  column: 'udid' | 'serial';
  /** Its value, or null when the source does not say (the phone then binds by label only). */
  value: string | null;
  /** The label to bind to (created when new). */
  label?: string;
  /** An existing device to import into. */
  deviceId?: number;
  /** The label of a new device when none is given (made unique with ` (2)`, ` (3)`, …). */
  defaultLabel: string;
}

function createDevice(db: Db, label: string, platform: string): number {
  return Number(
    db
      .prepare('INSERT INTO devices (label, platform, created_at) VALUES (?, ?, ?)')
      .run(label, platform, Date.now()).lastInsertRowid,
  );
}

/**
 * The device a phone's source goes to (inside the caller's transaction): the given device or
 * label (created when new), else the device already bound to the phone's identity, else a new
 * one. A label bound to another phone, or a phone bound to another device, is refused; so is a
 * device of the other platform.
 */
export function bindPhoneDevice(db: Db, who: PhoneIdentity): number {
  const col = who.column;
  const bound = who.value
    ? (db.prepare(`SELECT id, label FROM devices WHERE ${col} = ?`).get(who.value) as
        { id: number; label: string } | undefined)
    : undefined;
  let id: number;
  if (who.deviceId !== undefined) {
    id = who.deviceId;
    if (bound && bound.id !== id)
      throw new AppError(
        'CONFLICT',
        `This phone is already the device "${bound.label}" in this case; import into that device.`,
      );
  } else if (who.label !== undefined) {
    const label = who.label.trim();
    const byLabel = db
      .prepare(`SELECT id, label, ${col} AS identity FROM devices WHERE label = ? COLLATE NOCASE`)
      .get(label) as { id: number; label: string; identity: string | null } | undefined;
    if (byLabel?.identity && who.value && byLabel.identity !== who.value)
      throw new AppError(
        'CONFLICT',
        `The device "${byLabel.label}" is already bound to another phone; choose another label.`,
      );
    if (bound && bound.id !== byLabel?.id)
      throw new AppError(
        'CONFLICT',
        `This phone is already the device "${bound.label}" in this case; import with that label.`,
      );
    id = byLabel?.id ?? createDevice(db, label, who.platform);
  } else if (bound) {
    id = bound.id;
  } else {
    let label = who.defaultLabel;
    for (
      let n = 2;
      db.prepare('SELECT 1 FROM devices WHERE label = ? COLLATE NOCASE').get(label);
      n += 1
    )
      label = `${who.defaultLabel} (${n})`;
    id = createDevice(db, label, who.platform);
  }
  const current = db.prepare('SELECT platform FROM devices WHERE id = ?').get(id) as
    { platform: string } | undefined;
  if (!current) throw new AppError('NOT_FOUND', `No device with id ${id} in this case.`);
  if (current.platform !== 'unknown' && current.platform !== who.platform)
    throw new AppError(
      'CONFLICT',
      `That device is ${current.platform === 'ios' ? 'an iPhone' : 'an Android phone'} in this case; ` +
        `import this ${who.platform === 'ios' ? 'iPhone backup' : 'Android capture'} into another device.`,
    );
  return id;
}

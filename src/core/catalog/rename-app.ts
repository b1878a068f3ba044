import type { Db } from '../db/open';
import { appendAudit } from '../db/audit';
import { AppError } from '../model/errors';
import { writeTx } from '../services/case-service';
import { clean, refreshAppNames, type AppNameSource } from './app-names';

/** One app as `renameApp` leaves it. */
export interface NamedApp {
  deviceId: number;
  device: string;
  identifier: string;
  displayName: string | null;
  nameSource: AppNameSource | null;
  backupName: string | null;
  userName: string | null;
}

/**
 * Sets (or with `name: null` clears) the examiner's name of an app identifier on every device
 * of the case that has it, or on one device. Recorded in the audit log. A name from the
 * device's backup stays the shown name; the examiner's is kept beside it.
 */
export function renameApp(
  db: Db,
  input: { identifier: string; name: string | null; deviceId?: number },
): NamedApp[] {
  const identifier = input.identifier.trim();
  const name = input.name === null ? null : clean(input.name);
  if (input.name !== null && name === null) {
    throw new AppError('INVALID_INPUT', 'The app name is empty; give a name, or clear it.');
  }
  if (name !== null && name.length > 200) {
    throw new AppError('INVALID_INPUT', 'The app name is longer than 200 characters.');
  }
  return writeTx(db, (): NamedApp[] => {
    const where = input.deviceId === undefined ? '' : ' AND a.device_id = ?';
    const params: (string | number)[] = [identifier];
    if (input.deviceId !== undefined) params.push(input.deviceId);
    const rows = db
      .prepare(
        `SELECT a.id, a.device_id AS deviceId, d.label AS device, a.user_name AS previous
         FROM apps a JOIN devices d ON d.id = a.device_id
         WHERE a.identifier = ?${where} ORDER BY a.device_id`,
      )
      .all(...params) as {
      id: number;
      deviceId: number;
      device: string;
      previous: string | null;
    }[];
    if (rows.length === 0) {
      throw new AppError(
        'NOT_FOUND',
        input.deviceId === undefined
          ? `No app ${identifier} in this case; give the identifier exactly as the app list shows it.`
          : `The device has no app ${identifier}; give the identifier exactly as the app list shows it.`,
      );
    }
    const set = db.prepare('UPDATE apps SET user_name = ? WHERE id = ?');
    for (const r of rows) set.run(name, r.id);
    refreshAppNames(
      db,
      rows.map((r) => r.id),
    );
    appendAudit(db, name === null ? 'app-name-cleared' : 'app-named', {
      identifier,
      name,
      devices: rows.map((r) => ({ deviceId: r.deviceId, previous: r.previous })),
    });
    const read = db.prepare(
      `SELECT a.device_id AS deviceId, d.label AS device, a.identifier, a.display_name AS displayName,
              a.name_source AS nameSource, a.backup_name AS backupName, a.user_name AS userName
       FROM apps a JOIN devices d ON d.id = a.device_id WHERE a.id = ?`,
    );
    return rows.map((r) => read.get(r.id) as NamedApp);
  });
}

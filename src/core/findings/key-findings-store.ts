// Key findings are kept per device with the stamp of the stored findings they were read from, so
// the view the app opens on reads a table: at millions of sessions, computing them (interval
// lengths and per-app figures over every session of a device) takes seconds.
import type { DeviceKeyFindings } from '../../contract/key-findings';
import { describeSqliteError, type Db } from '../db/open';
import { AppError } from '../model/errors';
import { jsonObject } from '../model/json';
import { writeTx } from '../services/case-service';
import { keyFindings } from './key-findings';
import {
  dropDerived,
  FindingsPendingError,
  findingsStamp,
  servesStoredFindingsOnly,
  type RefreshControl,
} from './stored';

/** The version of how key findings are chosen and worded: raising it makes every kept one stale. */
export const KEY_FINDINGS_VERSION = 1;

const keyStamp = (db: Db, deviceId: number): string =>
  `${KEY_FINDINGS_VERSION}|${findingsStamp(db, deviceId)}`;

/** A device's key findings as kept: all but its id and label (which can change on its own). */
type Kept = Omit<DeviceKeyFindings, 'device' | 'deviceId'>;

function devicesOf(db: Db, deviceIds?: readonly number[]): { id: number; label: string }[] {
  const all = db.prepare('SELECT id, label FROM devices ORDER BY id').all() as {
    id: number;
    label: string;
  }[];
  return deviceIds && deviceIds.length > 0 ? all.filter((d) => deviceIds.includes(d.id)) : all;
}

function keptOf(db: Db, deviceId: number): { stamp: string; answer: string } | undefined {
  return db
    .prepare('SELECT stamp, answer FROM stored_key_findings WHERE device_id = ?')
    .get(deviceId) as { stamp: string; answer: string } | undefined;
}

function keep(db: Db, deviceId: number, stamp: string, answer: DeviceKeyFindings): void {
  const { device: _label, deviceId: _id, ...kept } = answer;
  db.prepare(
    `INSERT INTO stored_key_findings (device_id, stamp, answer) VALUES (?, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET stamp = excluded.stamp, answer = excluded.answer`,
  ).run(deviceId, stamp, JSON.stringify(kept satisfies Kept));
}

const objects = (v: unknown): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));

/** A kept answer, or null when it is not one as `keep` writes it. */
function keptAnswer(json: string): Kept | null {
  const k = jsonObject(json);
  if (!k) return null;
  const fits =
    Number.isSafeInteger(k.observedDays) &&
    objects(k.key) &&
    objects(k.others) &&
    objects(k.intervalClusters);
  return fits ? (k as unknown as Kept) : null;
}

/** The devices (all, or those named) whose kept key findings are missing or out of date. */
export function staleKeyFindingDevices(db: Db, deviceIds?: readonly number[]): number[] {
  return devicesOf(db, deviceIds)
    .map((d) => d.id)
    .filter((id) => keptOf(db, id)?.stamp !== keyStamp(db, id));
}

/**
 * Computes and keeps the key findings of the devices named (every stale one when none are), each
 * in a read snapshot and written in a short transaction, kept only when the device's findings
 * stamp did not change meanwhile. Run after the stored findings are brought up to date. Returns
 * the devices kept.
 */
export function refreshKeyFindings(
  db: Db,
  deviceIds?: readonly number[],
  control: RefreshControl = {},
): number[] {
  const done: number[] = [];
  for (const id of deviceIds ?? staleKeyFindingDevices(db)) {
    if (control.isCancelled?.())
      throw new AppError('CANCELLED', 'The computation of the findings was cancelled.');
    let stamp = '';
    let answer: DeviceKeyFindings | undefined;
    db.transaction(() => {
      stamp = keyStamp(db, id);
      answer = keyFindings(db, [id])[0];
    })();
    if (!answer) continue;
    const computed = answer;
    writeTx(db, () => {
      if (keyStamp(db, id) !== stamp) return;
      keep(db, id, stamp, computed);
      done.push(id);
    });
  }
  return done;
}

/**
 * Per device (all, or those named), the key findings (see `keyFindings`), read from what is kept
 * when it is up to date. Out-of-date ones are computed here and kept when this connection can
 * write; a connection that leaves them to a worker (the app's) throws `FindingsPendingError`.
 */
export function readKeyFindings(db: Db, deviceIds?: readonly number[]): DeviceKeyFindings[] {
  const devices = devicesOf(db, deviceIds);
  // Kept answers that do not read and that this connection could not drop.
  let stuck = false;
  const fresh = (d: { id: number; label: string }): DeviceKeyFindings | null => {
    const kept = keptOf(db, d.id);
    if (!kept || kept.stamp !== keyStamp(db, d.id)) return null;
    const answer = keptAnswer(kept.answer);
    if (answer) return { deviceId: d.id, device: d.label, ...answer };
    // The case file was changed outside Snoopscope: dropped, so it is computed again.
    if (!dropDerived(db, 'stored_key_findings', d.id)) stuck = true;
    return null;
  };
  let answers = devices.map(fresh);
  const staleIds = (): number[] => devices.filter((_, i) => answers[i] === null).map((d) => d.id);
  if (staleIds().length === 0) return answers as DeviceKeyFindings[];
  if (servesStoredFindingsOnly(db) && !stuck) throw new FindingsPendingError();
  if (!db.readonly && !db.inTransaction) {
    try {
      refreshKeyFindings(db, staleIds());
    } catch (e) {
      // Another program holds the case for writing: answer from the records below.
      if (!describeSqliteError(e) && !(e instanceof AppError && e.code === 'CASE_BUSY')) throw e;
    }
    answers = devices.map((d, i) => answers[i] ?? fresh(d));
  }
  const left = staleIds();
  const computed = new Map(
    (left.length > 0 ? keyFindings(db, left) : []).map((a) => [a.deviceId, a]),
  );
  return devices
    .map((d, i) => answers[i] ?? computed.get(d.id))
    .filter((a): a is DeviceKeyFindings => a !== undefined);
}

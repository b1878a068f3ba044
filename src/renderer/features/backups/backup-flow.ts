import { isIanaTimeZone } from '../../../contract/time';
import type { ApiRawInput, BackupInspection, ConnectedDevices } from '../../../contract/api';
import type { ImportFinished } from '../../../contract/events';
import type { BackupSummary } from '../../../contract/records';
import { plural } from '../../shared/format';

/** What the examiner has chosen for the backup import, apart from the password. */
export interface BackupDraft {
  path: string;
  /** An existing device of the case; null means a new device named `label`. */
  deviceId: number | null;
  /** The new device's name as typed; null until edited (the phone's own name is used). */
  label: string | null;
  /** An IANA zone overriding the backup's, or empty. */
  timeZone: string;
}

/** A fresh draft for a backup folder. */
export function newDraft(path: string, deviceId: number | null = null): BackupDraft {
  return { path, deviceId, label: null, timeZone: '' };
}

/** True for an empty field or a time zone this runtime knows (IANA names like `Europe/Zurich`). */
export function isValidTimeZone(name: string): boolean {
  const zone = name.trim();
  return zone.length === 0 || isIanaTimeZone(zone);
}

/** The label a new device gets: what was typed, else the phone's own name. */
export function draftLabel(draft: BackupDraft, backup: Pick<BackupSummary, 'deviceName'>): string {
  return draft.label ?? backup.deviceName ?? '';
}

export type BackupRequest = ApiRawInput<'startBackupImport'>;

/**
 * The `startBackupImport` call for a draft, or why it cannot start yet. The password goes into
 * the request only when the backup needs one.
 */
export function backupRequest(
  draft: BackupDraft,
  inspection: BackupInspection,
  password: string,
): { ok: true; request: BackupRequest } | { ok: false; problem: string } {
  const b = inspection.backup;
  if (b.format === 'manifest-mbdb')
    return { ok: false, problem: 'Backups made by iOS 9 or earlier are not imported.' };
  const request: BackupRequest = { path: draft.path };
  if (inspection.boundDevice) {
    request.deviceId = inspection.boundDevice.id;
  } else if (draft.deviceId !== null) {
    request.deviceId = draft.deviceId;
  } else {
    const label = draftLabel(draft, b).trim();
    if (label.length === 0) return { ok: false, problem: 'Name the new device.' };
    if (label.length > 200) return { ok: false, problem: 'The device name is too long.' };
    request.label = label;
  }
  const zone = draft.timeZone.trim();
  if (zone.length > 0) {
    if (!isValidTimeZone(zone))
      return { ok: false, problem: `"${zone}" is not a time zone name (e.g. Europe/Zurich).` };
    request.timeZone = zone;
  }
  const needsPassword = b.encrypted !== false && !inspection.keysCached;
  if (needsPassword && password.length > 0) request.password = password;
  if (b.encrypted === true && !inspection.keysCached && password.length === 0)
    return { ok: false, problem: 'Enter the backup password.' };
  return { ok: true, request };
}

/**
 * When a backup import stored nothing and was refused as a whole (wrong or missing password, a
 * device label bound to another phone, an unknown time zone), what it said and whether the
 * password was the reason; null for any other ending. Such an import ends with one refused
 * outcome that names no importer.
 */
export function backupRefusal(
  finished: ImportFinished,
): { message: string; password: boolean } | null {
  if (finished.cancelled || finished.outcomes.length !== 1) return null;
  const only = finished.outcomes[0];
  if (!only || only.status !== 'refused' || only.importer !== null || only.error === null)
    return null;
  return { message: only.error, password: /password/i.test(only.error) };
}

/** Dropped paths sorted into backup folders (with what inspection found) and everything else. */
export function splitDropped(
  paths: readonly string[],
  inspected: ReadonlyMap<string, BackupInspection | null>,
): { backups: BackupInspection[]; files: string[] } {
  const backups: BackupInspection[] = [];
  const files: string[] = [];
  for (const p of paths) {
    const found = inspected.get(p);
    if (found) backups.push(found);
    else files.push(p);
  }
  return { backups, files };
}

/** What to tell the examiner about a drop holding backups, or null when there is nothing to say. */
export function dropNotice(backups: number, files: number): string | null {
  if (backups === 0) return null;
  if (files > 0) {
    return `You dropped ${plural(backups, 'backup folder')} and ${plural(files, 'file')}. The ${
      backups === 1 ? 'backup is' : 'first backup is'
    } selected under iPhone backup; the files wait under Files.`;
  }
  if (backups > 1)
    return `You dropped ${plural(backups, 'backup folder')}: they are listed below; import them one at a time.`;
  return null;
}

/** Backups to list: the pinned ones (dropped or just made) that the search did not find, then the rest. */
export function mergeBackups(
  pinned: readonly BackupSummary[],
  listed: readonly BackupSummary[],
): BackupSummary[] {
  const listedPaths = new Set(listed.map((b) => b.path));
  const extra = pinned.filter(
    (b, i) => !listedPaths.has(b.path) && pinned.findIndex((x) => x.path === b.path) === i,
  );
  return [...extra, ...listed];
}

/** The next highlighted row of a list for a navigation key, or null when the key does not move it. */
export function moveIndex(current: number, key: string, count: number): number | null {
  if (count === 0) return null;
  const at = Math.min(Math.max(current, -1), count - 1);
  switch (key) {
    case 'ArrowDown':
      return Math.min(at + 1, count - 1);
    case 'ArrowUp':
      return at <= 0 ? 0 : at - 1;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(at + 5, count - 1);
    case 'PageUp':
      return Math.max(at - 5, 0);
    default:
      return null;
  }
}

/** The command names of the backup tools that were not found. */
export function missingTools(tools: ConnectedDevices['tools']): string[] {
  const names: Array<[keyof ConnectedDevices['tools'], string]> = [
    ['ideviceId', 'idevice_id'],
    ['ideviceinfo', 'ideviceinfo'],
    ['idevicebackup2', 'idevicebackup2'],
  ];
  return names.filter(([key]) => tools[key] === null).map(([, name]) => name);
}

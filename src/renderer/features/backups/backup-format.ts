import type { BackupSummary } from '../../../contract/records';
import type { DeviceBackupProgress, ImportProgress } from '../../../contract/events';
import { formatWallClock, offsetLabel } from '../../shared/format';
import { phaseLabel } from '../import/import-format';

/** The name a backup is shown under: the phone's own name, else a placeholder. */
export function backupTitle(b: Pick<BackupSummary, 'deviceName'>): string {
  return b.deviceName?.trim() || 'Unnamed iPhone';
}

/** `iPhone 13 (iPhone14,5)`: the marketing name with Apple's product type, whichever is known. */
export function modelLabel(productType: string | null, model: string | null): string {
  if (model && productType && model !== productType) return `${model} (${productType})`;
  return model ?? productType ?? 'Model unknown';
}

/** `iOS 17.5.1`, or that the version is unknown. */
export function iosLabel(version: string | null): string {
  return version ? `iOS ${version}` : 'iOS version unknown';
}

/** Whether a backup is encrypted, in words. */
export function encryptionLabel(encrypted: boolean | null): string {
  if (encrypted === null) return 'Encryption unknown';
  return encrypted ? 'Encrypted' : 'Not encrypted';
}

const DAY_MS = 86_400_000;

/** How long ago an instant was, roughly: `today`, `yesterday`, `3 days ago`, `5 months ago`. */
export function ageLabel(ms: number, nowMs: number): string {
  const days = Math.floor((nowMs - ms) / DAY_MS);
  if (days < 0) return 'in the future';
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 45) return `${days} days ago`;
  const months = Math.round(days / 30.44);
  if (months < 18) return `${months} months ago`;
  return `${Math.round(days / 365.25)} years ago`;
}

/**
 * When a backup was made, on the examiner's clock: `2024-05-12 14:03 (UTC+02:00) · 3 days ago`.
 * `offsetAt` gives the examiner's UTC offset (minutes) at an instant.
 */
export function backupDateLabel(
  iso: string | null,
  nowMs: number,
  offsetAt: (ms: number) => number,
): string {
  if (iso === null) return 'Backup date unknown';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return `Backup date unreadable (${iso})`;
  const offset = offsetAt(ms);
  return `${formatWallClock(ms, offset).slice(0, 16)} (${offsetLabel(offset)}) · ${ageLabel(ms, nowMs)}`;
}

export interface BackupNote {
  tone: 'error' | 'warning';
  text: string;
}

/**
 * What an examiner should know before importing: what the search found wrong with the folder
 * (an error when the backup cannot be imported as it is, else a warning), an unfinished snapshot,
 * or an old format.
 */
export function backupNotes(b: BackupSummary): BackupNote[] {
  const notes: BackupNote[] = [];
  if (b.error) notes.push({ tone: b.format === 'unknown' ? 'error' : 'warning', text: b.error });
  const unfinished =
    b.complete === false || (b.snapshotState !== null && b.snapshotState !== 'finished');
  // The search reports an unfinished snapshot among its problems; say it only when it did not.
  if (unfinished && !b.error) {
    notes.push({
      tone: 'warning',
      text: `The backup did not finish${
        b.snapshotState ? ` (snapshot state "${b.snapshotState}")` : ''
      }: some files may be missing or older than the rest.`,
    });
  }
  if (b.format === 'manifest-mbdb') {
    notes.push({
      tone: 'warning',
      text: 'Made by iOS 9 or earlier: recognised, but this format is not imported.',
    });
  }
  return notes;
}

/** A number of seconds for people: `less than a second`, `40 s`, `2 min 05 s`, `1 h 10 min`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 1) return 'less than a second';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = s % 60;
    return rest === 0 ? `${m} min` : `${m} min ${String(rest).padStart(2, '0')} s`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')} min`;
}

/** What unlocking an encrypted backup will cost, for the password form. */
export function derivationLabel(seconds: number | null, keysCached: boolean): string {
  if (keysCached) return 'Keys already unlocked this session: no password needed.';
  if (seconds === null)
    return 'The keys are derived from the password first; on a recent backup this can take a while.';
  if (seconds < 1) return 'Deriving the keys from the password takes less than a second here.';
  return `Deriving the keys from the password takes about ${formatSeconds(seconds)} on this computer.`;
}

/** `Unlocking · Deriving the backup keys · about 40 s left`, for a backup import's progress. */
export function backupProgressLine(p: ImportProgress): string {
  const parts = [phaseLabel(p.phase)];
  if (p.detail) parts.push(p.detail);
  if (p.phase === 'unlocking' && typeof p.etaSeconds === 'number' && p.etaSeconds > 0)
    parts.push(`about ${formatSeconds(p.etaSeconds)} left`);
  return parts.join(' · ');
}

/** Human wording of a device backup's phase. */
export function deviceBackupPhaseLabel(phase: DeviceBackupProgress['phase']): string {
  switch (phase) {
    case 'starting':
      return 'Starting';
    case 'waiting-for-passcode':
      return 'Waiting for the passcode';
    case 'copying':
      return 'Copying';
    case 'finishing':
      return 'Finishing';
    case 'done':
      return 'Backup finished';
    case 'failed':
      return 'Backup failed';
    case 'cancelled':
      return 'Backup cancelled';
    default: {
      const never: never = phase;
      return String(never);
    }
  }
}

/** True while a device backup is still running. */
export function deviceBackupRunning(phase: DeviceBackupProgress['phase']): boolean {
  switch (phase) {
    case 'starting':
    case 'waiting-for-passcode':
    case 'copying':
    case 'finishing':
      return true;
    case 'done':
    case 'failed':
    case 'cancelled':
      return false;
    default: {
      const never: never = phase;
      return Boolean(never);
    }
  }
}

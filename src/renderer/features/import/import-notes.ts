import type { AppliedClock, ImportOutcome } from '../../../contract/records';
import { offsetLabel } from '../../shared/format';
import type { ZoneCheck } from '../android/time-zones';
import { baseName, isBackupOutcome, outcomeTitle } from './import-format';

/** What the Files form of the import dialog holds, for saying why Import cannot start. */
export interface FilesFormState {
  /** Paths chosen or typed. */
  paths: number;
  /** Whether the paths are typed (the browser) rather than chosen from a dialog. */
  typed: boolean;
  deviceChosen: boolean;
  /** Whether the case has a device to choose. */
  hasDevices: boolean;
  zone: ZoneCheck;
}

/**
 * Why the Import button of the Files form is disabled, as one sentence; null when it is enabled.
 * Every missing piece is named, so the examiner fixes them all in one go.
 */
export function importBlockers(s: FilesFormState): string | null {
  const reasons: string[] = [];
  if (s.paths === 0)
    reasons.push(
      s.typed
        ? 'type the path of at least one file or folder'
        : 'choose at least one file or folder (Choose files…, Choose folder…, or drop them on the window)',
    );
  if (!s.deviceChosen)
    reasons.push(
      s.hasDevices
        ? 'choose the device the files come from'
        : 'name the device the files come from and press Create device',
    );
  if (!s.zone.ok)
    reasons.push(`fix the time zone: ${lowerFirst(s.zone.problem.replace(/\.$/, ''))}`);
  if (reasons.length === 0) return null;
  return `To import, ${joinAnd(reasons)}.`;
}

/** One file (or backup part) an import skipped, and why. */
export interface SkippedFile {
  name: string;
  path: string;
  status: Exclude<ImportOutcome['status'], 'imported'>;
  reason: string;
}

/** The files an import did not store, each with its reason: refused, already in the case, cancelled. */
export function skippedFiles(outcomes: readonly ImportOutcome[]): SkippedFile[] {
  const out: SkippedFile[] = [];
  for (const o of outcomes) {
    if (o.status === 'imported') continue;
    const name = isBackupOutcome(o) && o.locator ? o.locator : outcomeTitle(o);
    out.push({ name, path: o.path, status: o.status, reason: skipReason(o) });
  }
  return out;
}

function skipReason(o: ImportOutcome): string {
  const error = o.error?.trim();
  if (error) return error;
  switch (o.status) {
    case 'already-imported':
      return 'Already in the case: a file with the same SHA-256 was imported before, so nothing was stored again.';
    case 'cancelled':
      return 'The import was cancelled before this file was stored.';
    case 'refused':
      return 'Refused; nothing of it was stored.';
    case 'imported':
      return '';
    default: {
      const never: never = o.status;
      return String(never);
    }
  }
}

/** A clock in words: `Asia/Shanghai (the phone's own setting)`, `UTC+08:00 (as written in the file)`. */
export function clockLabel(c: AppliedClock): string {
  const offsets = joinAnd(c.offsets.map(offsetLabel));
  switch (c.source) {
    case 'file':
      return offsets
        ? `${offsets} (as written in the file, each time with its own offset)`
        : 'the offsets written in the file';
    case 'examiner':
      return `${c.zone ?? offsets} (given at import)`;
    case 'device':
      return `${c.zone ?? offsets} (the phone’s own setting)`;
    case 'capture':
      return `${c.zone ?? offsets} (the time zone the capture tool noted)`;
    case 'derived':
      return `${offsets || 'an offset'} (derived from the capture time: the capture names no time zone, and daylight-saving changes inside it are not known)`;
    default: {
      const never: never = c.source;
      return String(never);
    }
  }
}

/** The time zones an import applied, each with the files it applied to. */
export interface ZoneUse {
  label: string;
  files: string[];
}

/**
 * The clocks the stored files of an import were placed with, grouped by their wording; a stored
 * file that names none is grouped under "not recorded" so that no file goes unaccounted for.
 */
export function zonesApplied(outcomes: readonly ImportOutcome[]): ZoneUse[] {
  const uses = new Map<string, string[]>();
  for (const o of outcomes) {
    if (o.status !== 'imported') continue;
    const label = o.timeZone ? clockLabel(o.timeZone) : 'not recorded by this import';
    const name = isBackupOutcome(o) ? outcomeTitle(o) : baseName(o.path);
    uses.set(label, [...(uses.get(label) ?? []), name]);
  }
  return [...uses].map(([label, files]) => ({ label, files }));
}

function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

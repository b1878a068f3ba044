import type { ImportOutcome, ImportStatus } from '../../../contract/records';
import type { ImportProgress } from '../../../contract/events';
import type { ImportWarning } from '../../../contract/warnings';
import { formatCount } from '../../shared/format';
import { isTimeZoneRefusal } from '../android/android-flow';

/** The file name of a path (either separator). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Human wording of an import status. */
export function statusLabel(status: ImportStatus): string {
  switch (status) {
    case 'imported':
      return 'Imported';
    case 'already-imported':
      return 'Already imported';
    case 'refused':
      return 'Refused';
    case 'cancelled':
      return 'Cancelled';
    default: {
      const never: never = status;
      return String(never);
    }
  }
}

/** Tone used to colour a status tag. */
export function statusTone(status: ImportStatus): 'ok' | 'muted' | 'bad' | 'warn' {
  switch (status) {
    case 'imported':
      return 'ok';
    case 'already-imported':
      return 'muted';
    case 'refused':
      return 'bad';
    case 'cancelled':
      return 'warn';
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** Human wording of a progress phase. */
export function phaseLabel(phase: ImportProgress['phase']): string {
  switch (phase) {
    case 'hashing':
      return 'Hashing';
    case 'unlocking':
      return 'Unlocking';
    case 'artifacts':
      return 'Reading the backup';
    case 'reading':
      return 'Reading';
    case 'pairing':
      return 'Pairing sessions';
    case 'committing':
      return 'Committing';
    case 'findings':
      return 'Computing findings';
    case 'done':
      return 'Done';
    default: {
      const never: never = phase;
      return String(never);
    }
  }
}

/** `File 2 of 5 · Reading · 12,345 lines · 40,000 lines/s`. */
export function progressLine(p: ImportProgress): string {
  const parts = [
    `File ${p.fileIndex + 1} of ${p.fileCount}`,
    phaseLabel(p.phase),
    `${formatCount(p.lines)} lines`,
  ];
  if (p.linesPerSecond > 0) parts.push(`${formatCount(Math.round(p.linesPerSecond))} lines/s`);
  return parts.join(' · ');
}

/** Progress clamped to 0..100 for the bar. */
export function clampPercent(percent: number): number {
  if (!Number.isFinite(percent)) return 0;
  return Math.max(0, Math.min(100, percent));
}

/** Totals across outcomes, for the summary heading. Backup notes are counted apart from warnings. */
export function totals(
  outcomes: readonly ImportOutcome[],
): Record<ImportStatus, number> & { warnings: number; notes: number; sessions: number } {
  const t = {
    imported: 0,
    'already-imported': 0,
    refused: 0,
    cancelled: 0,
    warnings: 0,
    notes: 0,
    sessions: 0,
  };
  for (const o of outcomes) {
    t[o.status] += 1;
    const { notes, warnings } = splitWarnings(o.warnings);
    t.warnings += warnings.length;
    t.notes += notes.length;
    t.sessions += o.counts.sessions;
  }
  return t;
}

const IMPORTER_NAMES: Record<string, string> = {
  'ios-app-privacy-report': 'App Privacy Report',
  'ios-backup': "The phone's identity and apps",
  'ios-backup-tcc': 'Permissions (TCC.db)',
  'ios-backup-data-usage': 'Network usage per app (DataUsage.sqlite)',
  'ios-backup-location-clients': 'Location authorisations (clients.plist)',
  'ios-backup-osanalytics-addaily': 'Daily network baseline (addaily)',
  'ios-backup-configuration-profiles': 'Configuration profiles',
  'android-dumpsys': 'Android capture (dumpsys)',
};

/** An importer id in words (`ios-backup-tcc` → `Permissions (TCC.db)`); unknown ids as they are. */
export function importerLabel(importer: string | null): string {
  if (importer === null) return 'Format not recognised';
  return IMPORTER_NAMES[importer] ?? importer;
}

/**
 * What an outcome's file was read as, in words. An Android capture refused for its missing time
 * zone was recognised even though no importer is named.
 */
export function outcomeSourceLabel(
  o: Pick<ImportOutcome, 'importer' | 'status' | 'error'>,
): string {
  if (o.importer === null && isTimeZoneRefusal(o)) return 'Android capture without its time zone';
  return importerLabel(o.importer);
}

/** One figure of an outcome's summary card. */
export interface OutcomeStat {
  label: string;
  value: number;
  note?: string;
  /** What the label covers, when it is not plain from the label. */
  title?: string;
}

/**
 * The figures shown for an outcome: an Android file's records beside its accesses (it has no
 * network rows), an export's network rows; null for a backup part (its one figure is on its
 * source line) and for a file refused or cancelled before anything was read.
 */
export function outcomeStats(
  o: Pick<
    ImportOutcome,
    'importer' | 'status' | 'sha256' | 'counts' | 'duplicateLines' | 'alreadyStored'
  >,
): OutcomeStat[] | null {
  if (isBackupOutcome(o)) return null;
  const c = o.counts;
  if ((o.status === 'refused' || o.status === 'cancelled') && o.sha256 === null && c.lines === 0)
    return null;
  const sessions: OutcomeStat = {
    label: 'Sessions',
    value: c.sessions,
    ...(c.openSessions > 0 ? { note: `${formatCount(c.openSessions)} open` } : {}),
  };
  const middle: OutcomeStat[] =
    o.importer === 'android-dumpsys'
      ? [
          { label: 'Access records', value: c.access },
          {
            label: 'Other records',
            value: c.records,
            title: 'Refused accesses, usage events and permissions',
          },
        ]
      : [
          { label: 'Access records', value: c.access },
          { label: 'Network records', value: c.network },
        ];
  return [
    { label: 'Lines', value: c.lines },
    ...middle,
    sessions,
    { label: 'Duplicate lines', value: o.duplicateLines },
    { label: 'Already stored', value: o.alreadyStored },
  ];
}

/** True for the outcomes of a backup import (the phone itself and each artifact). */
export function isBackupOutcome(o: Pick<ImportOutcome, 'importer'>): boolean {
  return o.importer === 'ios-backup' || (o.importer?.startsWith('ios-backup-') ?? false);
}

/** The heading of an outcome: a backup part by what it is, a plain file by its name. */
export function outcomeTitle(o: Pick<ImportOutcome, 'importer' | 'path'>): string {
  return isBackupOutcome(o) ? importerLabel(o.importer) : baseName(o.path);
}

/**
 * Notes on a backup or an Android capture (`BACKUP_NOTE`, `CAPTURE_NOTE`: missing artifact or
 * section, unfinished snapshot, derived time zone) apart from real warnings.
 */
export function splitWarnings(list: readonly ImportWarning[]): {
  notes: ImportWarning[];
  warnings: ImportWarning[];
} {
  const notes: ImportWarning[] = [];
  const warnings: ImportWarning[] = [];
  for (const w of list)
    (w.code === 'BACKUP_NOTE' || w.code === 'CAPTURE_NOTE' ? notes : warnings).push(w);
  return { notes, warnings };
}

/** Splits a text area into paths: one per line, blank lines and surrounding quotes dropped. */
export function parsePathList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (
      line.length >= 2 &&
      ((line.startsWith('"') && line.endsWith('"')) || (line.startsWith("'") && line.endsWith("'")))
    ) {
      line = line.slice(1, -1);
    }
    if (line.length > 0 && !out.includes(line)) out.push(line);
  }
  return out;
}

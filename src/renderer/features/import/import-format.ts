import type { ImportOutcome, ImportStatus } from '../../../contract/records';
import type { ImportProgress } from '../../../contract/events';
import { formatCount } from '../../shared/format';

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
      return 'Unlocking the backup';
    case 'reading':
      return 'Reading';
    case 'artifacts':
      return 'Reading backup files';
    case 'pairing':
      return 'Pairing sessions';
    case 'committing':
      return 'Committing';
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

/** Totals across outcomes, for the summary heading. */
export function totals(
  outcomes: readonly ImportOutcome[],
): Record<ImportStatus, number> & { warnings: number; sessions: number } {
  const t = {
    imported: 0,
    'already-imported': 0,
    refused: 0,
    cancelled: 0,
    warnings: 0,
    sessions: 0,
  };
  for (const o of outcomes) {
    t[o.status] += 1;
    t.warnings += o.warnings.length;
    t.sessions += o.counts.sessions;
  }
  return t;
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

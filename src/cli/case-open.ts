import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { schemaVersion, upgradePlan } from '../core/db/open';
import { MIGRATIONS } from '../core/db/migrations';
import { AppError } from '../core/model/errors';
import { CaseSession } from '../core/services/case-service';
import type { Filter } from '../contract/filter';
import { validateFilter, type ParsedFilter } from './args';

const LATEST_SCHEMA = Math.max(0, ...MIGRATIONS.map((m) => m.version));

/** Where the notice of an upgrade goes: a line on stderr, as the command's other messages. */
export type UpgradeNotice = (line: string) => void;

const stderrNotice: UpgradeNotice = (line) => {
  process.stderr.write(`snoopscope: ${line}\n`);
};

/** The one-line notice printed before a case is upgraded, which may take minutes on a large case. */
export function upgradeNoticeText(steps: number): string {
  return `Upgrading the case file for this version of Snoopscope (${steps} ${steps === 1 ? 'step' : 'steps'}); this runs once.`;
}

/** Steps an upgrade of the open case would run: 0 when it is up to date (or newer: refused later). */
function pendingSteps(session: CaseSession): number {
  if (schemaVersion(session.db) > LATEST_SCHEMA) return 0;
  return upgradePlan(session.db).steps;
}

/**
 * Opens an existing case for writing, first saying on stderr when its upgrade is about to run
 * (read on a read-only connection: cheap).
 */
function openUpgrading(full: string, notice: UpgradeNotice): CaseSession {
  let steps = 0;
  try {
    const probe = CaseSession.open(full, { readonly: true });
    try {
      steps = pendingSteps(probe);
    } finally {
      probe.close();
    }
  } catch {
    // The writable open below says what is wrong with the file.
  }
  if (steps > 0) notice(upgradeNoticeText(steps));
  return CaseSession.open(full);
}

/**
 * Opens an existing case for a query command: read-only, unless it needs an upgrade (its schema
 * is older than this version knows, or the summary tables of an interrupted upgrade are still to
 * be rebuilt), in which case it is opened for writing once so the upgrade runs. Never creates a case.
 */
export function openCaseForQuery(path: string, notice: UpgradeNotice = stderrNotice): CaseSession {
  const full = resolve(path);
  if (!existsSync(full)) {
    throw new AppError(
      'NOT_FOUND',
      `No case file at ${full}. Query commands never create a case; create one with \`snoopscope import ${path} <file> --device <label>\`.`,
    );
  }
  const session = CaseSession.open(full, { readonly: true });
  let steps: number;
  try {
    steps = pendingSteps(session);
  } catch (e) {
    session.close();
    throw e;
  }
  if (steps === 0) return session;
  session.close();
  notice(upgradeNoticeText(steps));
  return CaseSession.open(full);
}

/** Opens an existing case for writing (an export or an annotation is recorded in its audit log). */
export function openCaseForWrite(path: string, notice: UpgradeNotice = stderrNotice): CaseSession {
  const full = resolve(path);
  if (!existsSync(full)) throw new AppError('NOT_FOUND', `No case file at ${full}.`);
  return openUpgrading(full, notice);
}

/** Opens the case for writing, creating it when the file does not exist (or is empty). */
export function openOrCreateCase(
  path: string,
  notice: UpgradeNotice = stderrNotice,
): { session: CaseSession; created: boolean } {
  const full = resolve(path);
  const present = existsSync(full) && !(statSync(full).isFile() && statSync(full).size === 0);
  if (present) return { session: openUpgrading(full, notice), created: false };
  try {
    return { session: CaseSession.create(full), created: true };
  } catch (e) {
    // Another process created the case a moment ago: use it.
    if (e instanceof AppError && e.code === 'CONFLICT' && existsSync(full))
      return { session: CaseSession.open(full), created: false };
    throw e;
  }
}

/** Maps device labels to the case's device ids; an unknown label is an error naming the known ones. */
export function resolveDeviceLabels(session: CaseSession, labels: string[]): number[] {
  const ids: number[] = [];
  for (const label of labels) {
    const device = session.deviceByLabel(label);
    if (!device) {
      const known = session.devices().map((d) => `"${d.label}"`);
      throw new AppError(
        'NOT_FOUND',
        `No device labelled "${label}" in this case. ${known.length > 0 ? `Devices: ${known.join(', ')}.` : 'The case has no devices yet.'}`,
      );
    }
    if (!ids.includes(device.id)) ids.push(device.id);
  }
  return ids;
}

/** The command line's filter with its device labels resolved against the case, validated. */
export function caseFilter(session: CaseSession, parsed: ParsedFilter): Filter {
  return validateFilter({
    ...parsed.filter,
    ...(parsed.deviceLabels.length > 0
      ? { devices: resolveDeviceLabels(session, parsed.deviceLabels) }
      : {}),
  });
}

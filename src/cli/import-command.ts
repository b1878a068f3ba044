import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { maskIdentifier } from '../contract/mask';
import type { ImportOutcome } from '../contract/records';
import { appPrivacyReportManifest } from '../core/importers/app-privacy-report';
import { importBackupDevice } from '../core/importers/ios-backup/device-import';
import { importAndroid } from '../core/importers/android/import';
import { isAndroidInput } from '../core/importers/android/detect';
import { isBackupFolder, readBackupInfo } from '../core/importers/ios-backup/discover';
import { backupOutcomes, failedBackupOutcome } from '../core/services/backup-import-service';
import type { CaseSession } from '../core/services/case-service';
import { importFile, unreadOutcome, type ImportFileProgress } from '../core/services/import-run';
import { parseCommandArgs, takeCasePath, UsageError } from './args';
import { openOrCreateCase } from './case-open';
import { withCancelSignal } from './cancel';
import { say, type CommandContext } from './context';

export const IMPORT_OPTIONS = {
  device: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  timezone: { type: 'string' },
  'password-env': { type: 'string' },
} as const;

/** Warnings listed per file in the human summary; all are stored in the case. */
const WARNINGS_SHOWN = 10;
const PROGRESS_EVERY_MS = 100;

/** The outcome with exactly the fields of the public `importOutcomeSchema`, in its order. */
export function outcomeRecord(o: ImportOutcome): ImportOutcome {
  return {
    path: o.path,
    sha256: o.sha256,
    importer: o.importer,
    status: o.status,
    counts: {
      lines: o.counts.lines,
      access: o.counts.access,
      network: o.counts.network,
      sessions: o.counts.sessions,
      openSessions: o.counts.openSessions,
      records: o.counts.records,
    },
    duplicateLines: o.duplicateLines,
    alreadyStored: o.alreadyStored,
    warnings: o.warnings.map((w) => ({
      line: w.line,
      locator: w.locator,
      code: w.code,
      message: w.message,
    })),
    error: o.error,
    sourceId: o.sourceId,
    deviceId: o.deviceId,
    locator: o.locator,
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One progress line on a terminal, redrawn in place. */
class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(private readonly ctx: CommandContext) {}

  update(text: string, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    this.shown = true;
    this.ctx.stderr.write(`\r\x1b[K${text}`);
  }

  clear(): void {
    if (this.shown) this.ctx.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

function describeProgress(
  index: number,
  count: number,
  path: string,
  p: ImportFileProgress,
): string {
  const percent =
    p.totalBytes > 0 ? Math.min(100, Math.floor((100 * p.bytes) / p.totalBytes)) : 100;
  return `[${index + 1}/${count}] ${basename(path)}  ${p.phase}  ${percent}%  ${p.lines.toLocaleString('en-US')} lines`;
}

/** An iPhone backup folder, an Android capture (folder, zip or dumpsys file), or an export file. */
async function classifyPath(path: string): Promise<'backup' | 'android' | 'file'> {
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    return 'file';
  }
  if (folder && (await isBackupFolder(path))) return 'backup';
  if (await isAndroidInput(path)) return 'android';
  return folder ? 'backup' : 'file';
}

/** Imports an Android capture: one outcome per evidence file, or one refusal. */
async function importCapture(
  session: CaseSession,
  path: string,
  options: { label?: string; timeZone?: string },
  ctx: CommandContext,
  signal: AbortSignal,
): Promise<ImportOutcome[]> {
  const full = resolve(path);
  const progress = ctx.stderrIsTTY ? new ProgressLine(ctx) : null;
  try {
    const r = await importAndroid(session, full, {
      ...options,
      signal,
      onProgress: progress
        ? (p) => progress.update(`${p.phase} ${p.detail ?? ''}`, true)
        : undefined,
    });
    progress?.clear();
    const d = r.device;
    say(
      ctx,
      `Android capture → device "${d.label}": ${d.model ?? 'unknown model'}, Android ${d.osVersion ?? '?'}, ` +
        `time zone ${d.timeZone ?? 'a fixed offset'}; ${r.added.access} accesses, ${r.added.reject} rejects, ` +
        `${r.added.usage} usage events, ${r.added.permission} permissions added`,
    );
    return r.outcomes;
  } catch (e) {
    progress?.clear();
    return [failedBackupOutcome(full, e)];
  }
}

/**
 * Imports a backup folder: its phone, apps and every artifact. An encrypted backup's password
 * comes from --password-env, else from a prompt on the terminal. A refusal becomes one outcome.
 */
async function importBackupFolder(
  session: CaseSession,
  folder: string,
  options: { label?: string; timeZone?: string; password?: string },
  ctx: CommandContext,
  signal: AbortSignal,
): Promise<ImportOutcome[]> {
  const path = resolve(folder);
  let password = options.password;
  if (password === undefined && (await readBackupInfo(path)).encrypted === true) {
    if (!ctx.promptPassword) {
      return [
        unreadOutcome(
          path,
          null,
          'refused',
          'The backup is encrypted: pass its password with --password-env VAR (no terminal to ask on).',
        ),
      ];
    }
    password =
      (await ctx.promptPassword(`Password of the encrypted backup ${path}: `)) ?? undefined;
    if (password === undefined || password === '')
      return [unreadOutcome(path, null, 'cancelled', 'No password given; nothing was imported.')];
  }
  const progress = ctx.stderrIsTTY ? new ProgressLine(ctx) : null;
  try {
    const r = await importBackupDevice(session, path, {
      ...options,
      password,
      signal,
      onProgress: progress
        ? (f) => progress.update(`unlocking the backup keys  ${Math.floor(f * 100)}%`, f >= 1)
        : undefined,
      onArtifact: progress
        ? (name, i, n) => progress.update(`[${i + 1}/${n}] reading ${name}`, true)
        : undefined,
    });
    progress?.clear();
    const d = r.device;
    say(
      ctx,
      `backup of ${maskIdentifier(d.identifiers.udid)} → device "${d.label}": ${d.model ?? 'unknown model'}, ` +
        `iOS ${d.osVersion ?? '?'}, time zone ${r.timeZone ?? 'unknown'}, ${r.apps} apps (${r.namedApps} named), ` +
        `${plural(r.artifacts.length, 'artifact')} read`,
    );
    return backupOutcomes(path, r);
  } catch (e) {
    progress?.clear();
    return [failedBackupOutcome(path, e)];
  }
}

function humanOutcome(o: ImportOutcome): string {
  const name = o.locator ?? basename(o.path);
  switch (o.status) {
    case 'imported': {
      const c = o.counts;
      if (o.importer?.startsWith('ios-backup')) {
        const lines = [
          `imported: ${o.importer === 'ios-backup' ? 'the phone, its apps and notes' : name}  (${o.path})`,
          `  importer ${o.importer}, sha256 ${o.sha256 ?? '-'}, source ${o.sourceId ?? '-'}, device ${o.deviceId ?? '-'}` +
            (o.importer === 'ios-backup' ? '' : `; ${plural(c.records, 'record')}`),
          ...o.warnings.map((w) => `  note: ${w.message}`),
        ];
        return lines.join('\n') + '\n';
      }
      const lines = [
        `imported: ${name}  (${o.path})`,
        `  importer ${o.importer ?? '-'}, sha256 ${o.sha256 ?? '-'}, source ${o.sourceId ?? '-'}, device ${o.deviceId ?? '-'}`,
        `  ${plural(c.lines, 'line')}: ${plural(c.access, 'access row')}, ${plural(c.network, 'network row')}; ` +
          `${plural(c.sessions, 'session')} (${c.openSessions} open); ${plural(o.duplicateLines, 'duplicate line')}, ` +
          `${plural(o.alreadyStored, 'edge')} already stored from other exports`,
      ];
      if (o.warnings.length > 0) {
        lines.push(`  ${plural(o.warnings.length, 'warning')}:`);
        for (const w of o.warnings.slice(0, WARNINGS_SHOWN)) {
          lines.push(`    ${w.locator} ${w.code}: ${w.message}`);
        }
        if (o.warnings.length > WARNINGS_SHOWN) {
          lines.push(
            `    ... and ${o.warnings.length - WARNINGS_SHOWN} more (all are stored in the case)`,
          );
        }
      }
      return lines.join('\n') + '\n';
    }
    case 'already-imported':
      return `already imported: ${name}  (sha256 ${o.sha256 ?? '-'} is source ${o.sourceId ?? '-'} of device ${o.deviceId ?? '-'}); nothing changed\n`;
    case 'refused':
      return `refused: ${name}  (${o.path})\n  ${o.error ?? 'refused'}\n`;
    case 'cancelled':
      return `cancelled: ${name}  (${o.path})\n  ${o.error ?? 'cancelled'}\n`;
    default: {
      const never: never = o.status;
      throw new Error(`Unhandled import status ${String(never)}`);
    }
  }
}

/** `import <case> <path...> --device <label> [--json]`: imports each file as its own transaction. */
export async function runImport(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, IMPORT_OPTIONS);
  const { casePath, rest: paths } = takeCasePath('import', positionals);
  if (paths.length === 0) {
    throw new UsageError('import needs at least one file to import after the case file.');
  }
  const devices = values.device ?? [];
  if (devices.length > 1) {
    throw new UsageError('import takes one --device; import each device’s files separately.');
  }
  const label = devices[0]?.trim();
  if (label === '') throw new UsageError('--device needs a device label.');
  const kinds = await Promise.all(paths.map(classifyPath));
  const folders = paths.filter((_, i) => kinds[i] === 'backup');
  const captures = paths.filter((_, i) => kinds[i] === 'android');
  const files = paths.filter((_, i) => kinds[i] === 'file');
  if (label === undefined && files.length > 0 && folders.length + captures.length !== 1) {
    throw new UsageError(
      'import needs --device <label>: App Privacy Report exports do not say which device they come from. ' +
        'Name the device (it is created in the case when new), e.g. --device "Alice iPhone".',
    );
  }
  let password: string | undefined;
  if (values['password-env'] !== undefined) {
    password = process.env[values['password-env']];
    if (password === undefined) {
      throw new UsageError(
        `--password-env names ${values['password-env']}, which is not set in the environment.`,
      );
    }
  }

  const { session, created } = openOrCreateCase(casePath);
  try {
    if (created) say(ctx, `created case ${session.path}`);
    const fromBackups: ImportOutcome[] = [];
    // Outcomes are printed in the order the paths were given.
    const byPath = new Map<string, ImportOutcome[]>();
    let backupDeviceId: number | null = null;
    await withCancelSignal(
      ctx,
      'cancelling: the file being read is rolled back',
      async (signal) => {
        for (const folder of folders) {
          const outcomes = await importBackupFolder(
            session,
            folder,
            { label, timeZone: values.timezone, password },
            ctx,
            signal,
          );
          fromBackups.push(...outcomes);
          byPath.set(folder, outcomes);
          const phone = outcomes[0];
          if (phone?.status === 'imported' && phone.importer === 'ios-backup')
            backupDeviceId = phone.deviceId;
        }
        for (const capture of captures) {
          const outcomes = await importCapture(
            session,
            capture,
            { label, timeZone: values.timezone },
            ctx,
            signal,
          );
          fromBackups.push(...outcomes);
          byPath.set(capture, outcomes);
          const first = outcomes.find((o) => o.status !== 'refused' && o.deviceId !== null);
          if (first) backupDeviceId = first.deviceId;
        }
      },
    );
    if (files.length === 0) {
      if (values.json)
        await ctx.out.write(JSON.stringify(fromBackups.map(outcomeRecord), null, 2) + '\n');
      else for (const o of fromBackups) await ctx.out.write(humanOutcome(o));
      if (fromBackups.some((o) => o.status === 'cancelled')) return 130;
      return fromBackups.some((o) => o.status === 'refused') ? 1 : 0;
    }
    let device = label !== undefined ? session.deviceByLabel(label) : null;
    if (!device && backupDeviceId !== null) device = session.device(backupDeviceId);
    if (!device) {
      device = session.createDevice({ label: label!, platform: appPrivacyReportManifest.platform });
      say(ctx, `created device "${device.label}" (${device.platform})`);
    }
    const deviceId = device.id;
    const progress = ctx.stderrIsTTY ? new ProgressLine(ctx) : null;
    const fileOutcomes = await withCancelSignal(
      ctx,
      'cancelling: the file being read is rolled back',
      async (signal) => {
        const done: ImportOutcome[] = [];
        for (const [index, path] of files.entries()) {
          if (signal.aborted) {
            done.push(
              unreadOutcome(
                path,
                deviceId,
                'cancelled',
                'The import was cancelled before this file was read.',
              ),
            );
            continue;
          }
          let phase: ImportFileProgress['phase'] | null = null;
          try {
            done.push(
              await importFile({
                db: session.db,
                path,
                deviceId,
                isCancelled: () => signal.aborted,
                onProgress: progress
                  ? (p) => {
                      progress.update(
                        describeProgress(index, files.length, path, p),
                        p.phase !== phase,
                      );
                      phase = p.phase;
                    }
                  : undefined,
              }),
            );
          } finally {
            progress?.clear();
          }
        }
        return done;
      },
    );
    files.forEach((f, i) => byPath.set(f, fileOutcomes[i] ? [fileOutcomes[i]] : []));
    const outcomes = paths.flatMap((p) => byPath.get(p) ?? []);

    if (values.json) {
      await ctx.out.write(JSON.stringify(outcomes.map(outcomeRecord), null, 2) + '\n');
    } else {
      for (const o of outcomes) await ctx.out.write(humanOutcome(o));
      const count = (s: ImportOutcome['status']): number =>
        outcomes.filter((o) => o.status === s).length;
      await ctx.out.write(
        `${plural(outcomes.length, 'file')}: ${count('imported')} imported, ` +
          `${count('already-imported')} already imported, ${count('refused')} refused, ${count('cancelled')} cancelled` +
          ` (device "${device.label}", case ${session.path})\n`,
      );
    }
    if (outcomes.some((o) => o.status === 'cancelled')) {
      say(
        ctx,
        'import cancelled: files imported before the cancel are kept; the file being read was rolled back.',
      );
      return 130;
    }
    const refused = outcomes.filter((o) => o.status === 'refused').length;
    if (refused > 0) {
      say(
        ctx,
        `${refused} of ${plural(outcomes.length, 'file')} ${refused === 1 ? 'was' : 'were'} refused; the others were kept.`,
      );
      return 1;
    }
    return 0;
  } finally {
    session.close();
  }
}

import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { maskIdentifier } from '../contract/mask';
import type { ImportOutcome } from '../contract/records';
import { appPrivacyReportManifest } from '../core/importers/app-privacy-report';
import { readBackupInfo } from '../core/importers/ios-backup/discover';
import { detect } from '../core/importers/registry';
import { afterPendingSignals } from '../core/services/event-turns';
import { probePath } from '../core/services/import-pipeline';
import type { ImportWorkerClient } from '../core/services/worker-call';
import { backupOutcomes, failedBackupOutcome } from '../core/services/backup-import-service';
import { AppError } from '../core/model/errors';
import { CaseSession, type PendingCase } from '../core/services/case-service';
import {
  describeFsError,
  failedOutcome,
  unreadOutcome,
  type ImportFileProgress,
} from '../core/services/import-run';
import { parseCommandArgs, takeCasePath, UsageError } from './args';
import { openCaseForWrite, openOrCreateCase } from './case-open';
import { withCancelSignal } from './cancel';
import { say, type CommandContext } from './context';
import { importAndroidWith, importWorkerFor } from './import-worker-url';

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
    ...(o.timeZone ? { timeZone: o.timeZone } : {}),
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
  // The registry decides what a path is; backups and Android captures get their phone's summary
  // printed, everything else (reports, folders of them, PowerLogs, sysdiagnoses) goes straight
  // to the pipeline, which also words every refusal.
  const probed = await probePath(resolve(path));
  if ('error' in probed) return 'file';
  const id = detect(probed.probe).chosen?.manifest.id ?? null;
  if (id === 'ios-backup') return 'backup';
  if (id !== null && id.startsWith('android-')) return 'android';
  return 'file';
}

/** Prints an unexpected error's stack on stderr when SNOOPSCOPE_DEBUG asks for it. */
export function debugStack(ctx: CommandContext, e: unknown): void {
  if (!process.env.SNOOPSCOPE_DEBUG) return;
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  ctx.stderr.write(`snoopscope: debug: ${stack}\n`);
}

/** Runs one path's import; an unexpected error becomes that path's refusal, never the command's. */
async function guarded(
  ctx: CommandContext,
  path: string,
  deviceId: number | null,
  run: () => Promise<ImportOutcome[]>,
): Promise<ImportOutcome[]> {
  try {
    return await run();
  } catch (e) {
    debugStack(ctx, e);
    return [failedOutcome(resolve(path), deviceId, e)];
  }
}

/** Imports an Android capture: one outcome per evidence file, or one refusal. */
async function importCapture(
  session: CaseSession,
  worker: ImportWorkerClient,
  path: string,
  options: { label?: string; timeZone?: string },
  ctx: CommandContext,
  signal: AbortSignal,
): Promise<ImportOutcome[]> {
  const full = resolve(path);
  const progress = ctx.stderrIsTTY ? new ProgressLine(ctx) : null;
  try {
    const r = await importAndroidWith(worker, session, full, {
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
  worker: ImportWorkerClient,
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
    const r = await worker.run(
      { fn: 'importBackup', path, ...options, password },
      {
        signal,
        onStep: (s) => {
          if (s.kind === 'unlock')
            progress?.update(
              `unlocking the backup keys  ${Math.floor(s.fraction * 100)}%`,
              s.fraction >= 1,
            );
          else if (s.kind === 'artifact')
            progress?.update(`[${s.index + 1}/${s.count}] reading ${s.name}`, true);
        },
      },
    );
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

interface ImportRequest {
  paths: string[];
  label: string | undefined;
  timeZone: string | undefined;
  password: string | undefined;
  json: boolean;
}

/** What one run of the paths into one case gave. */
interface ImportRun {
  outcomes: ImportOutcome[];
  /** The device of the exports, when there is one; created only with the first file stored. */
  device: { label: string; created: boolean } | null;
}

type PathKind = 'backup' | 'android' | 'file' | { error: unknown };

/**
 * Imports every path into an open case, in the order given, one transaction per file. Never
 * throws for a path: a path that cannot be read or fails is refused with its reason, the others
 * still import. After a cancel, the file being read is rolled back and the rest are not read.
 */
async function importPaths(
  session: CaseSession,
  worker: ImportWorkerClient,
  req: ImportRequest,
  ctx: CommandContext,
  signal: AbortSignal,
): Promise<ImportRun> {
  const { paths, label } = req;
  const kinds: PathKind[] = [];
  for (const p of paths) {
    try {
      kinds.push(await classifyPath(p));
    } catch (e) {
      kinds.push({ error: e });
    }
  }
  const byPath = new Map<number, ImportOutcome[]>();
  const notRead = (path: string, deviceId: number | null): ImportOutcome =>
    unreadOutcome(
      resolve(path),
      deviceId,
      'cancelled',
      'The import was cancelled before this file was read.',
    );
  let backupDeviceId: number | null = null;
  for (const [i, path] of paths.entries()) {
    const kind = kinds[i]!;
    if (typeof kind === 'object') {
      byPath.set(i, [
        unreadOutcome(
          resolve(path),
          null,
          'refused',
          `Cannot read ${resolve(path)}: ${describeFsError(kind.error)}.`,
        ),
      ]);
      continue;
    }
    if (kind === 'file') continue;
    if (signal.aborted) {
      byPath.set(i, [notRead(path, null)]);
      continue;
    }
    const outcomes = await guarded(ctx, path, null, () =>
      kind === 'backup'
        ? importBackupFolder(
            worker,
            path,
            { label, timeZone: req.timeZone, password: req.password },
            ctx,
            signal,
          )
        : importCapture(session, worker, path, { label, timeZone: req.timeZone }, ctx, signal),
    );
    byPath.set(i, outcomes);
    const first =
      kind === 'backup'
        ? outcomes.find((o) => o.status === 'imported' && o.importer === 'ios-backup')
        : outcomes.find((o) => o.status !== 'refused' && o.deviceId !== null);
    if (first && first.deviceId !== null) backupDeviceId = first.deviceId;
  }

  const files = paths.flatMap((p, i) => (kinds[i] === 'file' ? [{ p, i }] : []));
  let device: ImportRun['device'] = null;
  if (files.length > 0) {
    let existing = label !== undefined ? session.deviceByLabel(label) : null;
    if (!existing && backupDeviceId !== null) existing = session.device(backupDeviceId);
    // A new device is created inside the first stored file's transaction: a refused file leaves none.
    let deviceId: number | { label: string; platform: typeof appPrivacyReportManifest.platform } =
      existing?.id ?? { label: label!, platform: appPrivacyReportManifest.platform };
    let created = false;
    const progress = ctx.stderrIsTTY ? new ProgressLine(ctx) : null;
    for (const [index, { p: path, i }] of files.entries()) {
      const known = typeof deviceId === 'number' ? deviceId : null;
      if (signal.aborted) {
        byPath.set(i, [notRead(path, known)]);
        continue;
      }
      let phase: ImportFileProgress['phase'] | null = null;
      const outcomes = await guarded(ctx, path, known, async () => {
        const r = await worker.run(
          { fn: 'importPath', path, device: deviceId, timeZone: req.timeZone },
          {
            signal,
            onStep: (s) => {
              if (!progress || s.kind !== 'pipeline') return;
              const at = s.progress.phase;
              if (at === 'unlocking') return;
              progress.update(
                describeProgress(index, files.length, path, { ...s.progress, phase: at }),
                at !== phase,
              );
              phase = at;
            },
          },
        );
        return r.outcomes;
      });
      progress?.clear();
      byPath.set(i, outcomes);
      if (typeof deviceId !== 'number') {
        const now = session.deviceByLabel(deviceId.label);
        if (now) {
          deviceId = now.id;
          created = true;
        }
      }
    }
    const stored = existing ?? (label !== undefined ? session.deviceByLabel(label) : null);
    if (stored) device = { label: stored.label, created };
    else if (label !== undefined) device = { label, created: false };
  }
  return { outcomes: paths.flatMap((_, i) => byPath.get(i) ?? []), device };
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
  if (label === undefined) {
    // Only the count matters here: a path that cannot be classified is refused later with its reason.
    const kinds = await Promise.all(paths.map((p) => classifyPath(p).catch(() => 'file' as const)));
    const files = kinds.filter((k) => k === 'file').length;
    if (files > 0 && kinds.length - files !== 1) {
      throw new UsageError(
        'import needs --device <label>: App Privacy Report exports do not say which device they come from. ' +
          'Name the device (it is created in the case when new), e.g. --device "Alice iPhone".',
      );
    }
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
  const req: ImportRequest = {
    paths,
    label,
    timeZone: values.timezone,
    password,
    json: values.json === true,
  };

  return withCancelSignal(ctx, 'cancelling: the file being read is rolled back', async (signal) => {
    const opened = openCaseForImport(casePath);
    let session = opened.session;
    let run: ImportRun;
    const worker = importWorkerFor(session, ctx);
    try {
      run = await importPaths(session, worker, req, ctx, signal);
      await keepFindingsCurrent(worker, run, signal);
    } catch (e) {
      if (opened.pending) opened.pending.discard();
      else session.close();
      throw e;
    } finally {
      await worker.close();
    }
    let caseNote: string | null = null;
    if (!opened.pending) {
      session.close();
    } else if (!run.outcomes.some((o) => o.status === 'imported')) {
      opened.pending.discard();
      caseNote = `no case file was created at ${session.path}: nothing was imported.`;
    } else {
      try {
        opened.pending.publish();
        say(ctx, `created case ${session.path}`);
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'CONFLICT')) throw e;
        // Another process created the case meanwhile: import into that one instead.
        say(ctx, `${session.path} was created by another program meanwhile; importing into it.`);
        session = CaseSession.open(session.path);
        const again = importWorkerFor(session, ctx);
        try {
          run = await importPaths(session, again, req, ctx, signal);
          await keepFindingsCurrent(again, run, signal);
        } finally {
          await again.close();
          session.close();
        }
      }
    }
    if (run.device?.created) say(ctx, `created device "${run.device.label}"`);
    // A Ctrl-C pressed during the last synchronous steps is handled before the exit code is chosen.
    await afterPendingSignals();
    return report(ctx, req, run, session.path, signal, caseNote);
  });
}

/**
 * Computes the stored findings and the latest network snapshots of the devices the import
 * changed, in the import worker, so `findings` and the app read them. When that fails (another
 * program writing), they are computed when next asked for.
 */
async function keepFindingsCurrent(
  worker: ImportWorkerClient,
  run: ImportRun,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted || !run.outcomes.some((o) => o.status === 'imported')) return;
  await worker.run({ fn: 'refreshDerived' }).catch(() => undefined);
}

/** Opens the case, or prepares a new one that appears only once something is stored in it. */
function openCaseForImport(casePath: string): {
  session: CaseSession;
  pending: PendingCase | null;
} {
  const full = resolve(casePath);
  const present = existsSync(full) && !(statSync(full).isFile() && statSync(full).size === 0);
  if (present) return { session: openCaseForWrite(full), pending: null };
  // An empty file is a placeholder someone made for the case: it becomes the case in place.
  if (existsSync(full)) return { session: openOrCreateCase(full).session, pending: null };
  const pending = CaseSession.createPending(full);
  return { session: pending.session, pending };
}

/** Prints the outcomes and returns the exit code: 130 after a cancel, 1 when a path was refused. */
async function report(
  ctx: CommandContext,
  req: ImportRequest,
  run: ImportRun,
  casePath: string,
  signal: AbortSignal,
  caseNote: string | null,
): Promise<number> {
  const { outcomes } = run;
  if (req.json) {
    await ctx.out.write(JSON.stringify(outcomes.map(outcomeRecord), null, 2) + '\n');
  } else {
    for (const o of outcomes) await ctx.out.write(humanOutcome(o));
    const count = (s: ImportOutcome['status']): number =>
      outcomes.filter((o) => o.status === s).length;
    await ctx.out.write(
      `${plural(outcomes.length, 'file')}: ${count('imported')} imported, ` +
        `${count('already-imported')} already imported, ${count('refused')} refused, ${count('cancelled')} cancelled` +
        (run.device ? ` (device "${run.device.label}", case ${casePath})` : ` (case ${casePath})`) +
        '\n',
    );
  }
  if (caseNote) say(ctx, caseNote);
  if (signal.aborted) {
    const kept = outcomes.filter((o) => o.status === 'imported' || o.status === 'already-imported');
    const dropped = outcomes.filter((o) => o.status === 'cancelled');
    const names = (list: ImportOutcome[]): string =>
      list.map((o) => o.locator ?? basename(o.path)).join(', ');
    say(
      ctx,
      'import cancelled: ' +
        (kept.length > 0 ? `kept ${names(kept)}` : 'nothing was kept') +
        (dropped.length > 0
          ? `; rolled back or not read: ${names(dropped)}.`
          : '; the cancel came after the last file was stored, so nothing was rolled back.'),
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
}

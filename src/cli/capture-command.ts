import { dirname, join, resolve } from 'node:path';
import type { Device, ImportOutcome } from '../contract/records';
import {
  adbInstallHint,
  findAdb,
  isAdbSerial,
  listAdbDevices,
  type AdbDevice,
} from '../core/acquire/adb';
import {
  captureAndroid,
  type CaptureManifest,
  type CaptureProgress,
} from '../core/acquire/adb-capture';
import {
  AndroidWatch,
  newCaptureFolder,
  type SetTimer,
  type WatchEntry,
  type WatchStatus,
} from '../core/acquire/android-watch';
import type { AndroidImportResult } from '../core/services/android-import';
import { isIanaTimeZone } from '../contract/time';
import { AppError } from '../core/model/errors';
import type { CaseSession } from '../core/services/case-service';
import { noMorePositionals, parseCommandArgs, takeCasePath, UsageError } from './args';
import { openOrCreateCase } from './case-open';
import { withCancelSignal } from './cancel';
import { say, type CommandContext } from './context';
import { outcomeRecord } from './import-command';
import { importAndroidInWorker } from './import-worker-url';

export const CAPTURE_OPTIONS = {
  adb: { type: 'boolean' },
  serial: { type: 'string' },
  device: { type: 'string' },
  timezone: { type: 'string' },
  watch: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  'adb-path': { type: 'string' },
} as const;

const MAX_WATCH_MINUTES = 24 * 60;

/** What the command takes from its surroundings besides the context; defaults to this process's. */
export interface CaptureEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** How long a cancelled adb gets to stop before it is killed. */
  killGraceMs?: number;
  /** The clock and timer of watch mode. */
  now?: () => number;
  setTimer?: SetTimer;
}

/** What one import of a capture added. */
type Added = AndroidImportResult['added'];

/** The JSON printed for a single capture. */
export interface CaptureCommandResult {
  folder: string;
  capture: CaptureManifest;
  device: { id: number; label: string } | null;
  added: Added | null;
  problems: string[];
  outcomes: ImportOutcome[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `3 access, 1 reject, 2 usage, 2 permission`. */
export function formatAdded(added: Record<string, number>): string {
  const parts = Object.entries(added).map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** An instant as ISO-8601 UTC to the second. */
function utc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function describeDevice(d: AdbDevice): string {
  const what = d.model ?? d.product;
  return `${d.serial}${what ? ` (${what})` : ''}${d.state === 'device' ? '' : ` ${d.state}`}`;
}

/** The serial of the only connected phone; null (after saying why) when there is none usable. */
async function chooseSerial(
  ctx: CommandContext,
  adbPath: string,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  const listing = await listAdbDevices(adbPath, { env });
  if (listing.problem !== null) {
    say(ctx, listing.problem);
    return null;
  }
  const [only, ...others] = listing.devices;
  if (only === undefined) {
    say(ctx, listing.hint ?? 'adb lists no Android phone.');
    return null;
  }
  if (others.length > 0) {
    throw new UsageError(
      `several Android phones are connected (${listing.devices.map(describeDevice).join(', ')}); choose one with --serial.`,
    );
  }
  if (only.problem !== null) {
    say(ctx, `${describeDevice(only)}: ${only.problem}`);
    return null;
  }
  return only.serial;
}

/** One progress line on a terminal, redrawn in place. */
class ProgressLine {
  private shown = false;
  constructor(private readonly ctx: CommandContext) {}
  update(text: string): void {
    if (!this.ctx.stderrIsTTY) return;
    this.shown = true;
    this.ctx.stderr.write(`\r\x1b[K${text}`);
  }
  clear(): void {
    if (this.shown) this.ctx.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

function describeStep(p: CaptureProgress): string {
  return `[${p.index + 1}/${p.count}] capturing ${p.step}`;
}

function captureSummary(m: CaptureManifest, folder: string): string {
  const phone = [m.model, m.manufacturer ? `(${m.manufacturer})` : null].filter(Boolean).join(' ');
  const android =
    m.androidVersion !== null || m.sdk !== null
      ? `Android ${m.androidVersion ?? '?'} (SDK ${m.sdk ?? '?'})`
      : 'Android version unknown';
  const bytes = m.commands.reduce((sum, c) => sum + c.bytes, 0);
  const clocks =
    m.deviceEpochSeconds !== null && m.hostTimeMs !== null
      ? `; phone clock ${utc(m.deviceEpochSeconds * 1000)}, this computer ${utc(m.hostTimeMs)}`
      : '';
  return (
    `captured: ${folder}\n` +
    `  phone ${m.serial}${phone ? `: ${phone}` : ''}, ${android}, time zone ${m.timeZone ?? 'unknown'}\n` +
    `  ${plural(m.commands.length, 'command')}, ${bytes.toLocaleString('en-US')} bytes${clocks}\n`
  );
}

interface Job {
  adbPath: string;
  serial: string;
  root: string;
  label: string | undefined;
  timeZone: string | undefined;
  json: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * `capture <case> --adb [--serial S] [--device L] [--timezone IANA] [--watch MIN] [--out DIR]
 * [--json] [--adb-path P]`: captures a connected Android phone over adb into a new folder under
 * `--out` (default: `captures/` beside the case) and imports it into the case. With `--watch`,
 * captures and imports every MIN minutes until Ctrl-C.
 */
export async function runCapture(
  args: string[],
  ctx: CommandContext,
  environment: CaptureEnvironment = {},
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, CAPTURE_OPTIONS);
  const { casePath, rest } = takeCasePath('capture', positionals);
  noMorePositionals('capture', rest);
  if (!values.adb) {
    throw new UsageError(
      'capture needs --adb: it captures an Android phone connected with USB debugging.',
    );
  }
  const serialFlag = values.serial?.trim();
  if (serialFlag !== undefined && !isAdbSerial(serialFlag)) {
    throw new UsageError(`--serial ${values.serial ?? ''}: not an adb serial (see adb devices).`);
  }
  const label = values.device?.trim();
  if (label === '') throw new UsageError('--device needs a device label.');
  const timeZone = values.timezone?.trim();
  if (timeZone !== undefined && !isIanaTimeZone(timeZone)) {
    throw new UsageError(
      `--timezone ${values.timezone ?? ''}: not an IANA time zone such as Europe/Lisbon.`,
    );
  }
  let minutes: number | null = null;
  if (values.watch !== undefined) {
    minutes = Number(values.watch.trim());
    if (
      values.watch.trim() === '' ||
      !Number.isFinite(minutes) ||
      minutes <= 0 ||
      minutes > MAX_WATCH_MINUTES
    ) {
      throw new UsageError(
        `--watch ${values.watch}: expected minutes between captures, above 0 and at most ${MAX_WATCH_MINUTES}.`,
      );
    }
  }
  const outFlag = values.out?.trim();
  if (outFlag === '') throw new UsageError('--out needs a folder.');
  const adbPathFlag = values['adb-path'];
  if (adbPathFlag !== undefined && adbPathFlag.trim() === '') {
    throw new UsageError('--adb-path needs the adb executable or its folder.');
  }

  const env = environment.env ?? process.env;
  const platform = environment.platform ?? process.platform;
  const adbPath = await findAdb({
    env,
    platform,
    configuredPath: adbPathFlag ?? null,
    home: environment.home,
  });
  if (adbPath === null) {
    say(
      ctx,
      adbPathFlag !== undefined
        ? `--adb-path ${adbPathFlag}: no runnable adb there.`
        : adbInstallHint(platform),
    );
    return 1;
  }
  const serial = serialFlag ?? (await chooseSerial(ctx, adbPath, env));
  if (serial === null) return 1;

  const root = resolve(outFlag ?? join(dirname(resolve(casePath)), 'captures'));
  const { session, created } = openOrCreateCase(casePath);
  try {
    if (created) say(ctx, `created case ${session.path}`);
    const job: Job = { adbPath, serial, root, label, timeZone, json: values.json ?? false, env };
    if (minutes !== null) return await watch(ctx, session, job, minutes, environment);
    return await captureOnce(ctx, session, job, environment);
  } finally {
    session.close();
  }
}

async function captureOnce(
  ctx: CommandContext,
  session: CaseSession,
  job: Job,
  environment: CaptureEnvironment,
): Promise<number> {
  const progress = new ProgressLine(ctx);
  return withCancelSignal(ctx, 'cancelling: stopping adb', async (signal) => {
    const folder = newCaptureFolder(job.root, job.serial, (environment.now ?? Date.now)());
    let manifest: CaptureManifest;
    try {
      manifest = (
        await captureAndroid({
          adbPath: job.adbPath,
          serial: job.serial,
          folder,
          env: job.env,
          signal,
          killGraceMs: environment.killGraceMs,
          onProgress: (p) => progress.update(describeStep(p)),
        })
      ).manifest;
    } catch (e) {
      progress.clear();
      if (e instanceof AppError && e.code === 'CANCELLED') {
        say(ctx, e.message);
        return 130;
      }
      throw e;
    } finally {
      progress.clear();
    }
    if (!job.json) await ctx.out.write(captureSummary(manifest, folder));

    let result: AndroidImportResult;
    try {
      result = await importAndroidInWorker(session, ctx, folder, {
        label: job.label,
        timeZone: job.timeZone,
        signal,
        onProgress: (p) =>
          progress.update(`importing  ${p.phase}  ${Math.floor(p.fraction * 100)}%`),
      });
    } catch (e) {
      progress.clear();
      const cancelled = e instanceof AppError && e.code === 'CANCELLED';
      const message = e instanceof Error ? e.message : String(e);
      if (job.json) {
        await ctx.out.write(
          JSON.stringify(
            {
              folder,
              capture: manifest,
              device: null,
              added: null,
              problems: [message],
              outcomes: [],
            } satisfies CaptureCommandResult,
            null,
            2,
          ) + '\n',
        );
      }
      say(
        ctx,
        `${cancelled ? 'import cancelled' : 'import failed'}: ${message} The capture is kept in ${folder}.`,
      );
      return cancelled ? 130 : 1;
    } finally {
      progress.clear();
    }
    const device: Device = result.device;
    if (job.json) {
      await ctx.out.write(
        JSON.stringify(
          {
            folder,
            capture: manifest,
            device: { id: device.id, label: device.label },
            added: result.added,
            problems: result.problems,
            outcomes: result.outcomes.map(outcomeRecord),
          } satisfies CaptureCommandResult,
          null,
          2,
        ) + '\n',
      );
    } else {
      await ctx.out.write(
        `imported into device "${device.label}" (id ${device.id}): ${formatAdded(result.added)}\n`,
      );
      for (const p of result.problems) say(ctx, p);
    }
    if (result.outcomes.some((o) => o.status === 'cancelled')) return 130;
    return result.outcomes.some((o) => o.status === 'refused') ? 1 : 0;
  });
}

async function watch(
  ctx: CommandContext,
  session: CaseSession,
  job: Job,
  minutes: number,
  environment: CaptureEnvironment,
): Promise<number> {
  let label = job.label;
  const progress = new ProgressLine(ctx);
  let printed: WatchEntry | null = null;
  // Status lines are written in order, each after the one before.
  let writing: Promise<void> = Promise.resolve();
  const write = (text: string): void => {
    writing = writing.then(() => ctx.out.write(text)).then(() => ctx.out.flush());
  };
  const onStatus = (s: WatchStatus): void => {
    if (s.phase === 'capturing') {
      progress.update(`capturing ${s.folder ?? ''}`);
      return;
    }
    if (s.phase === 'importing') {
      progress.update(`importing ${s.folder ?? ''}`);
      return;
    }
    progress.clear();
    const last = s.last;
    if (last !== null && last !== printed) {
      printed = last;
      if (job.json) {
        write(
          JSON.stringify({
            folder: last.folder,
            startedAt: new Date(last.startedAt).toISOString(),
            finishedAt: new Date(last.finishedAt).toISOString(),
            added: last.added,
            error: last.error,
            nextCaptureAt:
              s.nextCaptureAt === null ? null : new Date(s.nextCaptureAt).toISOString(),
          }) + '\n',
        );
      } else {
        write(
          last.error === null
            ? `${utc(last.startedAt)}  captured ${last.folder}: added ${formatAdded(last.added ?? {})}\n`
            : `${utc(last.startedAt)}  capture ended early (${last.folder}): ${last.error}\n`,
        );
      }
    }
    if (!job.json && s.phase === 'waiting' && s.nextCaptureAt !== null) {
      write(`next capture at ${utc(s.nextCaptureAt)} (Ctrl-C stops)\n`);
    }
  };
  return withCancelSignal(ctx, 'stopping the watch', async (signal) => {
    const watcher = new AndroidWatch({
      root: job.root,
      serial: job.serial,
      intervalMinutes: minutes,
      signal,
      now: environment.now,
      setTimer: environment.setTimer,
      capture: (folder, captureSignal) =>
        captureAndroid({
          adbPath: job.adbPath,
          serial: job.serial,
          folder,
          env: job.env,
          signal: captureSignal,
          killGraceMs: environment.killGraceMs,
        }),
      onCapture: async (folder, importSignal) => {
        const r = await importAndroidInWorker(session, ctx, folder, {
          label,
          timeZone: job.timeZone,
          signal: importSignal,
        });
        // Later captures go to the device the first one was bound to.
        label = r.device.label;
        return { added: r.added };
      },
      onStatus,
    });
    if (!job.json) {
      say(
        ctx,
        `watching ${job.serial}: a capture every ${minutes} min into ${job.root}; Ctrl-C stops.`,
      );
    }
    await watcher.start();
    progress.clear();
    await writing;
    const ok = watcher.history.filter((h) => h.error === null).length;
    say(ctx, `watch stopped after ${plural(watcher.history.length, 'capture')} (${ok} imported).`);
    return 130;
  });
}

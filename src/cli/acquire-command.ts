import type { ConnectedDevice } from '../contract/api';
import type { DeviceBackupProgress } from '../contract/events';
import { maskIdentifier } from '../contract/mask';
import { DeviceBackupService } from '../core/acquire/device-backup';
import {
  TOOL_NAMES,
  findTools,
  installHint,
  listConnectedDevices,
  missingTools,
  type FindToolsOptions,
  type IdeviceTools,
} from '../core/acquire/idevice-tools';
import { parseCommandArgs, UsageError } from './args';
import { withCancelSignal } from './cancel';
import { say, type CommandContext } from './context';
import { formatTable } from './output';

export const ACQUIRE_OPTIONS = {
  list: { type: 'boolean' },
  udid: { type: 'string' },
  json: { type: 'boolean' },
  unmask: { type: 'boolean' },
  'tools-dir': { type: 'string' },
} as const;

const PROGRESS_EVERY_MS = 200;

/** What the command takes from its surroundings besides the context; defaults to this process's. */
export interface AcquireEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** How long a cancelled backup gets to stop before it is killed. */
  killGraceMs?: number;
}

/** The JSON printed for a backup. */
export interface AcquireResult {
  udid: string;
  backupPath: string | null;
  status: 'done' | 'failed' | 'cancelled';
  message: string;
}

/**
 * `acquire --list [--json] [--unmask]`: the iPhones connected over USB and the state of
 * libimobiledevice's tools. `acquire <folder> [--udid UDID] [--json]`: makes a fresh backup of
 * the connected iPhone into `<folder>/<UDID>`. `--tools-dir` names the folder holding the tools
 * when they are not on PATH.
 */
export async function runAcquire(
  args: string[],
  ctx: CommandContext,
  environment: AcquireEnvironment = {},
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, ACQUIRE_OPTIONS);
  const toolsDir = values['tools-dir'];
  if (toolsDir !== undefined && toolsDir.trim() === '') {
    throw new UsageError('--tools-dir needs a folder.');
  }
  const options: FindToolsOptions = {
    env: environment.env ?? process.env,
    platform: environment.platform ?? process.platform,
    configuredDir: toolsDir ?? null,
  };
  const mask = (udid: string): string => (values.unmask ? udid : (maskIdentifier(udid) ?? udid));

  if (values.list) {
    if (positionals.length > 0 || values.udid !== undefined) {
      throw new UsageError('acquire --list takes no folder and no --udid.');
    }
    return listDevices(ctx, options, values.json ?? false, mask);
  }

  const [folder, ...rest] = positionals;
  if (folder === undefined || folder.trim() === '') {
    throw new UsageError('acquire needs a destination folder (or --list to see connected phones).');
  }
  if (rest.length > 0) {
    throw new UsageError(`acquire takes one destination folder; unexpected: ${rest.join(' ')}`);
  }
  let udid = values.udid?.trim();
  if (udid === '') throw new UsageError('--udid needs the UDID of a connected iPhone.');
  if (udid === undefined) {
    const chosen = await chooseDevice(ctx, options, mask);
    if (chosen === null) return 1;
    udid = chosen;
  }
  return backUp(ctx, options, environment, { udid, folder, json: values.json ?? false, mask });
}

async function listDevices(
  ctx: CommandContext,
  options: FindToolsOptions,
  json: boolean,
  mask: (udid: string) => string,
): Promise<number> {
  const tools = await findTools(options);
  const hint = installHint(options.platform ?? process.platform, missingTools(tools));
  const listing = await listConnectedDevices(tools, { env: options.env });
  const devices = listing.devices.map((d) => ({ ...d, udid: mask(d.udid) }));
  if (json) {
    await ctx.out.write(
      JSON.stringify({ tools, installHint: hint, problem: listing.problem, devices }, null, 2) +
        '\n',
    );
  } else {
    if (devices.length > 0) {
      await ctx.out.write(
        formatTable(
          ['Device', 'Model', 'iOS', 'UDID', 'Status'],
          devices.map((d) => [
            d.name ?? '-',
            d.model ?? d.productType ?? '-',
            d.iosVersion ?? '-',
            d.udid,
            d.problem ?? 'ready',
          ]),
        ),
      );
      await ctx.out.write('\n');
    }
    await ctx.out.write(formatTools(tools));
    if (devices.length === 0 && listing.problem === null) {
      say(ctx, 'no iPhone is connected over USB. Connect one with a cable and unlock it.');
    }
  }
  if (!json && listing.problem !== null) say(ctx, listing.problem);
  if (!json && hint !== null) say(ctx, hint);
  return listing.problem === null ? 0 : 1;
}

function formatTools(tools: IdeviceTools): string {
  const keys = Object.keys(TOOL_NAMES) as (keyof IdeviceTools)[];
  const width = Math.max(...keys.map((k) => TOOL_NAMES[k].length));
  return (
    'Tools:\n' +
    keys.map((k) => `  ${TOOL_NAMES[k].padEnd(width)}  ${tools[k] ?? 'not found'}\n`).join('')
  );
}

/** The UDID of the only connected phone; null (after saying why) when there is none usable. */
async function chooseDevice(
  ctx: CommandContext,
  options: FindToolsOptions,
  mask: (udid: string) => string,
): Promise<string | null> {
  const tools = await findTools(options);
  if (tools.ideviceId === null) {
    const hint = installHint(options.platform ?? process.platform, missingTools(tools));
    say(ctx, hint ?? 'idevice_id was not found.');
    return null;
  }
  const listing = await listConnectedDevices(tools, { env: options.env });
  if (listing.problem !== null) {
    say(ctx, listing.problem);
    return null;
  }
  const [only, ...others] = listing.devices;
  if (only === undefined) {
    say(ctx, 'no iPhone is connected over USB. Connect one with a cable, unlock it and try again.');
    return null;
  }
  if (others.length > 0) {
    const names = listing.devices.map((d) => describeDevice(d, mask)).join(', ');
    throw new UsageError(
      `several iPhones are connected (${names}); choose one with --udid (\`snoopscope acquire --list --unmask\` shows the full UDIDs).`,
    );
  }
  if (only.problem !== null) {
    say(ctx, `${describeDevice(only, mask)}: ${only.problem}`);
    return null;
  }
  return only.udid;
}

function describeDevice(d: ConnectedDevice, mask: (udid: string) => string): string {
  return d.name ? `${d.name} ${mask(d.udid)}` : mask(d.udid);
}

function describeProgress(p: DeviceBackupProgress): string {
  const percent = p.percent === null ? '' : `${p.percent}%  `;
  return `${p.phase}  ${percent}${p.message}`;
}

async function backUp(
  ctx: CommandContext,
  options: FindToolsOptions,
  environment: AcquireEnvironment,
  job: { udid: string; folder: string; json: boolean; mask: (udid: string) => string },
): Promise<number> {
  let shown = false;
  let lastShownAt = 0;
  let lastPhase: DeviceBackupProgress['phase'] | null = null;
  const clearLine = (): void => {
    if (shown) ctx.stderr.write('\r\x1b[K');
    shown = false;
  };
  let settle: (p: DeviceBackupProgress) => void = () => undefined;
  const ended = new Promise<DeviceBackupProgress>((resolve) => {
    settle = resolve;
  });
  const onProgress = (p: DeviceBackupProgress): void => {
    const phaseChanged = p.phase !== lastPhase;
    lastPhase = p.phase;
    if (p.phase === 'done' || p.phase === 'failed' || p.phase === 'cancelled') {
      clearLine();
      settle(p);
      return;
    }
    if (p.phase === 'waiting-for-passcode' && phaseChanged) {
      // Shown whether or not stderr is a terminal: nothing happens until the user acts.
      clearLine();
      say(ctx, p.message);
    }
    if (!ctx.stderrIsTTY) return;
    const now = Date.now();
    if (!phaseChanged && now - lastShownAt < PROGRESS_EVERY_MS) return;
    lastShownAt = now;
    shown = true;
    ctx.stderr.write(`\r\x1b[K${describeProgress(p)}`);
  };
  const service = new DeviceBackupService(
    (event, payload) => {
      if (event === 'onDeviceBackupProgress') onProgress(payload as DeviceBackupProgress);
    },
    { ...options, killGraceMs: environment.killGraceMs },
  );
  try {
    const end = await withCancelSignal(ctx, 'cancelling: stopping the backup', async (signal) => {
      if (signal.aborted) return null;
      const backupId = service.start(job.udid, job.folder);
      const onAbort = (): void => void service.cancel(backupId);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await ended;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
    const result: AcquireResult =
      end === null
        ? {
            udid: job.udid,
            backupPath: null,
            status: 'cancelled',
            message: 'The backup was cancelled before it started.',
          }
        : {
            udid: job.udid,
            backupPath: end.backupPath,
            status: end.phase === 'done' ? 'done' : end.phase === 'failed' ? 'failed' : 'cancelled',
            message: end.message,
          };
    if (job.json) {
      await ctx.out.write(
        JSON.stringify({ ...result, udid: job.mask(result.udid) }, null, 2) + '\n',
      );
    } else if (result.status === 'done' && result.backupPath !== null) {
      await ctx.out.write(result.backupPath + '\n');
    }
    if (result.status !== 'done') say(ctx, result.message);
    return result.status === 'done' ? 0 : result.status === 'failed' ? 1 : 130;
  } finally {
    clearLine();
    service.dispose();
  }
}

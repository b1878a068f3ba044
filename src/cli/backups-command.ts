import { homedir } from 'node:os';
import { defaultBackupRoots } from '../core/importers/ios-backup/locations';
import { listBackups } from '../core/importers/ios-backup/discover';
import { parseCommandArgs } from './args';
import { say, type CommandContext } from './context';
import { formatTable } from './output';

export const BACKUPS_OPTIONS = {
  json: { type: 'boolean' },
  unmask: { type: 'boolean' },
  'no-size': { type: 'boolean' },
} as const;

/**
 * `backups [folder...] [--json] [--unmask]`: the iPhone backups in the default locations of this
 * computer (Finder, iTunes, Microsoft Store iTunes), or in the folders given.
 */
export async function runBackups(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, BACKUPS_OPTIONS);
  const roots =
    positionals.length > 0
      ? positionals
      : defaultBackupRoots(process.platform, process.env, homedir());
  const backups = await listBackups(roots, {
    unmask: values.unmask ?? false,
    sizes: !values['no-size'],
  });
  if (values.json) {
    await ctx.out.write(JSON.stringify(backups, null, 2) + '\n');
    return 0;
  }
  if (backups.length === 0) {
    say(
      ctx,
      `no backups found in ${roots.length > 0 ? roots.join(', ') : 'the default locations (none on this system)'}.`,
    );
    return 0;
  }
  await ctx.out.write(
    formatTable(
      ['Device', 'Model', 'iOS', 'Last backup (UTC)', 'Encrypted', 'Size', 'UDID', 'Path'],
      backups.map((b) => [
        b.deviceName ?? '-',
        b.model ?? b.productType ?? '-',
        b.iosVersion ?? '-',
        b.lastBackup ?? '-',
        b.encrypted === null ? '?' : b.encrypted ? 'yes' : 'no',
        b.sizeBytes === null ? '-' : `${(b.sizeBytes / 1e6).toFixed(1)} MB`,
        b.udid ?? '-',
        b.path,
      ]),
      new Set([5]),
    ),
  );
  for (const b of backups) if (b.error) say(ctx, `${b.path}: ${b.error}`);
  return 0;
}

import { renameApp } from '../core/catalog/rename-app';
import { noMorePositionals, parseCommandArgs, takeCasePath, UsageError } from './args';
import { openCaseForWrite, resolveDeviceLabels } from './case-open';
import { say, type CommandContext } from './context';

export const NAME_APP_OPTIONS = {
  device: { type: 'string' },
  clear: { type: 'boolean' },
} as const;

const SOURCE_WORDS = {
  backup: "the device's backup",
  user: 'the examiner',
  catalog: 'the built-in catalog',
} as const;

/**
 * `name-app <case> <app-id> <name> [--device L]` (or `--clear` instead of a name): names an app
 * identifier on every device of the case that has it, or on one device, and says which name each
 * device now shows. Recorded in the audit log.
 */
export async function runNameApp(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, NAME_APP_OPTIONS);
  const { casePath, rest } = takeCasePath('name-app', positionals);
  const [identifier, name, ...more] = rest;
  if (!identifier || identifier.trim() === '') {
    throw new UsageError('name-app needs an app identifier, e.g. com.tencent.xin.');
  }
  if (values.clear && name !== undefined) {
    throw new UsageError('name-app takes a name or --clear, not both.');
  }
  if (!values.clear && (name === undefined || name.trim() === '')) {
    throw new UsageError('name-app needs a name after the identifier (or --clear to remove one).');
  }
  noMorePositionals('name-app', more);
  if (values.device !== undefined && values.device.trim() === '') {
    throw new UsageError('--device needs a device label.');
  }
  const session = openCaseForWrite(casePath);
  try {
    const deviceId =
      values.device === undefined ? undefined : resolveDeviceLabels(session, [values.device])[0];
    const named = renameApp(session.db, {
      identifier,
      name: values.clear ? null : name!,
      ...(deviceId === undefined ? {} : { deviceId }),
    });
    for (const app of named) {
      const shown = app.displayName ?? app.identifier;
      const from = app.nameSource ? ` (from ${SOURCE_WORDS[app.nameSource]})` : '';
      const kept =
        app.nameSource === 'backup' && app.userName !== null
          ? `; the backup's name stays shown, yours is kept beside it`
          : '';
      await ctx.out.write(`${app.device}\t${app.identifier}\t${shown}${from}${kept}\n`);
    }
    say(
      ctx,
      values.clear
        ? `Removed your name of ${identifier.trim()} on ${named.length} device(s).`
        : `Named ${identifier.trim()} on ${named.length} device(s).`,
    );
    return 0;
  } finally {
    session.close();
  }
}

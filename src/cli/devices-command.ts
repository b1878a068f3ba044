import { maskIdentifier } from '../contract/mask';
import type { Device } from '../contract/records';
import { formatUtc } from '../contract/time';
import { noMorePositionals, parseCommandArgs, takeCasePath } from './args';
import { openCaseForQuery } from './case-open';
import { say, type CommandContext } from './context';
import { formatTable } from './output';

export const DEVICES_OPTIONS = { json: { type: 'boolean' }, unmask: { type: 'boolean' } } as const;

/** The device with exactly the fields of the public `deviceSchema`, in its order; identifiers masked unless `unmask`. */
export function deviceRecord(d: Device, unmask = false): Device {
  const show = (v: string | null) => (unmask ? v : maskIdentifier(v));
  return {
    id: d.id,
    label: d.label,
    platform: d.platform,
    model: d.model,
    osVersion: d.osVersion,
    timeZone: d.timeZone,
    offsetMin: d.offsetMin,
    identifiers: {
      udid: show(d.identifiers.udid),
      serial: show(d.identifiers.serial),
      imei: show(d.identifiers.imei),
      phoneNumber: show(d.identifiers.phoneNumber),
    },
    sources: d.sources,
    createdAt: d.createdAt,
  };
}

/** `devices <case> [--json]`: the devices of a case with their number of imported sources. */
export async function runDevices(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, DEVICES_OPTIONS);
  const { casePath, rest } = takeCasePath('devices', positionals);
  noMorePositionals('devices', rest);
  const session = openCaseForQuery(casePath);
  try {
    const devices = session.devices().map((d) => deviceRecord(d, values.unmask ?? false));
    if (values.json) {
      await ctx.out.write(JSON.stringify(devices, null, 2) + '\n');
      return 0;
    }
    if (devices.length === 0) {
      say(ctx, 'the case has no devices yet.');
      return 0;
    }
    await ctx.out.write(
      formatTable(
        ['ID', 'Label', 'Platform', 'Model', 'OS', 'Time zone', 'Sources', 'Created (UTC)'],
        devices.map((d) => [
          String(d.id),
          d.label,
          d.platform,
          d.model ?? '-',
          d.osVersion ?? '-',
          d.timeZone ?? '-',
          String(d.sources),
          formatUtc(d.createdAt),
        ]),
        new Set([0, 6]),
      ),
    );
    return 0;
  } finally {
    session.close();
  }
}

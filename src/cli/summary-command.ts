import type { SummaryItem } from '../contract/api';
import { CATEGORY_LABELS } from '../contract/categories';
import { DEFAULT_NIGHT, type Filter } from '../contract/filter';
import type { SummaryRow } from '../contract/records';
import { formatInstant, msToSeconds } from '../contract/time';
import {
  FILTER_OPTIONS,
  noMorePositionals,
  parseCommandArgs,
  parseFilterFlags,
  parseWindowFlag,
  takeCasePath,
} from './args';
import { openCaseForQuery, caseFilter } from './case-open';
import { say, type CommandContext } from './context';
import { formatApp, formatDuration, formatTable } from './output';

export const SUMMARY_OPTIONS = {
  ...FILTER_OPTIONS,
  night: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** One summary item as the public `summaryRowSchema` row: seconds and instants in the event's own offset. */
export function summaryRecord(item: SummaryItem): SummaryRow {
  return {
    device: item.device,
    app: item.app,
    appName: item.appName,
    category: item.category,
    sessions: item.sessions,
    openSessions: item.openSessions,
    totalSeconds: item.totalMs === null ? null : msToSeconds(item.totalMs),
    longestSeconds: item.longestMs === null ? null : msToSeconds(item.longestMs),
    nightSessions: item.nightSessions,
    firstSeen: item.first ? formatInstant(item.first.ms, item.first.offsetMin) : null,
    lastSeen: item.last ? formatInstant(item.last.ms, item.last.offsetMin) : null,
  };
}

/** `summary <case> [filters] [--night HH:MM-HH:MM] [--json]`: sessions per device, app and category. */
export async function runSummary(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, SUMMARY_OPTIONS);
  const { casePath, rest } = takeCasePath('summary', positionals);
  noMorePositionals('summary', rest);
  const parsed = parseFilterFlags(values);
  const night =
    values.night === undefined ? DEFAULT_NIGHT : parseWindowFlag('--night', values.night);

  const session = openCaseForQuery(casePath);
  try {
    const filter: Filter = caseFilter(session, parsed);
    const rows = session.queries.summary(filter, night).map(summaryRecord);
    if (values.json) {
      await ctx.out.write(JSON.stringify(rows, null, 2) + '\n');
      return 0;
    }
    if (rows.length === 0) {
      say(ctx, 'no access sessions match.');
      return 0;
    }
    const table = formatTable(
      [
        'Device',
        'App',
        'Category',
        'Sessions',
        'Open',
        'Total',
        'Longest',
        'Night',
        'First seen',
        'Last seen',
      ],
      rows.map((r) => [
        r.device,
        formatApp(r.app, r.appName),
        CATEGORY_LABELS[r.category],
        String(r.sessions),
        String(r.openSessions),
        formatDuration(r.totalSeconds),
        formatDuration(r.longestSeconds),
        String(r.nightSessions),
        r.firstSeen ?? '-',
        r.lastSeen ?? '-',
      ]),
      new Set([3, 4, 5, 6, 7]),
    );
    await ctx.out.write(table);
    await ctx.out.write(
      `\nNight = sessions starting ${night.from}-${night.to} device-local time (an open session without a start counts at its end); ` +
        'this assumes the device clock and time zone matched the owner. Total and longest count closed sessions only.\n',
    );
    return 0;
  } finally {
    session.close();
  }
}

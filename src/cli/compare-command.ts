import { CATEGORY_LABELS } from '../contract/categories';
import {
  androidRetentionNote,
  changeHeading,
  columnChange,
  noSessionsNote,
  type ColumnChange,
  type CompareKind,
} from '../contract/compare-change';
import { DEFAULT_NIGHT } from '../contract/filter';
import type { CompareRow } from '../contract/records';
import { columnFacts, compare, dayOf, type CompareSpec } from '../core/services/compare';
import { setPairing } from '../core/services/compare-request';
import {
  noMorePositionals,
  parseCommandArgs,
  parseWindowFlag,
  takeCasePath,
  UsageError,
} from './args';
import { openCaseForQuery, openCaseForWrite, resolveDeviceLabels } from './case-open';
import { say, type CommandContext } from './context';
import { formatApp, formatTable } from './output';
import type { CaseSession } from '../core/services/case-service';

export const COMPARE_OPTIONS = {
  devices: { type: 'string' },
  periods: { type: 'string' },
  night: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Splits a comma list, keeping commas inside a period's label out of the question. */
function list(text: string, flag: string): string[] {
  const items = text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (items.length < 2)
    throw new UsageError(`${flag} needs two entries or more, separated by commas.`);
  return items;
}

/** `DEVICE:FROM..TO` (either date may be left out) → a column limited to those local days. */
export function parsePeriod(session: CaseSession, text: string): CompareSpec {
  const m = /^(.+):(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$/.exec(text);
  if (!m)
    throw new UsageError(
      `--periods ${text}: expected DEVICE:FROM..TO with dates as YYYY-MM-DD (either may be left out).`,
    );
  const [deviceId] = resolveDeviceLabels(session, [m[1]!.trim()]);
  const fromDay = m[2] ? dayOf(m[2]) : null;
  const toDay = m[3] ? dayOf(m[3]) : null;
  if (fromDay !== null && toDay !== null && toDay <= fromDay)
    throw new UsageError(`--periods ${text}: the period ends before it starts.`);
  return { label: text, deviceId: deviceId!, fromDay, toDay };
}

/**
 * `compare <case> --devices A,B[,C…] | --periods DEVICE:FROM..TO,… [--night HH:MM-HH:MM] [--json]`:
 * one row per app × category seen in any column, rates divided by each column's observed days.
 */
export async function runCompare(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, COMPARE_OPTIONS);
  const { casePath, rest } = takeCasePath('compare', positionals);
  noMorePositionals('compare', rest);
  if ((values.devices === undefined) === (values.periods === undefined))
    throw new UsageError('compare needs either --devices A,B or --periods DEVICE:FROM..TO,….');
  const night =
    values.night === undefined ? DEFAULT_NIGHT : parseWindowFlag('--night', values.night);
  const session = openCaseForQuery(casePath);
  try {
    const specs: CompareSpec[] =
      values.devices !== undefined
        ? list(values.devices, '--devices').map((label) => ({
            label,
            deviceId: resolveDeviceLabels(session, [label])[0]!,
            fromDay: null,
            toDay: null,
          }))
        : list(values.periods!, '--periods').map((p) => parsePeriod(session, p));
    const kind: CompareKind = values.devices !== undefined ? 'devices' : 'periods';
    const rows = compare(session.db, specs, night);
    // The change of sessions per day, as the app's matrix defines it for this kind of comparison.
    const changeOf = (r: CompareRow) =>
      columnChange(
        r.columns.map((c) => c.sessionsPerDay),
        kind,
      );
    if (values.json) {
      const withChange = rows.map((r) => {
        const c = changeOf(r);
        return {
          ...r,
          change: c && {
            kind: c.kind,
            sessionsPerDay: c.value,
            high: c.high.map((i) => specs[i]!.label),
            low: c.low.map((i) => specs[i]!.label),
          },
        };
      });
      await ctx.out.write(JSON.stringify(withChange, null, 2) + '\n');
      return 0;
    }
    const notes = columnFacts(session.db, specs).flatMap((f, i) => {
      const label = specs[i]!.label;
      if (f.sessions === 0 && kind === 'devices') return [noSessionsNote(label)];
      return f.platform === 'android' ? [androidRetentionNote(label, f.androidCaptures)] : [];
    });
    if (rows.length === 0) {
      say(ctx, 'no access sessions in these columns.');
      for (const n of notes) say(ctx, n);
      return 0;
    }
    const heading = changeHeading(kind);
    const header = ['App', 'Category'];
    for (const s of specs)
      header.push(`${s.label}: /day`, 'night of all', 'median s (closed)', 'bg share of known');
    header.push(kind === 'devices' ? 'spread /day' : 'change /day (last - first)');
    const table = formatTable(
      header,
      rows.map((r) => [
        formatApp(r.app, r.appName) +
          (r.apps.length > 1 ? ` (= ${r.apps.slice(1).join(', ')})` : ''),
        CATEGORY_LABELS[r.category],
        ...r.columns.flatMap((c) => [
          c.sessionsPerDay === null ? 'no data' : String(c.sessionsPerDay),
          `${c.nightSessions} of ${c.sessions}`,
          c.medianSeconds === null ? '-' : `${c.medianSeconds} (${c.closedSessions ?? 0})`,
          c.backgroundShare === null
            ? 'n/a'
            : `${Math.round(c.backgroundShare * 100)}% of ${c.knownStateSessions ?? 0}`,
        ]),
        formatChange(changeOf(r), specs),
      ]),
    );
    await ctx.out.write(table);
    await ctx.out.write(
      `observed days: ${rows[0]!.columns.map((c) => `${c.label} ${c.observedDays}`).join(', ')}\n`,
    );
    await ctx.out.write(`${heading.label}: ${heading.meaning}\n`);
    for (const n of notes) await ctx.out.write(`note: ${n}\n`);
    return 0;
  } finally {
    session.close();
  }
}

/** A change cell: `6 (A high, B low)` for a spread, `+2.5` for last minus first, `-` when unknown. */
function formatChange(c: ColumnChange | null, specs: readonly CompareSpec[]): string {
  if (c === null) return '-';
  if (c.kind === 'last-minus-first') return `${c.value > 0 ? '+' : ''}${c.value}`;
  if (c.high.length === 0) return '0 (all equal)';
  const names = (ix: number[]) => ix.map((i) => specs[i]!.label).join(', ');
  return `${c.value} (${names(c.high)} high, ${names(c.low)} low)`;
}

export const PAIR_OPTIONS = { remove: { type: 'boolean' } } as const;

/** `pair <case> <appA> <appB> [--remove]`: treats two app identifiers as one app when comparing. */
export async function runPair(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, PAIR_OPTIONS);
  const { casePath, rest } = takeCasePath('pair', positionals);
  const [a, b, ...more] = rest;
  if (!a || !b)
    throw new UsageError('pair needs two app identifiers, e.g. com.tencent.xin com.tencent.mm.');
  noMorePositionals('pair', more);
  const session = openCaseForWrite(casePath);
  try {
    const changed = setPairing(session.db, a, b, values.remove ?? false);
    say(
      ctx,
      values.remove
        ? changed
          ? `${a} and ${b} are no longer paired.`
          : `${a} and ${b} were not paired.`
        : changed
          ? `${a} and ${b} are paired: comparisons treat them as one app.`
          : `${a} and ${b} were already paired.`,
    );
    return 0;
  } finally {
    session.close();
  }
}

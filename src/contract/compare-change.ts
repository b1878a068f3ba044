/**
 * What "change" means in a comparison, declared once for the app, the CLI and the report.
 *
 * Devices have no order: their change is the spread, the highest column minus the lowest, with
 * the columns that are highest and lowest named; reordering the columns changes nothing. Periods
 * of one device are ordered in time: their change is the last period minus the first.
 */

/** Devices side by side, or periods (before and after). */
export type CompareKind = 'devices' | 'periods';

export interface ColumnChange {
  /** `spread` for devices (≥ 0), `last-minus-first` for periods (signed). */
  kind: 'spread' | 'last-minus-first';
  value: number;
  /** The columns holding the highest value (all of them on a tie; none when every value is equal). */
  high: number[];
  /** The columns holding the lowest value. */
  low: number[];
}

/** The kind of a comparison: as asked, else periods when any column has a date bound. */
export function compareKindOf(
  columns: readonly { from?: string | null; to?: string | null }[],
  kind?: CompareKind,
): CompareKind {
  if (kind) return kind;
  return columns.some((c) => c.from || c.to) ? 'periods' : 'devices';
}

// Values are rounded to hundredths or thousandths already; a difference keeps that precision
// instead of showing 5.800000000000001.
const tidy = (v: number): number => Math.round(v * 1e6) / 1e6;

/**
 * The change of one figure across the columns (null where a column has no value): the spread for
 * devices, over the columns with a value (at least two); last minus first for periods, which
 * needs both of those columns.
 */
export function columnChange(
  values: readonly (number | null)[],
  kind: CompareKind,
): ColumnChange | null {
  const present = values
    .map((v, i) => ({ v, i }))
    .filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v));
  if (present.length < 2) return null;
  const max = Math.max(...present.map((x) => x.v));
  const min = Math.min(...present.map((x) => x.v));
  const high = max > min ? present.filter((x) => x.v === max).map((x) => x.i) : [];
  const low = max > min ? present.filter((x) => x.v === min).map((x) => x.i) : [];
  if (kind === 'devices') return { kind: 'spread', value: tidy(max - min), high, low };
  const first = values[0];
  const last = values[values.length - 1];
  if (first === null || first === undefined || last === null || last === undefined) return null;
  if (!Number.isFinite(first) || !Number.isFinite(last)) return null;
  return { kind: 'last-minus-first', value: tidy(last - first), high, low };
}

/** The change column's heading and its meaning, in words. */
export function changeHeading(kind: CompareKind): { label: string; meaning: string } {
  return kind === 'devices'
    ? {
        label: 'Spread',
        meaning:
          'Highest column minus lowest, naming both; the same whatever the order of the columns.',
      }
    : {
        label: 'Change (last − first)',
        meaning: 'The last period minus the first: positive when the figure rose over time.',
      };
}

/**
 * Why an Android column's rates are a floor: appops keeps the last access per app, operation,
 * state and flag only (reference: android-sources.md §1.4).
 */
export function androidRetentionNote(label: string, captures: number): string {
  const taken =
    captures === 1 ? 'one capture' : captures > 1 ? `${captures} captures` : 'its captures';
  return (
    `${label} is an Android phone: appops keeps only the last access per app, operation, state ` +
    `and flag, overwriting earlier ones, so its rates count what ${taken} caught and can be far ` +
    'below how often access happened. Repeated captures build a series.'
  );
}

/** Why a device is left out of a comparison of devices by default. */
export function noSessionsNote(label: string): string {
  return (
    `${label} holds no access sessions (a backup alone records permissions and usage, not ` +
    'access): its column can only read "no data".'
  );
}

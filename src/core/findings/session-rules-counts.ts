/**
 * The rules on how often, how regularly and how long an app used a resource: `frequent-access`
 * (sessions per observed day), `regular-polling` (near-constant gaps between starts) and
 * `long-access` (closed sessions over a length).
 */
import type { Finding, Severity } from '../../contract/findings';
import { sessionWhere, whereSql } from '../services/filter-sql';
import {
  accessPhrase,
  forEachSessionGroup,
  humanDuration,
  makeFinding,
  maxSessionMs,
  plural,
  resourceName,
  times,
  type RuleContext,
  type RuleDef,
} from './common';
import type { Clauses } from './names';
import {
  allOf,
  groupOfRows,
  INTERVAL_CAVEAT,
  NO_CLAUSES,
  otherIsInfo,
  type Evidence,
  type Group,
} from './session-rule-parts';

/** The filter's devices and date range: what narrows the observed days. */
function dayFilter(ctx: RuleContext) {
  const f = ctx.filter;
  return {
    ...(f.devices ? { devices: f.devices } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
  };
}

/**
 * The observed days of each device: the distinct device-local days on which any of its sessions
 * lies, within the filter's devices and date range (other filter fields do not narrow them, so an
 * app's quiet days still count).
 */
function observedDays(ctx: RuleContext): Map<number, number> {
  const w = sessionWhere(dayFilter(ctx), maxSessionMs(ctx.db));
  const rows = ctx.db
    .prepare(
      `SELECT s.device_id AS deviceId, COUNT(DISTINCT s.local_day) AS days FROM access_sessions s ${whereSql(w)} GROUP BY s.device_id`,
    )
    .all(...w.params) as { deviceId: number; days: number }[];
  return new Map(rows.map((r) => [r.deviceId, r.days]));
}

/**
 * The observed days as {@link observedDays} counts them; without a date range, from the rollup's
 * day cells (one per device, app, category and local day that holds a session).
 */
export function observedDaysFast(ctx: RuleContext): Map<number, number> {
  const f = ctx.filter;
  if (f.from || f.to) return observedDays(ctx);
  const devices = f.devices && f.devices.length > 0 ? f.devices : null;
  const rows = ctx.db
    .prepare(
      `SELECT device_id AS deviceId, COUNT(DISTINCT bucket) AS days FROM session_rollup
       WHERE level = 1 AND sessions > 0 ${devices ? `AND device_id IN (${devices.map(() => '?').join(',')})` : ''}
       GROUP BY device_id`,
    )
    .all(...(devices ?? [])) as { deviceId: number; days: number }[];
  return new Map(rows.map((r) => [r.deviceId, r.days]));
}

/** The finding of a group of `count` sessions on `activeDays` days, or null under the threshold. */
export function frequentFinding(
  ctx: RuleContext,
  days: Map<number, number>,
  g: Group,
  count: number,
  activeDays: number,
  evidence: () => Evidence,
): Finding | null {
  const perDay = ctx.num('frequent-access.perDay');
  const observed = Math.max(1, days.get(g.deviceId) ?? 1);
  const rate = count / observed;
  if (rate <= perDay) return null;
  const severity: Severity = rate > 5 * perDay ? 'high' : rate > 2 * perDay ? 'medium' : 'low';
  const rounded = Math.round(rate * 10) / 10;
  const e = evidence();
  return makeFinding({
    rule: 'frequent-access',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count,
    title: `${g.name} ${accessPhrase(g.category)} ${times(count)} in ${plural(observed, 'observed day')} (${rounded} a day on average)`,
    caveat: frequentAccess.info.caveat,
    evidence: e.ids,
    evidenceTotal: e.total,
    details: { perDay: rounded, observedDays: observed, activeDays, threshold: perDay },
  });
}

/** `frequent-access`: more than N sessions per observed day. */
export const frequentAccess: RuleDef = {
  info: {
    id: 'frequent-access',
    title: 'Frequent access',
    description:
      "More than `perDay` sessions per observed day of the device, on average. The observed days are the distinct device-local days on which the device has any session (of any app) within the filter's devices and date range: the days its sources cover.",
    severity:
      'high: more than 5 × perDay a day; medium: more than 2 × perDay; low: otherwise; info: category "other".',
    caveat: `${INTERVAL_CAVEAT} Many short sessions can come from one user action (scrolling a picker) or from the system on the app's behalf; days without any source count as unobserved, not as quiet.`,
    params: [
      {
        name: 'perDay',
        default: 10,
        unit: 'sessions/day',
        description: 'A finding needs more than this many sessions per observed day.',
      },
    ],
  },
  run: (ctx) => frequentAccessScan(ctx),
};

function frequentAccessScan(ctx: RuleContext): Finding[] {
  const days = observedDays(ctx);
  const out: Finding[] = [];
  forEachSessionGroup(ctx, NO_CLAUSES, (rows) => {
    const activeDays = new Set(rows.map((s) => s.localDay)).size;
    const f = frequentFinding(ctx, days, groupOfRows(rows), rows.length, activeDays, () =>
      allOf(rows),
    );
    if (f) out.push(f);
  });
  return out;
}

/** Median of a non-empty sorted list. */
function median(sorted: Float64Array): number {
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/**
 * The gaps between consecutive starts (ascending) and their mean, spread and median, or null when
 * the series is not regular enough (too few starts, no time between them, or a spread over maxCv).
 */
export function pollingStats(
  ctx: RuleContext,
  starts: ArrayLike<number>,
): { mean: number; cv: number; median: number } | null {
  const minAccesses = ctx.num('regular-polling.minAccesses');
  const maxCv = ctx.num('regular-polling.maxCv');
  if (starts.length < Math.max(3, minAccesses)) return null;
  const gaps = new Float64Array(starts.length - 1);
  for (let i = 1; i < starts.length; i += 1) gaps[i - 1] = starts[i]! - starts[i - 1]!;
  let sum = 0;
  for (const g of gaps) sum += g;
  const mean = sum / gaps.length;
  if (mean <= 0) return null;
  let squares = 0;
  for (const g of gaps) squares += (g - mean) ** 2;
  const cv = Math.sqrt(squares / gaps.length) / mean;
  if (cv > maxCv) return null;
  return { mean, cv, median: median(gaps.sort()) };
}

export function pollingFinding(
  ctx: RuleContext,
  g: Group,
  count: number,
  stats: { mean: number; cv: number; median: number },
  evidence: Evidence,
): Finding {
  const minAccesses = ctx.num('regular-polling.minAccesses');
  const maxCv = ctx.num('regular-polling.maxCv');
  const { mean, cv, median: med } = stats;
  const severity: Severity =
    count >= 5 * minAccesses && cv <= maxCv / 2
      ? 'high'
      : count >= 2 * minAccesses
        ? 'medium'
        : 'low';
  return makeFinding({
    rule: 'regular-polling',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count,
    title: `${g.name} ${accessPhrase(g.category)} ${times(count)} at near-regular intervals (every ${humanDuration(med)}, spread ${Math.round(cv * 100)} %)`,
    caveat: regularPolling.info.caveat,
    evidence: evidence.ids,
    evidenceTotal: evidence.total,
    details: {
      medianGapSeconds: Math.round(med) / 1000,
      meanGapSeconds: Math.round(mean) / 1000,
      cv: Math.round(cv * 1000) / 1000,
      maxCv,
    },
  });
}

/** `regular-polling`: accesses at near-constant gaps. */
export const regularPolling: RuleDef = {
  info: {
    id: 'regular-polling',
    title: 'Regular polling',
    description:
      "At least `minAccesses` sessions whose gaps between consecutive starts are nearly constant: the coefficient of variation of the gaps (population standard deviation / mean) is at most `maxCv`. Starts are each session's first known edge; the whole filtered series of the device, app and category is measured (narrow the date range to test a period). Details give the median and mean gap and the spread.",
    severity:
      'high: at least 5 × minAccesses sessions with a spread of at most half of maxCv; medium: at least 2 × minAccesses; low: otherwise; info: category "other".',
    caveat: `${INTERVAL_CAVEAT} Regular gaps suggest a timer or a background task, but the operating system may batch or schedule the accesses itself.`,
    params: [
      {
        name: 'minAccesses',
        default: 10,
        unit: 'sessions',
        description: 'Fewest sessions the series needs.',
      },
      {
        name: 'maxCv',
        default: 0.25,
        unit: 'ratio',
        description:
          'Largest coefficient of variation of the gaps between starts (0.25 = gaps within about ±25 %).',
      },
    ],
  },
  run: (ctx) => regularPollingScan(ctx),
};

function regularPollingScan(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  forEachSessionGroup(ctx, NO_CLAUSES, (rows) => {
    const stats = pollingStats(
      ctx,
      rows.map((s) => s.anchorMs),
    );
    if (stats) out.push(pollingFinding(ctx, groupOfRows(rows), rows.length, stats, allOf(rows)));
  });
  return out;
}

function longClauses(ctx: RuleContext): Clauses {
  return {
    clauses: ['s.open = 0', 's.duration_ms > ?'],
    params: [Math.round(ctx.num('long-access.seconds') * 1000)],
  };
}

export function longFinding(
  ctx: RuleContext,
  g: Group,
  count: number,
  longest: number,
  total: number,
  evidence: Evidence,
): Finding {
  const seconds = ctx.num('long-access.seconds');
  const t = seconds * 1000;
  const severity: Severity =
    longest >= 10 * t ? 'high' : count >= 3 || longest >= 3 * t ? 'medium' : 'low';
  return makeFinding({
    rule: 'long-access',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count,
    title: `${g.name}: ${plural(count, 'interval')} of ${resourceName(g.category)} recorded as open longer than ${seconds} s (longest ${humanDuration(longest)})`,
    caveat: longAccess.info.caveat,
    evidence: evidence.ids,
    evidenceTotal: evidence.total,
    details: {
      longestSeconds: longest / 1000,
      totalSeconds: total / 1000,
      thresholdSeconds: seconds,
    },
  });
}

/** `long-access`: closed sessions longer than N seconds. */
export const longAccess: RuleDef = {
  info: {
    id: 'long-access',
    title: 'Long access',
    description:
      'Closed sessions lasting more than `seconds`. Open sessions (one edge missing) and Android accesses without a printed duration have no known length and are left out.',
    severity:
      'high: the longest lasts at least 10 × seconds; medium: 3 or more such sessions, or the longest at least 3 × seconds; low: otherwise; info: category "other".',
    caveat: `${INTERVAL_CAVEAT} A long interval can be one continuous use the owner started (a call, a recording, navigation).`,
    params: [
      {
        name: 'seconds',
        default: 60,
        unit: 's',
        description: 'A session counts when it lasts more than this.',
      },
    ],
  },
  run: (ctx) => longAccessScan(ctx),
};

function longAccessScan(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  forEachSessionGroup(ctx, longClauses(ctx), (rows) => {
    let longest = 0;
    let total = 0;
    for (const s of rows) {
      longest = Math.max(longest, s.durationMs ?? 0);
      total += s.durationMs ?? 0;
    }
    out.push(longFinding(ctx, groupOfRows(rows), rows.length, longest, total, allOf(rows)));
  });
  return out;
}

import type { Category } from '../../contract/categories';
import { minutesOfDay } from '../../contract/filter';
import type { Finding, Severity } from '../../contract/findings';
import { dayNumberToDate } from '../../contract/time';
import { appIdsSql, sessionWhere, whereSql, type SqlParam } from '../services/filter-sql';
import { sessionId } from '../services/session-ids';
import {
  accessPhrase,
  attachEvidence,
  appLabel,
  categoryOf,
  forEachSessionGroup,
  humanDuration,
  makeFinding,
  maxSessionMs,
  plural,
  resourceName,
  sessionEvidence,
  sessionSpan,
  times,
  type EvidenceRef,
  type Instant,
  type RuleContext,
  type RuleDef,
  type SessionRow,
} from './common';
import { compareText } from '../db/queries/text-order';
import { DeviceStateSweep, deviceStatesAt, hasDeviceStates } from '../db/queries/device-state';
import {
  FirstHit,
  KeptSessions,
  lockedAndOff,
  otherInFront,
  sessionPass,
  SESSION_RULES,
  type GroupTally,
  type RuleTally,
  type SessionRule,
} from './session-pass';
import { readNames, type Clauses, type Names } from './names';

const INTERVAL_CAVEAT =
  'An access interval shows that the operating system recorded the app using the resource; it does not show what was read or that anything was uploaded.';

/** Severity of any session rule for the `other` category: it names no specific resource. */
const otherIsInfo = (c: Category, s: Severity): Severity => (c === 'other' ? 'info' : s);

/** What a session finding says about its group of sessions, whichever path read them. */
interface Group {
  deviceId: number;
  device: string;
  app: string;
  appName: string | null;
  category: Category;
  name: string;
  first: Instant | null;
  last: Instant | null;
}

/** The group of sessions read by the scan path (one device × app × category, in start order). */
function groupOfRows(rows: SessionRow[]): Group {
  const s0 = rows[0]!;
  return {
    deviceId: s0.deviceId,
    device: s0.device,
    app: s0.app,
    appName: s0.appName,
    category: categoryOf(s0.category),
    name: appLabel(s0.app, s0.appName),
    ...sessionSpan(rows),
  };
}

/** The group tallied by the pass, with the span of one rule's sessions. */
function groupOfTally(deviceId: number, g: GroupTally, t: RuleTally, names: Names): Group {
  const app = names.app(g.appId);
  return {
    deviceId,
    device: names.device(deviceId),
    app: app.identifier,
    appName: app.displayName,
    category: categoryOf(g.category),
    name: appLabel(app.identifier, app.displayName),
    first: t.span.first,
    last: t.span.last,
  };
}

/** The evidence of a rule's tally: ids, or in lean mode the keys alone (see `leanEvidence`). */
function tallied(ctx: RuleContext, deviceId: number, t: RuleTally, extra: string[] = []): Evidence {
  const keys = t.evidence.sorted();
  const room = Math.max(0, ctx.evidenceLimit - keys.length);
  const more = extra.slice(0, room);
  const total = t.evidence.total + extra.length;
  if (ctx.leanEvidence)
    return {
      ids: [],
      total,
      ref: { deviceId, keys, extra: more, places: t.evidence.sortedPlaces() },
    };
  return { ids: [...keys.map((k) => sessionId(deviceId, k)), ...more], total };
}

/** The finding with its lean evidence attached, when the evidence is lean. */
const withRef = (f: Finding, e: Evidence): Finding => (e.ref ? attachEvidence(f, e.ref) : f);

/** The evidence of a finding: the ids read (at most the limit) and how many there are in all. */
interface Evidence {
  ids: string[];
  total: number;
  ref?: EvidenceRef;
}

const allOf = (rows: SessionRow[]): Evidence => ({
  ids: sessionEvidence(rows),
  total: rows.length,
});

// ---------------------------------------------------------------------------------------------

/** The night window and the clauses selecting sessions that start inside it. */
interface NightWindow {
  from: string;
  to: string;
  /** The window's end (minutes into the day). */
  end: number;
  wraps: boolean;
  where: Clauses;
}

function nightWindow(ctx: RuleContext): NightWindow {
  const from = ctx.str('night-access.from');
  const to = ctx.str('night-access.to');
  const a = minutesOfDay(from);
  const b = minutesOfDay(to);
  const wraps = a > b;
  const clauses = ["s.category <> 'other'"];
  const params: number[] = [];
  if (a < b) {
    clauses.push('s.anchor_minute >= ? AND s.anchor_minute < ?');
    params.push(a, b);
  } else if (wraps) {
    clauses.push('(s.anchor_minute >= ? OR s.anchor_minute < ?)');
    params.push(a, b);
  }
  return { from, to, end: b, wraps, where: { clauses, params } };
}

function nightFinding(
  w: NightWindow,
  g: Group,
  n: { sessions: number; nights: number; busiest: number; firstNight: number; lastNight: number },
  evidence: Evidence,
): Finding {
  const severity: Severity =
    n.nights >= 3 ? 'high' : n.nights === 2 || n.busiest >= 5 ? 'medium' : 'low';
  return makeFinding({
    rule: 'night-access',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count: n.sessions,
    title: `${g.name} ${accessPhrase(g.category)} ${times(n.sessions)} between ${w.from} and ${w.to} on ${plural(n.nights, 'night')}`,
    caveat: nightAccess.info.caveat,
    evidence: evidence.ids,
    evidenceTotal: evidence.total,
    details: {
      nights: n.nights,
      sessions: n.sessions,
      busiestNightSessions: n.busiest,
      firstNight: dayNumberToDate(n.firstNight),
      lastNight: dayNumberToDate(n.lastNight),
      window: `${w.from}-${w.to}`,
    },
  });
}

/** `night-access`: sensitive accesses starting inside the device-local quiet hours. */
export const nightAccess: RuleDef = {
  info: {
    id: 'night-access',
    title: 'Access at night',
    description:
      'Sessions of a sensitive category (every category but "other") starting inside the quiet hours, in the time of day the device recorded. Counts the sessions and the distinct nights: a night is the local date its window starts on, so with a window that wraps midnight (22:00-06:00) an access at 02:00 belongs to the previous evening. An open session counts at its one known edge.',
    severity:
      'high: on 3 or more distinct nights; medium: on 2 nights, or 5 or more sessions on one night; low: otherwise.',
    caveat: `${INTERVAL_CAVEAT} "Night" is device-local time and assumes the device clock and time zone matched the owner's; it does not show that the owner was asleep or that the screen was off.`,
    params: [
      {
        name: 'from',
        default: '00:00',
        unit: 'HH:MM',
        description: 'Start of the quiet hours, device-local (inclusive).',
      },
      {
        name: 'to',
        default: '06:00',
        unit: 'HH:MM',
        description: 'End of the quiet hours, device-local (exclusive); may wrap past midnight.',
      },
    ],
  },
  run: (ctx) => nightAccessScan(ctx),
};

/** The reference path of `night-access`: every matching session, grouped in JavaScript. */
function nightAccessScan(ctx: RuleContext): Finding[] {
  const w = nightWindow(ctx);
  const out: Finding[] = [];
  forEachSessionGroup(ctx, w.where, (rows) => {
    const perNight = new Map<number, number>();
    for (const s of rows) {
      // A window wrapping midnight belongs to the evening it starts on.
      const night = w.wraps && s.anchorMinute < w.end ? s.localDay - 1 : s.localDay;
      perNight.set(night, (perNight.get(night) ?? 0) + 1);
    }
    let busiest = 0;
    let firstNight = Infinity;
    let lastNight = -Infinity;
    for (const [night, n] of perNight) {
      busiest = Math.max(busiest, n);
      firstNight = Math.min(firstNight, night);
      lastNight = Math.max(lastNight, night);
    }
    out.push(
      nightFinding(
        w,
        groupOfRows(rows),
        { sessions: rows.length, nights: perNight.size, busiest, firstNight, lastNight },
        allOf(rows),
      ),
    );
  });
  return out;
}

// ---------------------------------------------------------------------------------------------

const BACKGROUND: Clauses = {
  clauses: [
    "((s.state_source = 'reported' AND s.state = 'background') OR ((s.state_source IS NULL OR s.state_source <> 'reported') AND s.inferred_state = 'background'))",
  ],
  params: [],
};

/** The evidence names of state bases (`powerlog+usagestats` → "PowerLog and usagestats"). */
export function basisWords(bases: ReadonlySet<string>): string {
  const names = new Set<string>();
  for (const b of bases)
    for (const part of b.split('+'))
      names.add(
        part === 'powerlog' ? 'PowerLog' : part === 'usagestats' ? 'Android usagestats' : part,
      );
  const list = [...names].sort(compareText);
  return list.length === 0 ? 'the device' : list.join(' and ');
}

/** How many background sessions rest on the app the device had in front, and on what. */
interface InFront {
  count: number;
  bases: ReadonlySet<string>;
}

function backgroundFinding(
  g: Group,
  count: number,
  reported: number,
  inFront: InFront,
  rejects: Map<string, number>,
  evidence: Evidence,
): Finding {
  const inferred = count - reported - inFront.count;
  // A record of what the device had on screen is the device's own, like a reported state.
  const recorded = reported + inFront.count;
  const severity: Severity =
    recorded >= 3 || (recorded >= 1 && (g.category === 'camera' || g.category === 'microphone'))
      ? 'high'
      : recorded >= 1
        ? 'medium'
        : 'low';
  const by = `as reported by ${basisWords(inFront.bases)}`;
  const how =
    inFront.count === 0
      ? inferred === 0
        ? 'reported by the operating system'
        : reported === 0
          ? 'inferred from usage records, not reported'
          : `${reported} reported by the operating system, ${inferred} inferred from usage records`
      : reported === 0 && inferred === 0
        ? `the app was not on screen; another app or the lock screen was, ${by}`
        : [
            ...(reported > 0 ? [`${reported} reported by the operating system`] : []),
            ...(inferred > 0 ? [`${inferred} inferred from usage records`] : []),
            `${inFront.count} with another app or the lock screen on screen, ${by}`,
          ].join(', ');
  return makeFinding({
    rule: 'background-access',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count,
    title: `${g.name} ${accessPhrase(g.category)} ${times(count)} in the background (${how})`,
    caveat: backgroundAccess.info.caveat,
    evidence: evidence.ids,
    evidenceTotal: evidence.total,
    details: {
      reported,
      inferred,
      notOnScreen: inFront.count,
      notOnScreenBasis: inFront.count > 0 ? [...inFront.bases].sort(compareText).join(', ') : null,
      backgroundRejects: rejects.get(`${g.deviceId}\n${g.app}\n${g.category}`) ?? 0,
    },
  });
}

/** `background-access`: sessions whose app state is background, reported or inferred. */
export const backgroundAccess: RuleDef = {
  info: {
    id: 'background-access',
    title: 'Access in the background',
    description:
      "Sessions whose app state is background: as the operating system reported it (Android app ops), or, where it reported none, as inferred from usage records (no foreground activity of the app within a minute). A session with no app state at all (every iOS App Privacy Report session) counts when the device's own state record at its start names another app or a system surface (the lock screen, the home screen) in front: on iOS PowerLog's ScreenState table, labelled \"as reported by PowerLog\"; an app and its extensions (an identifier under the app's, com.example.app.widget) count as one app. One finding per device, app and category with each count, named in the title and in details.reported / details.inferred / details.notOnScreen (details.notOnScreenBasis names the record); background rejects of the same app and category are counted in details.backgroundRejects.",
    severity:
      'high: 3 or more background sessions reported by the operating system or resting on the device\'s record of another app in front, or any such one of the camera or microphone; medium: at least one; low: inferred only; info: category "other".',
    caveat: `${INTERVAL_CAVEAT} A reported background state is what the operating system recorded for the app's process; an inferred one is only an inference from the absence of foreground activity in the usage records, which may be incomplete. "Another app on screen" is the app PowerLog charged the screen to (PLScreenStateAgent_EventForward_ScreenState): the accessing app was not the one on that display, but PowerLog says nothing of a second display, a picture-in-picture window or a widget.`,
    params: [],
  },
  run: (ctx) => backgroundAccessScan(ctx),
};

function backgroundAccessScan(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const rejects = backgroundRejects(ctx);
  const withStates = devicesWithStates(ctx);
  // Every session when a device has state records: one with no app state may count by them.
  const where = withStates.length > 0 ? NO_CLAUSES : BACKGROUND;
  forEachSessionGroup(ctx, where, (all) => {
    const unknown = all.filter((s) => s.state === 'unknown');
    const states =
      unknown.length > 0 && withStates.includes(all[0]!.deviceId)
        ? deviceStatesAt(
            ctx.db,
            all[0]!.deviceId,
            unknown.map((s) => s.startMs ?? Number.NaN),
          )
        : [];
    const front = new Set<SessionRow>();
    const bases = new Set<string>();
    states.forEach((st, i) => {
      if (!otherInFront(st, all[0]!.app)) return;
      front.add(unknown[i]!);
      if (st.basis !== null) bases.add(st.basis);
    });
    const rows = all.filter((s) => s.state === 'background' || front.has(s));
    if (rows.length === 0) return;
    const reported = rows.filter(
      (s) => s.state === 'background' && s.stateSource === 'reported',
    ).length;
    out.push(
      backgroundFinding(
        groupOfRows(rows),
        rows.length,
        reported,
        { count: front.size, bases },
        rejects,
        allOf(rows),
      ),
    );
  });
  return out;
}

/** The devices (within the filter's) that have any device-state record. */
function devicesWithStates(ctx: RuleContext): number[] {
  const devs = ctx.filter.devices && ctx.filter.devices.length > 0 ? ctx.filter.devices : null;
  return ctx.db
    .prepare(
      `SELECT id FROM devices d WHERE EXISTS (SELECT 1 FROM device_states s WHERE s.device_id = d.id)
         ${devs ? `AND d.id IN (${devs.map(() => '?').join(',')})` : ''} ORDER BY id`,
    )
    .pluck()
    .all(...(devs ?? [])) as number[];
}

/** Rejected background attempts per device × app × category, within the filter's devices, apps and range. */
function backgroundRejects(ctx: RuleContext): Map<string, number> {
  const f = ctx.filter;
  const clauses: string[] = ["r.state = 'background'"];
  const params: SqlParam[] = [];
  if (f.devices && f.devices.length > 0) {
    clauses.push(`r.device_id IN (${f.devices.map(() => '?').join(',')})`);
    for (const d of f.devices) params.push(d);
  }
  if (f.apps && f.apps.length > 0) {
    const apps = appIdsSql(f.apps);
    clauses.push(`r.app_id IN (${apps.sql})`);
    for (const p of apps.params) params.push(p);
  }
  const rows = ctx.db
    .prepare(
      `SELECT r.device_id AS deviceId, a.identifier AS app, r.category, COUNT(*) AS n
       FROM reject_records r JOIN apps a ON a.id = r.app_id
       WHERE ${clauses.join(' AND ')} GROUP BY r.device_id, a.identifier, r.category`,
    )
    .all(...params) as { deviceId: number; app: string; category: string; n: number }[];
  return new Map(rows.map((r) => [`${r.deviceId}\n${r.app}\n${categoryOf(r.category)}`, r.n]));
}

// ---------------------------------------------------------------------------------------------

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
function observedDaysFast(ctx: RuleContext): Map<number, number> {
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
function frequentFinding(
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

const NO_CLAUSES: Clauses = { clauses: [], params: [] };

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

// ---------------------------------------------------------------------------------------------

/** Median of a non-empty sorted list. */
function median(sorted: Float64Array): number {
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/**
 * The gaps between consecutive starts (ascending) and their mean, spread and median, or null when
 * the series is not regular enough (too few starts, no time between them, or a spread over maxCv).
 */
function pollingStats(
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

function pollingFinding(
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

// ---------------------------------------------------------------------------------------------

function longClauses(ctx: RuleContext): Clauses {
  return {
    clauses: ['s.open = 0', 's.duration_ms > ?'],
    params: [Math.round(ctx.num('long-access.seconds') * 1000)],
  };
}

function longFinding(
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

// ---------------------------------------------------------------------------------------------

interface OffInterval {
  fromMs: number;
  toMs: number;
  /** The usage record that turned the screen off. */
  recordId: number;
}

const SCREEN_TYPES = [
  'SCREEN_NON_INTERACTIVE',
  'SCREEN_INTERACTIVE',
  'DEVICE_STARTUP',
  'DEVICE_SHUTDOWN',
] as const;

/**
 * Screen-off intervals per device from usage records: from SCREEN_NON_INTERACTIVE to the next
 * SCREEN_INTERACTIVE; a device start or shutdown ends what is known, and a last interval with no
 * later record ends at the device's latest usage record. Intervals of a device never overlap.
 */
function screenOffIntervals(ctx: RuleContext): Map<number, OffInterval[]> {
  const devs = ctx.filter.devices && ctx.filter.devices.length > 0 ? ctx.filter.devices : null;
  const devClause = devs ? `device_id IN (${devs.map(() => '?').join(',')})` : '1';
  const types = SCREEN_TYPES.map(() => '?').join(',');
  // Only the screen and device records change the state; the others only move the latest time.
  const rows = ctx.db
    .prepare(
      `SELECT id, device_id AS deviceId, type, time_ms AS timeMs FROM usage_records
       WHERE ${devClause} AND type IN (${types}) ORDER BY device_id, time_ms, id`,
    )
    .iterate(...(devs ?? []), ...SCREEN_TYPES) as Iterable<{
    id: number;
    deviceId: number;
    type: string;
    timeMs: number;
  }>;
  const lastSeen = new Map(
    (
      ctx.db
        .prepare(
          `SELECT device_id AS deviceId, MAX(time_ms) AS t FROM usage_records WHERE ${devClause} GROUP BY device_id`,
        )
        .all(...(devs ?? [])) as { deviceId: number; t: number }[]
    ).map((r) => [r.deviceId, r.t]),
  );
  const out = new Map<number, OffInterval[]>();
  const open = new Map<number, { fromMs: number; recordId: number }>();
  const close = (deviceId: number, toMs: number): void => {
    const o = open.get(deviceId);
    if (!o) return;
    open.delete(deviceId);
    const list = out.get(deviceId) ?? [];
    list.push({ fromMs: o.fromMs, toMs, recordId: o.recordId });
    out.set(deviceId, list);
  };
  for (const r of rows) {
    if (r.type === 'SCREEN_NON_INTERACTIVE') {
      if (!open.has(r.deviceId)) open.set(r.deviceId, { fromMs: r.timeMs, recordId: r.id });
    } else close(r.deviceId, r.timeMs);
  }
  for (const deviceId of [...open.keys()]) close(deviceId, lastSeen.get(deviceId)!);
  return out;
}

function screenOffFinding(g: Group, count: number, intervals: number, evidence: Evidence): Finding {
  const severity: Severity =
    count >= 3 || g.category === 'camera' || g.category === 'microphone' ? 'high' : 'medium';
  return makeFinding({
    rule: 'screen-off-access',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count,
    title: `${g.name} ${accessPhrase(g.category)} ${times(count)} while the screen was off`,
    caveat: screenOffAccess.info.caveat,
    evidence: evidence.ids,
    evidenceTotal: evidence.total,
    details: { screenOffIntervals: intervals },
  });
}

/** `screen-off-access`: accesses while the screen was off, per Android usage records. */
export const screenOffAccess: RuleDef = {
  info: {
    id: 'screen-off-access',
    title: 'Access with the screen off',
    description:
      "Sessions starting while the screen was off: inside an interval from a SCREEN_NON_INTERACTIVE usage record to the next SCREEN_INTERACTIVE one of the same device (a device start or shutdown ends the interval; a last interval ends at the device's latest usage record). Only devices with usage records (Android usagestats) can have this finding; evidence lists the sessions and the usage records that turned the screen off.",
    severity:
      'high: 3 or more sessions, or any of the camera or microphone; medium: otherwise; info: category "other".',
    caveat: `${INTERVAL_CAVEAT} Usage records are kept for a limited time and may miss screen changes; a non-interactive screen can still show an always-on display or play media.`,
    params: [],
  },
  run: (ctx) => screenOffAccessScan(ctx),
};

function screenOffAccessScan(ctx: RuleContext): Finding[] {
  const intervals = screenOffIntervals(ctx);
  if (intervals.size === 0) return [];
  const out: Finding[] = [];
  const devices = [...intervals.keys()];
  forEachSessionGroup(
    ctx,
    { clauses: [`s.device_id IN (${devices.map(() => '?').join(',')})`], params: devices },
    (all) => {
      const list = intervals.get(all[0]!.deviceId) ?? [];
      const hits = new Set<number>();
      const rows = all.filter((s) => {
        const iv = list.find((o) => s.anchorMs >= o.fromMs && s.anchorMs < o.toMs);
        if (iv) hits.add(iv.recordId);
        return iv !== undefined;
      });
      if (rows.length === 0) return;
      const ids = [
        ...sessionEvidence(rows),
        ...[...hits].sort((x, y) => x - y).map((id) => `e:${id}`),
      ];
      out.push(
        screenOffFinding(groupOfRows(rows), rows.length, hits.size, { ids, total: ids.length }),
      );
    },
  );
  return out;
}

// ---------------------------------------------------------------------------------------------

const POWERLOG_LIMITS =
  "PowerLog's lock flag is SpringBoard's (PLSpringBoardAgent_EventForward_SBLock) and says the device reported itself locked, not that the owner was away or asleep; a blanked screen (PLSpringBoardAgent_EventForward_SBBlank) does not rule out an always-on display; PowerLog writes in batches, so a row can be seconds late.";

const USAGE_LIMITS =
  "Android's KEYGUARD_SHOWN says the keyguard was shown, not that the owner was away or asleep; SCREEN_NON_INTERACTIVE does not rule out an always-on display; usage events are kept for a limited time.";

/** What the state records do not prove, for the bases seen (all of them when none is named). */
function lockedLimits(bases: ReadonlySet<string>): string {
  const all = new Set([...bases].flatMap((b) => b.split('+')));
  const any = !all.has('powerlog') && !all.has('usagestats');
  const parts = ['They are what the system logged, not who held the device.'];
  if (any || all.has('powerlog')) parts.push(POWERLOG_LIMITS);
  if (any || all.has('usagestats')) parts.push(USAGE_LIMITS);
  return parts.join(' ');
}

const LOCKED_READS = `${INTERVAL_CAVEAT} An iOS App Privacy Report access can also stand for the app being told that the data changed (a change observer) rather than a read.`;

/** What the device's state records were, in words, for the bases seen. */
function lockedRecords(bases: ReadonlySet<string>): string {
  const parts: string[] = [];
  const all = new Set([...bases].flatMap((b) => b.split('+')));
  if (all.has('powerlog'))
    parts.push(
      "PowerLog's SpringBoard lock flag (PLSpringBoardAgent_EventForward_SBLock) and screen-blanked flag (PLSpringBoardAgent_EventForward_SBBlank)",
    );
  if (all.has('usagestats'))
    parts.push('Android usagestats KEYGUARD_SHOWN and SCREEN_NON_INTERACTIVE events');
  for (const b of [...all].sort(compareText))
    if (b !== 'powerlog' && b !== 'usagestats') parts.push(`${b} records`);
  return parts.length > 0 ? parts.join(' and ') : "the device's state records";
}

/** The stored rows that established the state at the first access, with their files. */
function firstRows(
  ctx: RuleContext,
  rows: readonly { sourceId: number; locator: string }[],
): string {
  const name = ctx.db.prepare('SELECT file_name FROM sources WHERE id = ?').pluck();
  return rows
    .map((r) => `${r.locator} of ${String(name.get(r.sourceId) ?? `source ${r.sourceId}`)}`)
    .join(' and ');
}

function lockedFinding(
  ctx: RuleContext,
  g: Group,
  count: number,
  bases: ReadonlySet<string>,
  first: FirstHit,
  evidence: Evidence,
): Finding {
  const severity: Severity =
    count >= 3 || g.category === 'camera' || g.category === 'microphone' ? 'high' : 'medium';
  const rows = firstRows(ctx, first.rows);
  return makeFinding({
    rule: 'access-while-locked',
    severity: otherIsInfo(g.category, severity),
    ...g,
    count,
    title: `${g.name} ${accessPhrase(g.category)} ${times(count)} while the device was locked with its screen off (as recorded by ${basisWords(bases)})`,
    caveat: `The state at each access's start comes from ${lockedRecords(bases)}; at the first access: ${rows}. ${lockedLimits(bases)} ${LOCKED_READS}`,
    evidence: evidence.ids,
    evidenceTotal: evidence.total,
    details: {
      stateBasis: [...bases].sort(compareText).join(', '),
      firstStateRows: rows,
    },
  });
}

/** `access-while-locked`: accesses while the device's own records say locked with the screen off. */
export const accessWhileLocked: RuleDef = {
  info: {
    id: 'access-while-locked',
    title: 'Access while locked',
    description:
      "Sessions starting while the device's own state records say both that the screen was off and that the device was locked (iOS: PowerLog's SpringBoard lock and screen-blanked flags; Android: usagestats KEYGUARD_SHOWN and SCREEN_NON_INTERACTIVE). The state is read at the session's start and only where a coverage window of the same record covers it; a session without a known start, or outside coverage, never counts. The caveat names the table and row (or usagestats line) that established the state at the first access, and its file; details.stateBasis names the records.",
    severity:
      'high: 3 or more sessions, or any of the camera or microphone; medium: otherwise; info: category "other".',
    caveat: `The state comes from the device's own records, named in each finding with the table and row that established it. ${lockedLimits(new Set())} ${LOCKED_READS}`,
    params: [],
  },
  run: (ctx) => accessWhileLockedScan(ctx),
};

function accessWhileLockedScan(ctx: RuleContext): Finding[] {
  const devices = devicesWithStates(ctx);
  if (devices.length === 0) return [];
  const out: Finding[] = [];
  forEachSessionGroup(
    ctx,
    { clauses: [`s.device_id IN (${devices.map(() => '?').join(',')})`], params: devices },
    (all) => {
      const states = deviceStatesAt(
        ctx.db,
        all[0]!.deviceId,
        all.map((s) => s.startMs ?? Number.NaN),
      );
      const first = new FirstHit();
      const bases = new Set<string>();
      const rows = all.filter((s, i) => {
        const st = states[i]!;
        if (!lockedAndOff(st)) return false;
        first.add(s.anchorMs, s.intervalKey, st.sources.slice(0, 2));
        if (st.basis !== null) bases.add(st.basis);
        return true;
      });
      if (rows.length === 0) return;
      out.push(lockedFinding(ctx, groupOfRows(rows), rows.length, bases, first, allOf(rows)));
    },
  );
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Whether a rule is a session rule (computed by {@link eachSessionFinding}). */
export const isSessionRule = (rule: string): rule is SessionRule =>
  (SESSION_RULES as readonly string[]).includes(rule);

/**
 * The session rules asked for, computed together: one pass over each device's sessions in start
 * order (see `sessionPass`), holding per group its figures and at most the evidence limit of ids.
 * Findings are handed to `each` one group (device × app × category) at a time, in device, app and
 * category order and in rule order within a group, as the scan path gives each rule's. Each
 * group's tallies and evidence are let go once its findings are handed over, so a caller that
 * stores them one group at a time never holds every group's evidence ids at once.
 */
export function eachSessionFinding(
  ctx: RuleContext,
  rules: readonly SessionRule[],
  each: (found: Finding[]) => void,
): void {
  const chosen = new Set(rules);
  if (chosen.size === 0) return;
  const kept = ctx.kept ?? new KeptSessions();
  const names = readNames(ctx.db);
  const all = ctx.db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  const wanted =
    ctx.filter.devices && ctx.filter.devices.length > 0 ? new Set(ctx.filter.devices) : null;
  const night = nightWindow(ctx);
  const nightStart = minutesOfDay(night.from);
  const intervals = chosen.has('screen-off-access')
    ? screenOffIntervals(ctx)
    : new Map<number, OffInterval[]>();
  const days = chosen.has('frequent-access') ? observedDaysFast(ctx) : new Map<number, number>();
  const rejects = chosen.has('background-access')
    ? backgroundRejects(ctx)
    : new Map<string, number>();
  const onlyScreen = chosen.size === 1 && chosen.has('screen-off-access');
  const onlyLocked = chosen.size === 1 && chosen.has('access-while-locked');
  for (const deviceId of all) {
    if (wanted && !wanted.has(deviceId)) continue;
    const off = intervals.get(deviceId) ?? [];
    if (onlyScreen && off.length === 0) continue;
    const withStates =
      (chosen.has('access-while-locked') || chosen.has('background-access')) &&
      hasDeviceStates(ctx.db, deviceId);
    if (onlyLocked && !withStates) continue;
    const states = withStates ? new DeviceStateSweep(ctx.db, deviceId) : null;
    let groups: (GroupTally | null)[];
    try {
      groups = sessionPass(
        ctx,
        deviceId,
        {
          rules: chosen,
          inNight: (m) =>
            nightStart < night.end
              ? m >= nightStart && m < night.end
              : nightStart > night.end
                ? m >= nightStart || m < night.end
                : true,
          nightOf: (day, m) => (night.wraps && m < night.end ? day - 1 : day),
          longerThanMs: Math.round(ctx.num('long-access.seconds') * 1000),
          offIntervals: off,
          states,
          appIdentifier: (appId) => names.app(appId).identifier,
        },
        kept,
      );
    } finally {
      states?.close();
    }
    let found: Finding[] = [];
    const add = (f: Finding | null, e: Evidence | null): void => {
      if (f) found.push(e ? withRef(f, e) : f);
    };
    for (let i = 0; i < groups.length; i += 1) {
      const g = groups[i]!;
      // The group's tallies are let go as soon as its findings are made.
      groups[i] = null;
      const group = (t: RuleTally): Group => groupOfTally(deviceId, g, t, names);
      if (chosen.has('night-access') && g.night.evidence.total > 0) {
        let busiest = 0;
        let firstNight = Infinity;
        let lastNight = -Infinity;
        for (const [n, c] of g.perNight) {
          busiest = Math.max(busiest, c);
          firstNight = Math.min(firstNight, n);
          lastNight = Math.max(lastNight, n);
        }
        const e = tallied(ctx, deviceId, g.night);
        const n = { sessions: g.night.evidence.total, nights: g.perNight.size, busiest };
        add(nightFinding(night, group(g.night), { ...n, firstNight, lastNight }, e), e);
      }
      if (chosen.has('background-access') && g.background.evidence.total > 0) {
        const e = tallied(ctx, deviceId, g.background);
        const count = g.background.evidence.total;
        const front = { count: g.inFront, bases: g.inFrontBases };
        add(backgroundFinding(group(g.background), count, g.reported, front, rejects, e), e);
      }
      if (chosen.has('frequent-access') && g.all.evidence.total > 0) {
        let e: Evidence | null = null;
        const f = frequentFinding(
          ctx,
          days,
          group(g.all),
          g.all.evidence.total,
          g.days.size,
          () => {
            e = tallied(ctx, deviceId, g.all);
            return e;
          },
        );
        add(f, e);
      }
      if (chosen.has('regular-polling')) {
        const stats = pollingStats(ctx, g.starts.view());
        if (stats) {
          const e = tallied(ctx, deviceId, g.all);
          add(pollingFinding(ctx, group(g.all), g.all.evidence.total, stats, e), e);
        }
      }
      if (chosen.has('long-access') && g.long.evidence.total > 0) {
        const e = tallied(ctx, deviceId, g.long);
        const count = g.long.evidence.total;
        add(longFinding(ctx, group(g.long), count, g.longest, g.longTotal, e), e);
      }
      if (chosen.has('screen-off-access') && g.off.evidence.total > 0) {
        const hits = [...g.offHits].sort((x, y) => x - y).map((id) => `e:${id}`);
        const e = tallied(ctx, deviceId, g.off, hits);
        add(screenOffFinding(group(g.off), g.off.evidence.total, g.offHits.size, e), e);
      }
      if (chosen.has('access-while-locked') && g.locked.evidence.total > 0) {
        const e = tallied(ctx, deviceId, g.locked);
        const f = lockedFinding(
          ctx,
          group(g.locked),
          g.locked.evidence.total,
          g.lockedBases,
          g.lockedFirst,
          e,
        );
        add(f, e);
      }
      if (found.length > 0) each(found);
      found = [];
    }
  }
}

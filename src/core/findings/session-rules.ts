import type { Category } from '../../contract/categories';
import { minutesOfDay } from '../../contract/filter';
import type { Finding, Severity } from '../../contract/findings';
import { dayNumberToDate } from '../../contract/time';
import { sessionWhere, whereSql } from '../services/filter-sql';
import {
  accessPhrase,
  appLabel,
  categoryOf,
  forEachSessionGroup,
  humanDuration,
  makeFinding,
  maxSessionMs,
  plural,
  sessionEvidence,
  sessionSpan,
  times,
  type RuleContext,
  type RuleDef,
  type SessionRow,
} from './common';

const INTERVAL_CAVEAT =
  'An access interval shows that the operating system recorded the app using the resource; it does not show what was read or that anything was uploaded.';

/** Severity of any session rule for the `other` category: it names no specific resource. */
const otherIsInfo = (c: Category, s: Severity): Severity => (c === 'other' ? 'info' : s);

/** Fields every session finding shares for one device × app × category group. */
function base(rows: SessionRow[]) {
  const s0 = rows[0]!;
  const category = categoryOf(s0.category);
  return {
    deviceId: s0.deviceId,
    device: s0.device,
    app: s0.app,
    appName: s0.appName,
    category,
    name: appLabel(s0.app, s0.appName),
    ...sessionSpan(rows),
  };
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
  run(ctx) {
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
    const out: Finding[] = [];
    forEachSessionGroup(ctx, { clauses, params }, (rows) => {
      const g = base(rows);
      const perNight = new Map<number, number>();
      for (const s of rows) {
        // A window wrapping midnight belongs to the evening it starts on.
        const night = wraps && s.anchorMinute < b ? s.localDay - 1 : s.localDay;
        perNight.set(night, (perNight.get(night) ?? 0) + 1);
      }
      const nights = perNight.size;
      const busiest = Math.max(...perNight.values());
      const severity: Severity =
        nights >= 3 ? 'high' : nights === 2 || busiest >= 5 ? 'medium' : 'low';
      const nightDays = [...perNight.keys()].sort((x, y) => x - y);
      out.push(
        makeFinding({
          rule: 'night-access',
          severity: otherIsInfo(g.category, severity),
          ...g,
          count: rows.length,
          title: `${g.name} ${accessPhrase(g.category)} ${times(rows.length)} between ${from} and ${to} on ${plural(nights, 'night')}`,
          caveat: nightAccess.info.caveat,
          evidence: sessionEvidence(rows),
          details: {
            nights,
            sessions: rows.length,
            busiestNightSessions: busiest,
            firstNight: dayNumberToDate(nightDays[0]!),
            lastNight: dayNumberToDate(nightDays[nightDays.length - 1]!),
            window: `${from}-${to}`,
          },
        }),
      );
    });
    return out;
  },
};

/** `background-access`: sessions whose app state is background, reported or inferred. */
export const backgroundAccess: RuleDef = {
  info: {
    id: 'background-access',
    title: 'Access in the background',
    description:
      'Sessions whose app state is background: as the operating system reported it (Android app ops), or, where it reported none, as inferred from usage records (no foreground activity of the app within a minute). One finding per device, app and category with both counts, reported and inferred, always named in the title and in details.reported / details.inferred; background rejects of the same app and category are counted in details.backgroundRejects. iOS App Privacy Reports carry no app state, so their sessions never appear here.',
    severity:
      'high: 3 or more reported background sessions, or any reported one of the camera or microphone; medium: at least one reported; low: inferred only; info: category "other".',
    caveat: `${INTERVAL_CAVEAT} A reported background state is what the operating system recorded for the app's process; an inferred one is only an inference from the absence of foreground activity in the usage records, which may be incomplete.`,
    params: [],
  },
  run(ctx) {
    const out: Finding[] = [];
    const rejects = backgroundRejects(ctx);
    forEachSessionGroup(
      ctx,
      {
        clauses: [
          "((s.state_source = 'reported' AND s.state = 'background') OR ((s.state_source IS NULL OR s.state_source <> 'reported') AND s.inferred_state = 'background'))",
        ],
        params: [],
      },
      (rows) => {
        const g = base(rows);
        const reported = rows.filter((s) => s.stateSource === 'reported').length;
        const inferred = rows.length - reported;
        const severity: Severity =
          reported >= 3 ||
          (reported >= 1 && (g.category === 'camera' || g.category === 'microphone'))
            ? 'high'
            : reported >= 1
              ? 'medium'
              : 'low';
        const how =
          inferred === 0
            ? 'reported by the operating system'
            : reported === 0
              ? 'inferred from usage records, not reported'
              : `${reported} reported by the operating system, ${inferred} inferred from usage records`;
        out.push(
          makeFinding({
            rule: 'background-access',
            severity: otherIsInfo(g.category, severity),
            ...g,
            count: rows.length,
            title: `${g.name} ${accessPhrase(g.category)} ${times(rows.length)} in the background (${how})`,
            caveat: backgroundAccess.info.caveat,
            evidence: sessionEvidence(rows),
            details: {
              reported,
              inferred,
              backgroundRejects: rejects.get(`${g.deviceId}\n${g.app}\n${g.category}`) ?? 0,
            },
          }),
        );
      },
    );
    return out;
  },
};

/** Rejected background attempts per device × app × category, within the filter's devices, apps and range. */
function backgroundRejects(ctx: RuleContext): Map<string, number> {
  const f = ctx.filter;
  const clauses: string[] = ["r.state = 'background'"];
  const params: (string | number)[] = [];
  if (f.devices && f.devices.length > 0) {
    clauses.push(`r.device_id IN (${f.devices.map(() => '?').join(',')})`);
    params.push(...f.devices);
  }
  if (f.apps && f.apps.length > 0) {
    const marks = f.apps.map(() => '?').join(',');
    clauses.push(`(lower(a.identifier) IN (${marks}) OR lower(a.display_name) IN (${marks}))`);
    const lower = f.apps.map((x) => x.toLowerCase());
    params.push(...lower, ...lower);
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

/**
 * The observed days of each device: the distinct device-local days on which any of its sessions
 * lies, within the filter's devices and date range (other filter fields do not narrow them, so an
 * app's quiet days still count).
 */
function observedDays(ctx: RuleContext): Map<number, number> {
  const f = ctx.filter;
  const w = sessionWhere(
    {
      ...(f.devices ? { devices: f.devices } : {}),
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
    },
    maxSessionMs(ctx.db),
  );
  const rows = ctx.db
    .prepare(
      `SELECT s.device_id AS deviceId, COUNT(DISTINCT s.local_day) AS days FROM access_sessions s ${whereSql(w)} GROUP BY s.device_id`,
    )
    .all(...w.params) as { deviceId: number; days: number }[];
  return new Map(rows.map((r) => [r.deviceId, r.days]));
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
  run(ctx) {
    const perDay = ctx.num('frequent-access.perDay');
    const days = observedDays(ctx);
    const out: Finding[] = [];
    forEachSessionGroup(ctx, { clauses: [], params: [] }, (rows) => {
      const g = base(rows);
      const observed = Math.max(1, days.get(g.deviceId) ?? 1);
      const rate = rows.length / observed;
      if (rate <= perDay) return;
      const activeDays = new Set(rows.map((s) => s.localDay)).size;
      const severity: Severity = rate > 5 * perDay ? 'high' : rate > 2 * perDay ? 'medium' : 'low';
      const rounded = Math.round(rate * 10) / 10;
      out.push(
        makeFinding({
          rule: 'frequent-access',
          severity: otherIsInfo(g.category, severity),
          ...g,
          count: rows.length,
          title: `${g.name} ${accessPhrase(g.category)} ${times(rows.length)} in ${plural(observed, 'observed day')} (${rounded} a day on average)`,
          caveat: frequentAccess.info.caveat,
          evidence: sessionEvidence(rows),
          details: { perDay: rounded, observedDays: observed, activeDays, threshold: perDay },
        }),
      );
    });
    return out;
  },
};

/** Median of a non-empty sorted list. */
function median(sorted: number[]): number {
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
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
  run(ctx) {
    const minAccesses = ctx.num('regular-polling.minAccesses');
    const maxCv = ctx.num('regular-polling.maxCv');
    const out: Finding[] = [];
    forEachSessionGroup(ctx, { clauses: [], params: [] }, (rows) => {
      if (rows.length < Math.max(3, minAccesses)) return;
      const gaps: number[] = [];
      for (let i = 1; i < rows.length; i += 1) gaps.push(rows[i]!.anchorMs - rows[i - 1]!.anchorMs);
      const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
      if (mean <= 0) return;
      const sd = Math.sqrt(gaps.reduce((x, y) => x + (y - mean) ** 2, 0) / gaps.length);
      const cv = sd / mean;
      if (cv > maxCv) return;
      const g = base(rows);
      const med = median([...gaps].sort((x, y) => x - y));
      const severity: Severity =
        rows.length >= 5 * minAccesses && cv <= maxCv / 2
          ? 'high'
          : rows.length >= 2 * minAccesses
            ? 'medium'
            : 'low';
      out.push(
        makeFinding({
          rule: 'regular-polling',
          severity: otherIsInfo(g.category, severity),
          ...g,
          count: rows.length,
          title: `${g.name} ${accessPhrase(g.category)} ${times(rows.length)} at near-regular intervals (every ${humanDuration(med)}, spread ${Math.round(cv * 100)} %)`,
          caveat: regularPolling.info.caveat,
          evidence: sessionEvidence(rows),
          details: {
            medianGapSeconds: Math.round(med) / 1000,
            meanGapSeconds: Math.round(mean) / 1000,
            cv: Math.round(cv * 1000) / 1000,
            maxCv,
          },
        }),
      );
    });
    return out;
  },
};

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
  run(ctx) {
    const seconds = ctx.num('long-access.seconds');
    const out: Finding[] = [];
    forEachSessionGroup(
      ctx,
      { clauses: ['s.open = 0', 's.duration_ms > ?'], params: [Math.round(seconds * 1000)] },
      (rows) => {
        const g = base(rows);
        const longest = Math.max(...rows.map((s) => s.durationMs ?? 0));
        const total = rows.reduce((x, s) => x + (s.durationMs ?? 0), 0);
        const t = seconds * 1000;
        const severity: Severity =
          longest >= 10 * t ? 'high' : rows.length >= 3 || longest >= 3 * t ? 'medium' : 'low';
        out.push(
          makeFinding({
            rule: 'long-access',
            severity: otherIsInfo(g.category, severity),
            ...g,
            count: rows.length,
            title: `${g.name} ${accessPhrase(g.category)} ${times(rows.length)} for more than ${seconds} s (longest ${humanDuration(longest)})`,
            caveat: longAccess.info.caveat,
            evidence: sessionEvidence(rows),
            details: {
              longestSeconds: longest / 1000,
              totalSeconds: total / 1000,
              thresholdSeconds: seconds,
            },
          }),
        );
      },
    );
    return out;
  },
};

interface OffInterval {
  fromMs: number;
  toMs: number;
  /** The usage record that turned the screen off. */
  recordId: number;
}

/**
 * Screen-off intervals per device from usage records: from SCREEN_NON_INTERACTIVE to the next
 * SCREEN_INTERACTIVE; a device start or shutdown ends what is known, and a last interval with no
 * later record ends at the device's latest usage record.
 */
function screenOffIntervals(ctx: RuleContext): Map<number, OffInterval[]> {
  const devs = ctx.filter.devices;
  const rows = ctx.db
    .prepare(
      `SELECT id, device_id AS deviceId, type, time_ms AS timeMs FROM usage_records
       ${devs && devs.length > 0 ? `WHERE device_id IN (${devs.map(() => '?').join(',')})` : ''}
       ORDER BY device_id, time_ms, id`,
    )
    .all(...(devs ?? [])) as { id: number; deviceId: number; type: string; timeMs: number }[];
  const out = new Map<number, OffInterval[]>();
  const lastSeen = new Map<number, number>();
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
    lastSeen.set(r.deviceId, r.timeMs);
    if (r.type === 'SCREEN_NON_INTERACTIVE') {
      if (!open.has(r.deviceId)) open.set(r.deviceId, { fromMs: r.timeMs, recordId: r.id });
    } else if (
      r.type === 'SCREEN_INTERACTIVE' ||
      r.type === 'DEVICE_STARTUP' ||
      r.type === 'DEVICE_SHUTDOWN'
    ) {
      close(r.deviceId, r.timeMs);
    }
  }
  for (const deviceId of [...open.keys()]) close(deviceId, lastSeen.get(deviceId)!);
  return out;
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
  run(ctx) {
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
        const g = base(rows);
        const severity: Severity =
          rows.length >= 3 || g.category === 'camera' || g.category === 'microphone'
            ? 'high'
            : 'medium';
        out.push(
          makeFinding({
            rule: 'screen-off-access',
            severity: otherIsInfo(g.category, severity),
            ...g,
            count: rows.length,
            title: `${g.name} ${accessPhrase(g.category)} ${times(rows.length)} while the screen was off`,
            caveat: screenOffAccess.info.caveat,
            evidence: [
              ...sessionEvidence(rows),
              ...[...hits].sort((x, y) => x - y).map((id) => `e:${id}`),
            ],
            details: { screenOffIntervals: hits.size },
          }),
        );
      },
    );
    return out;
  },
};

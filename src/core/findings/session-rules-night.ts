/**
 * The `night-access` rule: sensitive accesses starting inside the device-local quiet hours, its
 * window and its finding, and the reference path that reads every matching session.
 */
import { minutesOfDay } from '../../contract/filter';
import type { Finding, Severity } from '../../contract/findings';
import { dayNumberToDate } from '../../contract/time';
import {
  accessPhrase,
  forEachSessionGroup,
  makeFinding,
  plural,
  times,
  type RuleContext,
  type RuleDef,
} from './common';
import type { Clauses } from './names';
import {
  allOf,
  groupOfRows,
  INTERVAL_CAVEAT,
  otherIsInfo,
  type Evidence,
  type Group,
} from './session-rule-parts';

/** The night window and the clauses selecting sessions that start inside it. */
export interface NightWindow {
  from: string;
  to: string;
  /** The window's end (minutes into the day). */
  end: number;
  wraps: boolean;
  where: Clauses;
}

export function nightWindow(ctx: RuleContext): NightWindow {
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

export function nightFinding(
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

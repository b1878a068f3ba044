/**
 * The session rules computed together: one pass over each device's sessions (see `sessionPass`)
 * whose tallies become each asked rule's findings, a group at a time. The rules themselves, with
 * their reference scan paths, are in the session-rules-* modules by family.
 */
import { minutesOfDay } from '../../contract/filter';
import type { Finding } from '../../contract/findings';
import { DeviceStateSweep, hasDeviceStates } from '../db/queries/device-state';
import type { RuleContext } from './common';
import { readNames } from './names';
import {
  KeptSessions,
  sessionPass,
  SESSION_RULES,
  type GroupTally,
  type RuleTally,
  type SessionRule,
} from './session-pass';
import { groupOfTally, tallied, withRef, type Evidence, type Group } from './session-rule-parts';
import { backgroundFinding, backgroundRejects } from './session-rules-background';
import {
  frequentFinding,
  longFinding,
  observedDaysFast,
  pollingFinding,
  pollingStats,
} from './session-rules-counts';
import { nightFinding, nightWindow } from './session-rules-night';
import {
  lockedFinding,
  screenOffFinding,
  screenOffIntervals,
  type OffInterval,
} from './session-rules-screen';

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

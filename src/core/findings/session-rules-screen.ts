/**
 * The rules on the device's own state at an access: `screen-off-access` (the screen off, per
 * Android usage records) and `access-while-locked` (locked with the screen off, per the device's
 * state records), with the words naming what those records do not prove.
 */
import type { Finding, Severity } from '../../contract/findings';
import { compareText } from '../db/queries/text-order';
import { deviceStatesAt } from '../db/queries/device-state';
import {
  accessPhrase,
  forEachSessionGroup,
  makeFinding,
  sessionEvidence,
  times,
  type RuleContext,
  type RuleDef,
} from './common';
import { FirstHit, lockedAndOff } from './session-pass';
import {
  allOf,
  basisWords,
  devicesWithStates,
  groupOfRows,
  INTERVAL_CAVEAT,
  otherIsInfo,
  type Evidence,
  type Group,
} from './session-rule-parts';

export interface OffInterval {
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
export function screenOffIntervals(ctx: RuleContext): Map<number, OffInterval[]> {
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

export function screenOffFinding(
  g: Group,
  count: number,
  intervals: number,
  evidence: Evidence,
): Finding {
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

export function lockedFinding(
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

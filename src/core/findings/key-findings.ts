import type { Category } from '../../contract/categories';
import { parseDayWindow, type DayWindow } from '../../contract/filter';
import { FINDING_RULES, type Finding, type FindingRule } from '../../contract/findings';
import type {
  DeviceKeyFindings,
  KeyFinding,
  OtherApp,
  OtherFinding,
} from '../../contract/key-findings';
import type { Db } from '../db/open';
import { observedRanges } from '../services/observed-days';
import { accessPhrase, humanDuration, plural, resourceName, SEVERITY_RANK, times } from './common';
import { runFindings } from './engine';
import { basisWords } from './session-rule-parts';
import { PROBED_CATEGORIES } from './expectation';
import { deviceIntervalClusters } from './interval-clusters';
import { storedFindingParams } from './stored-params';

/** At most this many apps per device are key findings. */
export const KEY_FINDINGS_PER_DEVICE = 5;

/** The share of an app's sessions the hours of a key finding hold. */
const HOURS_SHARE = 0.75;

const RULE_ORDER = new Map<string, number>(FINDING_RULES.map((r, i) => [r, i]));

/**
 * The fewest consecutive whole hours (wrapping midnight) holding at least `share` of the counts,
 * `to` exclusive (0-24); of equal runs, the one holding most, then the earliest. Null when empty.
 */
export function hoursWindow(
  hist: readonly number[],
  share = HOURS_SHARE,
): { from: number; to: number; share: number } | null {
  const counts = Array.from({ length: 24 }, (_, h) => Math.max(0, Number(hist[h] ?? 0) || 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  for (let len = 1; len <= 24; len += 1) {
    let best: { from: number; held: number } | null = null;
    for (let from = 0; from < 24; from += 1) {
      let held = 0;
      for (let k = 0; k < len; k += 1) held += counts[(from + k) % 24]!;
      if (held >= share * total && (!best || held > best.held)) best = { from, held };
    }
    if (best) return { from: best.from, to: best.from + len, share: best.held / total };
  }
  return null;
}

const hh = (h: number): string => `${String(h % 24).padStart(2, '0')}:00`;

/**
 * "80 % of them between 00:00 and 06:00 device-local time"; "in the device-local hours
 * 01:00-02:00 and 15:00-16:00" when a few scattered hours hold them all (a window would be wide
 * and mostly empty); "at every hour of the day" when the window takes 18 hours or more.
 */
export function hoursPhrase(
  w: { from: number; to: number; share: number } | null,
  hist: readonly number[] = [],
): string {
  if (!w) return '';
  const used = hist.map((n, h) => (n > 0 ? h : -1)).filter((h) => h >= 0);
  if (w.to - w.from > 6 && used.length > 0 && used.length <= 4) {
    const slots = used.map((h) => `${hh(h)}–${hh(h + 1)}`);
    const list =
      slots.length === 1 ? slots[0]! : `${slots.slice(0, -1).join(', ')} and ${slots.at(-1)!}`;
    return `in the device-local ${slots.length === 1 ? 'hour' : 'hours'} ${list}`;
  }
  if (w.to - w.from >= 18) return 'at every hour of the day';
  return `${Math.round(w.share * 100)} % of them between ${hh(w.from)} and ${hh(w.to)} device-local time`;
}

/** How many of the accesses the device's own records place while it was locked, or nothing. */
export function lockedPhrase(related: readonly Finding[]): string {
  const f = related.find((x) => x.rule === 'access-while-locked');
  if (!f) return '';
  const bases = typeof f.details.stateBasis === 'string' ? f.details.stateBasis.split(', ') : [];
  return `${f.count} while the device was locked with its screen off (as recorded by ${basisWords(new Set(bases.filter((b) => b !== '')))})`;
}

/** What the records of a key finding cannot prove, by its rules. */
export function cannotProve(category: Category, rules: readonly FindingRule[]): string {
  const parts = [
    `what the app did with ${resourceName(category)}, what it took, or that anything left the phone`,
  ];
  if (rules.includes('night-access')) parts.push('that the owner was asleep');
  if (rules.includes('regular-polling')) parts.push('that the app, not the system, set the timing');
  if (rules.includes('access-while-locked')) parts.push('who held the device');
  return `the records cannot prove ${parts.join(', nor ')}`;
}

interface Stats {
  sessions: number;
  activeDays: number;
  open: number;
  closed: number;
  minMs: number | null;
  maxMs: number | null;
  medianMs: number | null;
  hours: number[];
}

function sessionStats(db: Db, deviceId: number, appId: number, category: string): Stats {
  // Unary `+`: the app fixes the device, so the planner reads the app's sessions through an index
  // leading with the app, never every session of the device through one leading with the device.
  const where = '+device_id = ? AND app_id = ? AND category = ?';
  const args = [deviceId, appId, category];
  const head = db
    .prepare(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT local_day) AS days, COALESCE(SUM(open), 0) AS open FROM access_sessions WHERE ${where}`,
    )
    .get(...args) as { n: number; days: number; open: number };
  const hours = Array.from({ length: 24 }, () => 0);
  for (const r of db
    .prepare(
      `SELECT anchor_minute / 60 AS h, COUNT(*) AS n FROM access_sessions WHERE ${where} GROUP BY h`,
    )
    .all(...args) as { h: number; n: number }[])
    if (r.h >= 0 && r.h < 24) hours[r.h] = r.n;
  const closedWhere = `${where} AND open = 0 AND duration_ms IS NOT NULL AND duration_ms >= 0`;
  const c = db
    .prepare(
      `SELECT COUNT(*) AS n, MIN(duration_ms) AS lo, MAX(duration_ms) AS hi FROM access_sessions WHERE ${closedWhere}`,
    )
    .get(...args) as { n: number; lo: number | null; hi: number | null };
  const median =
    c.n > 0
      ? (db
          .prepare(
            `SELECT duration_ms FROM access_sessions WHERE ${closedWhere} ORDER BY duration_ms LIMIT 1 OFFSET ?`,
          )
          .pluck()
          .get(...args, Math.floor((c.n - 1) / 2)) as number)
      : null;
  return {
    sessions: head.n,
    activeDays: head.days,
    open: head.open,
    closed: c.n,
    minMs: c.lo,
    maxMs: c.hi,
    medianMs: median,
    hours,
  };
}

/** The device-local days the device's access logs cover (else the days it has sessions on). */
function observedDayCount(db: Db, deviceId: number): number {
  const covered = observedRanges(db, deviceId).reduce((n, [a, b]) => n + (b - a + 1), 0);
  if (covered > 0) return covered;
  return db
    .prepare('SELECT COUNT(DISTINCT local_day) FROM access_sessions WHERE device_id = ?')
    .pluck()
    .get(deviceId) as number;
}

const windowOf = (f: Finding): DayWindow | null =>
  f.rule === 'night-access' && typeof f.details.window === 'string'
    ? parseDayWindow(f.details.window)
    : null;

/** Most severe first; then an app the catalog says does not need the resource; then rule order. */
function leadOrder(a: Finding, b: Finding): number {
  const unexpected = (f: Finding): number =>
    f.details.expectation === 'unexpected' ? 0 : f.details.expectation === 'unknown' ? 1 : 2;
  const probed = (f: Finding): number =>
    f.category !== null && PROBED_CATEGORIES.includes(f.category) ? 0 : 1;
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    unexpected(a) - unexpected(b) ||
    probed(a) - probed(b) ||
    RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)! ||
    b.count - a.count
  );
}

/** "2.4", "0.3", "12". */
const rate = (x: number): string =>
  x >= 10 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);

function lengthPhrase(category: Category, s: Stats, systemSeconds: number | null): string {
  const parts: string[] = [];
  if (systemSeconds !== null)
    parts.push(
      `in intervals of about ${systemSeconds} s, a length the system gives ${resourceName(category)} intervals of several apps on this device`,
    );
  else if (s.closed > 0 && s.medianMs !== null)
    parts.push(
      s.minMs === s.maxMs
        ? `in intervals of ${humanDuration(s.medianMs)}`
        : `in intervals of ${humanDuration(s.minMs ?? 0)} to ${humanDuration(s.maxMs ?? 0)} (median ${humanDuration(s.medianMs)})`,
    );
  if (s.open > 0) parts.push(`${s.open} with no recorded end`);
  return parts.join(', ');
}

function keyFindingOf(
  db: Db,
  lead: Finding,
  related: Finding[],
  appId: number | undefined,
  observedDays: number,
  systemSecondsFor: (category: Category, appId: number) => number | null,
): KeyFinding {
  const category = lead.category!;
  const rules = related.map((f) => f.rule);
  const s =
    appId === undefined
      ? sessionStats(db, lead.deviceId, -1, category)
      : sessionStats(db, lead.deviceId, appId, category);
  const name = lead.appName ?? lead.app ?? '';
  const observed = Math.max(observedDays, s.activeDays);
  const perDay = observed > 0 ? s.sessions / observed : 0;
  const hours = hoursWindow(s.hours);
  const system = appId === undefined ? null : systemSecondsFor(category, appId);
  const proof = cannotProve(category, rules);
  const sentence =
    s.sessions === 0
      ? `${lead.title}; ${proof}.`
      : [
          `${name} ${accessPhrase(category)} ${times(s.sessions)} on ${s.activeDays} of ${plural(observed, 'observed day')} (${rate(perDay)} a day on average)`,
          hoursPhrase(hours, s.hours),
          lockedPhrase(related),
          lengthPhrase(category, s, system),
        ]
          .filter((p) => p !== '')
          .join(', ') + `; ${proof}.`;
  return {
    findingId: lead.id,
    deviceId: lead.deviceId,
    app: lead.app ?? '',
    appName: lead.appName,
    category,
    severity: lead.severity,
    sentence,
    why: typeof lead.details.why === 'string' ? lead.details.why : '',
    sessions: s.sessions,
    activeDays: s.activeDays,
    observedDays: observed,
    perObservedDay: perDay,
    hours,
    intervals: {
      closed: s.closed,
      open: s.open,
      medianSeconds: s.medianMs === null ? null : Math.round(s.medianMs / 1000),
      minSeconds: s.minMs === null ? null : Math.round(s.minMs / 1000),
      maxSeconds: s.maxMs === null ? null : Math.round(s.maxMs / 1000),
      systemSeconds: system,
    },
    cannotProve: proof,
    rules,
    findingIds: related.map((f) => f.id),
    window: related.map(windowOf).find((w) => w !== null) ?? null,
    first: lead.first,
    last: lead.last,
  };
}

const otherOf = (f: Finding): OtherFinding => ({
  id: f.id,
  rule: f.rule,
  severity: f.severity,
  category: f.category,
  title: f.title,
  why: typeof f.details.why === 'string' ? f.details.why : null,
  first: f.first,
  last: f.last,
  window: windowOf(f),
});

/**
 * Per device (all, or those named), the few apps that deserve attention: apps with a finding of
 * medium or high severity on a named resource, most severe first (an app the catalog says does not
 * need the resource before one it does not know), at most {@link KEY_FINDINGS_PER_DEVICE}; each
 * in one sentence (app, resource, how often per observed day, when, interval lengths, what the
 * data cannot prove). Every other finding is listed under it, grouped by app. Uses the case's
 * rule parameters and every record of the device.
 */
export function keyFindings(db: Db, deviceIds?: readonly number[]): DeviceKeyFindings[] {
  const devices = (
    db.prepare('SELECT id, label FROM devices ORDER BY id').all() as { id: number; label: string }[]
  ).filter((d) => !deviceIds || deviceIds.length === 0 || deviceIds.includes(d.id));
  if (devices.length === 0) return [];
  const all = runFindings(
    db,
    { devices: devices.map((d) => d.id) },
    storedFindingParams(db),
    undefined,
    { evidenceLimit: 0 },
  );
  return devices.map((d) => {
    const findings = all.filter((f) => f.deviceId === d.id);
    const appIds = new Map(
      (
        db.prepare('SELECT id, identifier FROM apps WHERE device_id = ?').all(d.id) as {
          id: number;
          identifier: string;
        }[]
      ).map((a) => [a.identifier, a.id]),
    );
    const clusters = findings.length > 0 ? deviceIntervalClusters(db, d.id) : [];
    const systemSecondsFor = (category: Category, appId: number): number | null =>
      clusters.find((c) => c.category === category && c.appIds.includes(appId))?.seconds ?? null;
    const byApp = new Map<string, Finding[]>();
    for (const f of findings) {
      const k = f.app ?? '';
      const list = byApp.get(k);
      if (list) list.push(f);
      else byApp.set(k, [f]);
    }
    const leads: Finding[] = [];
    for (const list of byApp.values()) {
      const candidates = list
        .filter(
          (f) =>
            f.app !== null &&
            f.category !== null &&
            f.category !== 'other' &&
            (f.severity === 'high' || f.severity === 'medium'),
        )
        .sort(leadOrder);
      if (candidates[0]) leads.push(candidates[0]);
    }
    leads.sort(
      (a, b) =>
        leadOrder(a, b) ||
        (a.appName ?? a.app ?? '').localeCompare(b.appName ?? b.app ?? '') ||
        (a.app ?? '').localeCompare(b.app ?? ''),
    );
    const observed = findings.length > 0 ? observedDayCount(db, d.id) : 0;
    const key = leads.slice(0, KEY_FINDINGS_PER_DEVICE).map((lead) => {
      const related = byApp
        .get(lead.app ?? '')!
        .filter((f) => f.category === lead.category)
        .sort(leadOrder);
      return keyFindingOf(
        db,
        lead,
        related,
        appIds.get(lead.app ?? ''),
        observed,
        systemSecondsFor,
      );
    });
    const inKey = new Set(key.flatMap((k) => k.findingIds));
    const others: OtherApp[] = [];
    for (const list of byApp.values()) {
      const rest = list.filter((f) => !inKey.has(f.id)).sort(leadOrder);
      if (rest.length === 0) continue;
      others.push({
        app: rest[0]!.app,
        appName: rest[0]!.appName,
        severity: rest[0]!.severity,
        findings: rest.map(otherOf),
      });
    }
    others.sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        (a.appName ?? a.app ?? '').localeCompare(b.appName ?? b.app ?? ''),
    );
    return {
      deviceId: d.id,
      device: d.label,
      observedDays: observed,
      key,
      others,
      intervalClusters: clusters.map((c) => ({
        category: c.category,
        seconds: c.seconds,
        apps: c.appIds.length,
        share: c.share,
        note: c.note,
      })),
    };
  });
}

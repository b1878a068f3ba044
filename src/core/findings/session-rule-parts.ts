/**
 * What the session rules share: the group of sessions a finding speaks of (as the scan path reads
 * it or the pass tallies it), its evidence, the caveat every session rule starts from, the
 * devices with state records, and the words naming those records.
 */
import type { Category } from '../../contract/categories';
import type { Finding, Severity } from '../../contract/findings';
import { compareText } from '../db/queries/text-order';
import { sessionId } from '../services/session-ids';
import {
  appLabel,
  attachEvidence,
  categoryOf,
  sessionEvidence,
  sessionSpan,
  type EvidenceRef,
  type Instant,
  type RuleContext,
  type SessionRow,
} from './common';
import type { Clauses, Names } from './names';
import type { GroupTally, RuleTally } from './session-pass';

/** What an access interval shows and does not: where each session rule's caveat starts. */
export const INTERVAL_CAVEAT =
  'An access interval shows that the operating system recorded the app using the resource; it does not show what was read or that anything was uploaded.';

/** Severity of any session rule for the `other` category: it names no specific resource. */
export const otherIsInfo = (c: Category, s: Severity): Severity => (c === 'other' ? 'info' : s);

/** What a session finding says about its group of sessions, whichever path read them. */
export interface Group {
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
export function groupOfRows(rows: SessionRow[]): Group {
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
export function groupOfTally(deviceId: number, g: GroupTally, t: RuleTally, names: Names): Group {
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
export function tallied(
  ctx: RuleContext,
  deviceId: number,
  t: RuleTally,
  extra: string[] = [],
): Evidence {
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
export const withRef = (f: Finding, e: Evidence): Finding => (e.ref ? attachEvidence(f, e.ref) : f);

/** The evidence of a finding: the ids read (at most the limit) and how many there are in all. */
export interface Evidence {
  ids: string[];
  total: number;
  ref?: EvidenceRef;
}

/** The evidence of sessions the scan path read: their ids and their number. */
export const allOf = (rows: SessionRow[]): Evidence => ({
  ids: sessionEvidence(rows),
  total: rows.length,
});

/** No clauses beyond the filter's: every session it keeps. */
export const NO_CLAUSES: Clauses = { clauses: [], params: [] };

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

/** The devices (within the filter's) that have any device-state record. */
export function devicesWithStates(ctx: RuleContext): number[] {
  const devs = ctx.filter.devices && ctx.filter.devices.length > 0 ? ctx.filter.devices : null;
  return ctx.db
    .prepare(
      `SELECT id FROM devices d WHERE EXISTS (SELECT 1 FROM device_states s WHERE s.device_id = d.id)
         ${devs ? `AND d.id IN (${devs.map(() => '?').join(',')})` : ''} ORDER BY id`,
    )
    .pluck()
    .all(...(devs ?? [])) as number[];
}

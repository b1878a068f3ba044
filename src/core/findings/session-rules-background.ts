/**
 * The `background-access` rule: sessions whose app state is background (reported or inferred),
 * or that began while the device had another app or the lock screen in front, with the rejected
 * background attempts of the same app and category.
 */
import type { Finding, Severity } from '../../contract/findings';
import { compareText } from '../db/queries/text-order';
import { deviceStatesAt } from '../db/queries/device-state';
import { appIdsSql, type SqlParam } from '../services/filter-sql';
import {
  accessPhrase,
  categoryOf,
  forEachSessionGroup,
  makeFinding,
  times,
  type RuleContext,
  type RuleDef,
  type SessionRow,
} from './common';
import type { Clauses } from './names';
import { otherInFront } from './session-pass';
import {
  allOf,
  basisWords,
  devicesWithStates,
  groupOfRows,
  INTERVAL_CAVEAT,
  NO_CLAUSES,
  otherIsInfo,
  type Evidence,
  type Group,
} from './session-rule-parts';

const BACKGROUND: Clauses = {
  clauses: [
    "((s.state_source = 'reported' AND s.state = 'background') OR ((s.state_source IS NULL OR s.state_source <> 'reported') AND s.inferred_state = 'background'))",
  ],
  params: [],
};

/** How many background sessions rest on the app the device had in front, and on what. */
interface InFront {
  count: number;
  bases: ReadonlySet<string>;
}

export function backgroundFinding(
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

/** Rejected background attempts per device × app × category, within the filter's devices, apps and range. */
export function backgroundRejects(ctx: RuleContext): Map<string, number> {
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

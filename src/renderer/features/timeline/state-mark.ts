import type { SessionDetails, TimelineSession } from '../../../contract/api';
import { androidUidState } from '../../../contract/android-ops';
import { appStateLabel } from '../filters/app-states';
import type { BarSpan } from './hit-test';

/**
 * How a background session is marked: `reported` when Android printed the state (a solid band),
 * `inferred` when it comes from usage records (a dashed band). Null for every other session.
 */
export type StateMarkKind = 'reported' | 'inferred';

/** The mark a session gets: background sessions only, reported or inferred. */
export function stateMarkKind(
  s: Pick<TimelineSession, 'state' | 'stateSource'>,
): StateMarkKind | null {
  if (s.state !== 'background') return null;
  // A background state whose origin is not given is treated as the weaker claim.
  return s.stateSource === 'reported' ? 'reported' : 'inferred';
}

/** The narrowest mark drawn, so a zero-length (instant) background access stays visible. */
export const STATE_MARK_MIN_PX = 8;

export interface MarkBox {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Room for a white line above the band, which keeps it apart from the bar's colour. */
  gap: boolean;
}

/** The band's height for a bar height: a fifth to a third of the bar, 1.5–4 px. */
function bandHeight(barH: number): number {
  if (barH >= 12) return 4;
  if (barH >= 8) return 3;
  if (barH >= 6) return 2;
  return 1.5;
}

/**
 * Where the background band goes: along the foot of the session bar, at least
 * `STATE_MARK_MIN_PX` wide and centred on bars narrower than that. Thin tracks (several
 * categories in one lane) get a thinner band without the white line, so the bar's colour still
 * shows.
 */
export function stateMarkBox(
  span: Pick<BarSpan, 'x0' | 'x1'>,
  bar: { y: number; h: number },
): MarkBox {
  const h = bandHeight(bar.h);
  const gap = bar.h >= 6;
  const y = bar.y + bar.h - h;
  const w = span.x1 - span.x0;
  if (w >= STATE_MARK_MIN_PX) return { x: span.x0, y, w, h, gap };
  const mid = (span.x0 + span.x1) / 2;
  return { x: mid - STATE_MARK_MIN_PX / 2, y, w: STATE_MARK_MIN_PX, h, gap };
}

/** Which kinds of background mark occur among the sessions (for the legend). */
export function stateMarkKinds(sessions: readonly TimelineSession[]): Set<StateMarkKind> {
  const kinds = new Set<StateMarkKind>();
  for (const s of sessions) {
    const k = stateMarkKind(s);
    if (k) kinds.add(k);
    if (kinds.size === 2) break;
  }
  return kinds;
}

/** How many sessions are background (reported or inferred). */
export function countBackground(sessions: readonly TimelineSession[]): number {
  let n = 0;
  for (const s of sessions) if (s.state === 'background') n += 1;
  return n;
}

/**
 * The app state as a phrase that says how it is known: `Background (reported by Android: bg-s)`,
 * `Background (inferred from usage records)`. `rawState` is the state and flag Android printed,
 * when known. Null for an unknown state (every iOS App Privacy Report session).
 */
export function stateText(
  state: TimelineSession['state'],
  stateSource: TimelineSession['stateSource'],
  rawState?: string | null,
): string | null {
  if (state === 'unknown') return null;
  const label = appStateLabel(state);
  if (stateSource === 'reported')
    return rawState
      ? `${label} (reported by Android: ${rawState})`
      : `${label} (reported by Android)`;
  return `${label} (inferred from usage records)`;
}

/** The uid state of a printed state-flag: `bg` of `bg-s` (reference android-sources.md §1.2). */
export function rawUidState(rawState: string): string {
  const dash = rawState.indexOf('-');
  return (dash < 0 ? rawState : rawState.slice(0, dash)).trim();
}

/** One line of the details panel's Android section. */
export interface AndroidRow {
  key: string;
  label: string;
  value: string;
  /** Shown as an inference, apart from what Android printed. */
  inference?: boolean;
  mono?: boolean;
}

/**
 * The Android facts of a session as labelled rows: the state Android printed (with its raw
 * state-flag), the inferred state kept apart and labelled as an inference, the attribution tag,
 * the proxy app, and whether the duration was printed.
 */
export function androidRows(d: Pick<SessionDetails, 'android'>): AndroidRow[] {
  const a = d.android;
  if (!a) return [];
  const rows: AndroidRow[] = [];
  const printed = a.rawState === null ? null : androidUidState(rawUidState(a.rawState));
  const reported =
    printed === null
      ? 'Not printed'
      : printed === 'unknown'
        ? 'Unknown (state not understood)'
        : appStateLabel(printed);
  rows.push({ key: 'reported', label: 'Reported state', value: reported });
  rows.push({
    key: 'raw',
    label: 'State and flag as printed',
    value: a.rawState ?? '—',
    mono: true,
  });
  if (a.inferredState)
    rows.push({
      key: 'inferred',
      label: 'Inferred state',
      value: `${appStateLabel(a.inferredState)} — an inference from usage records (no foreground activity of the app around the access), not a state Android printed`,
      inference: true,
    });
  rows.push({
    key: 'tag',
    label: 'Attribution tag',
    value: a.attributionTag ?? 'none (null)',
    mono: a.attributionTag !== null,
  });
  if (a.proxy) {
    const parts = [
      a.proxy.packageName ?? 'unknown package',
      a.proxy.uid !== null ? `uid ${a.proxy.uid}` : null,
      a.proxy.attributionTag ? `tag ${a.proxy.attributionTag}` : null,
    ].filter((p): p is string => p !== null);
    rows.push({ key: 'proxy', label: 'Proxy app', value: parts.join(' · '), mono: true });
  }
  if (!a.durationKnown)
    rows.push({
      key: 'duration',
      label: 'Duration',
      value: 'Duration not printed by Android: shown as an instant',
    });
  return rows;
}

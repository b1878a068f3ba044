import type { AccessEvent } from '../../contract/records';

/** A session's state: the one the OS reported, else the one inferred from usage records, else unknown. */
export function eventState(r: {
  state: AccessEvent['state'];
  stateSource: AccessEvent['stateSource'];
  inferredState: 'foreground' | 'background' | null;
}): Pick<AccessEvent, 'state' | 'stateSource'> {
  if (r.stateSource === 'reported') return { state: r.state, stateSource: 'reported' };
  if (r.inferredState) return { state: r.inferredState, stateSource: 'inferred' };
  return { state: 'unknown', stateSource: null };
}

/** A session's app state as compared: reported, else inferred, else unknown. */
export type SessionState = 'foreground' | 'background' | 'unknown';

/** A session's app state in SQL (alias `s`): reported by the OS, else inferred, else unknown. */
export const STATE_SQL =
  "(CASE WHEN s.state_source = 'reported' THEN s.state WHEN s.inferred_state IS NOT NULL THEN s.inferred_state ELSE 'unknown' END)";

/** Where a session's state came from in SQL: `reported` by the OS, `inferred` from usage records, else null. */
export const STATE_SOURCE_SQL =
  "(CASE WHEN s.state_source = 'reported' THEN 'reported' WHEN s.inferred_state IS NOT NULL THEN 'inferred' END)";

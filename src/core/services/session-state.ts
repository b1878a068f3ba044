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

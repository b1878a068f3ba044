import type { DeviceStateRecord, Instant } from '../../model/import-records';

/** A device state read as begun and not ended yet. */
export interface OpenState {
  value: string;
  from: Instant;
  locator: string;
}

/**
 * The interval of an open state, ended at `to` (at its own start when `to` is earlier or
 * unknown, so an interval never ends before it begins).
 */
export function closedState(
  kind: DeviceStateRecord['kind'],
  o: OpenState,
  to: Instant | null,
  basis: DeviceStateRecord['basis'],
): DeviceStateRecord {
  return {
    type: 'device-state',
    kind,
    value: o.value,
    from: o.from,
    to: to === null || to.ms < o.from.ms ? o.from : to,
    basis,
    locator: o.locator,
  };
}

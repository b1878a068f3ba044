import type { Filter } from '../../../contract/filter';

/** An app state at the access, as the filter names it. */
export type AppState = NonNullable<Filter['states']>[number];

/** The app states in display order. */
export const APP_STATES: readonly AppState[] = ['foreground', 'background', 'unknown'];

/** `Foreground` / `Background` / `Unknown`. */
export function appStateLabel(state: AppState): string {
  switch (state) {
    case 'foreground':
      return 'Foreground';
    case 'background':
      return 'Background';
    case 'unknown':
      return 'Unknown';
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The state named by `text` (any case), or null. */
export function parseAppState(text: string): AppState | null {
  const lower = text.trim().toLowerCase();
  return APP_STATES.find((s) => s === lower) ?? null;
}

/** A device state at the access, as the filter names it. */
export type DeviceState = NonNullable<Filter['deviceStates']>[number];

/** The device states in display order. */
export const DEVICE_STATES: readonly DeviceState[] = ['in-use', 'screen-off', 'locked', 'unknown'];

/** `In use` / `Screen off` / `Locked` / `Unknown`. */
export function deviceStateLabel(state: DeviceState): string {
  switch (state) {
    case 'in-use':
      return 'In use';
    case 'screen-off':
      return 'Screen off';
    case 'locked':
      return 'Locked';
    case 'unknown':
      return 'Unknown';
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The device state named by `text` (any case), or null. */
export function parseDeviceState(text: string): DeviceState | null {
  const lower = text.trim().toLowerCase();
  return DEVICE_STATES.find((s) => s === lower) ?? null;
}

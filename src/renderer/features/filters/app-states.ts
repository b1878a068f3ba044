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

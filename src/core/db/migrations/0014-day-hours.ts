import { DAY_HOURS_TABLE_SQL, rebuildDayHoursSql } from '../rollup';
import type { Migration } from './types';

/**
 * Per device and device-local day: sessions and time in use by local hour of their start, summed
 * over apps and categories (kept with the rollup), so the heatmap reads a row per device and day;
 * and indexes of the rollup's day cells by app and by category, for a heatmap filtered on them.
 */
export const m0014DayHours: Migration = {
  version: 14,
  name: 'day-hours',
  up: `
${DAY_HOURS_TABLE_SQL}
${rebuildDayHoursSql()}
CREATE INDEX session_rollup_app ON session_rollup(level, app_id, bucket);
CREATE INDEX session_rollup_category ON session_rollup(level, category, bucket);
`,
};

import { refreshAppNames } from '../catalog/app-names';
import type { DerivedTable } from './migrations/types';
import type { Db } from './open';
import { rebuildRollup } from './rollup';

/**
 * Rebuilds derived tables from the stored records with the current code (inside the caller's
 * transaction). The rollup, the day-hour cells and the session stats are rebuilt together.
 */
export function rebuildDerived(db: Db, tables: Iterable<DerivedTable>): void {
  const wanted = new Set(tables);
  if (wanted.has('session-rollup') || wanted.has('session-stats') || wanted.has('day-hours'))
    rebuildRollup(db);
  if (wanted.has('app-names')) refreshAppNames(db);
}

import type { Db } from '../db/open';
import { refreshNetworkLatest, staleNetworkDevices } from '../db/queries/network-latest';
import { refreshSummaryGroups } from '../db/queries/summary';
import { staleSummaryDevices } from '../db/summary-groups';
import { refreshFindings, staleFindingDevices, type RefreshControl } from '../findings';
import { refreshKeyFindings, staleKeyFindingDevices } from '../findings/key-findings-store';

/**
 * Computes the stored findings, the latest network rows and the summary groups of the devices
 * whose data changed, as every import does once it is stored, so the Findings, Network and
 * Summary views read tables. Returns
 * the error when that failed (another program writing the case, or a cancel through `control`):
 * they are then left stale and computed when next asked for.
 */
export function refreshDerived(db: Db, control: RefreshControl = {}): { error: unknown } | null {
  try {
    refreshFindings(db, staleFindingDevices(db), undefined, control);
    refreshKeyFindings(db, staleKeyFindingDevices(db), control);
    refreshNetworkLatest(db, staleNetworkDevices(db));
    refreshSummaryGroups(db, staleSummaryDevices(db));
    return null;
  } catch (error) {
    return { error };
  }
}

/** Whether any device's stored findings or latest network rows are stale (a cheap check). */
export function derivedStale(db: Db): boolean {
  return (
    staleFindingDevices(db).length > 0 ||
    staleKeyFindingDevices(db).length > 0 ||
    staleNetworkDevices(db).length > 0 ||
    staleSummaryDevices(db).length > 0
  );
}

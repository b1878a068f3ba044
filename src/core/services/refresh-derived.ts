import type { Db } from '../db/open';
import { refreshNetworkLatest, staleNetworkDevices } from '../db/queries/network-latest';
import { refreshFindings, staleFindingDevices } from '../findings';

/**
 * Computes the stored findings and the latest network rows of the devices whose data changed,
 * as every import does once it is stored, so the Findings and Network views read tables. Returns
 * the error when that failed (another program writing the case): they are then left stale and
 * computed when next asked for.
 */
export function refreshDerived(db: Db): { error: unknown } | null {
  try {
    refreshFindings(db, staleFindingDevices(db));
    refreshNetworkLatest(db, staleNetworkDevices(db));
    return null;
  } catch (error) {
    return { error };
  }
}

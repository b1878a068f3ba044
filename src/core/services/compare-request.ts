import { DEFAULT_NIGHT } from '../../contract/filter';
import type {
  AppPairing,
  CompareColumnInfo,
  CompareRequest,
  CompareResult,
  CompareSpecInput,
} from '../../contract/records';
import { appendAudit } from '../db/audit';
import { latestOffset } from '../db/queries/device-offset';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import { writeTx } from './case-service';
import { compareKindOf } from '../../contract/compare-change';
import {
  columnFacts,
  compare,
  dayOf,
  observedDaysIn,
  pairApps,
  unpairApps,
  type CompareSpec,
} from './compare';

/** Turns the bridge's columns into compare specs, checking each device and period. */
export function resolveCompareSpecs(db: Db, columns: CompareSpecInput[]): CompareSpec[] {
  const known = db.prepare('SELECT 1 FROM devices WHERE id = ?');
  return columns.map((c) => {
    if (!known.get(c.deviceId))
      throw new AppError('NOT_FOUND', `No device ${c.deviceId} in this case (column ${c.label}).`);
    const fromDay = c.from ? dayOf(c.from) : null;
    const toDay = c.to ? dayOf(c.to) : null;
    if (fromDay !== null && toDay !== null && toDay <= fromDay)
      throw new AppError('INVALID_INPUT', `The period of ${c.label} ends before it starts.`);
    return { label: c.label, deviceId: c.deviceId, fromDay, toDay };
  });
}

/** The comparison with each column's observed days (for drawing "no data" days). */
export function compareResult(db: Db, request: CompareRequest): CompareResult {
  const specs = resolveCompareSpecs(db, request.columns);
  const night = request.night ?? DEFAULT_NIGHT;
  const rows = compare(db, specs, night);
  const facts = columnFacts(db, specs);
  const columns = specs.map((spec, i): CompareColumnInfo => {
    const input = request.columns[i]!;
    const days = observedDaysIn(db, spec);
    return {
      label: spec.label,
      deviceId: spec.deviceId,
      from: input.from ?? null,
      to: input.to ?? null,
      days,
      offsetMin: latestOffset(db, spec.deviceId) ?? 0,
      ...facts[i]!,
    };
  });
  return { columns, rows, night, kind: compareKindOf(request.columns, request.kind) };
}

/** The stored app pairings, oldest first. */
export function listPairings(db: Db): AppPairing[] {
  return db
    .prepare('SELECT a, b, created_at AS createdAt FROM app_pairings ORDER BY created_at, a, b')
    .all() as AppPairing[];
}

/** Pairs (or unpairs) two app identifiers in one audited write; false when nothing changed. */
export function setPairing(db: Db, a: string, b: string, remove: boolean): boolean {
  return writeTx(db, () => {
    const done = remove ? unpairApps(db, a, b) : pairApps(db, a, b);
    if (done) appendAudit(db, remove ? 'apps-unpaired' : 'apps-paired', { a, b });
    return done;
  });
}

/** The key findings as the report's page 1 takes them, read from the case and redacted like the rest. */
import type { Db } from '../db/open';
import { readKeyFindings } from '../findings/key-findings-store';
import type { ReportKeyFinding } from './pdf/types';

const RANK = { high: 0, medium: 1, low: 2, info: 3 } as const;

/** How the bundle redacts text: every string (`text`) and the strings that may be null (`maybe`). */
export interface KeyFindingRedaction {
  text: (s: string) => string;
  maybe: (s: string | null) => string | null;
}

/**
 * The key findings of the devices (every device when none are named), most severe first and in
 * device order within a severity, with every text through the bundle's redaction: pass the result
 * as `keyFindings` of the report's input.
 */
export function reportKeyFindings(
  db: Db,
  deviceIds: readonly number[] | undefined,
  redact: KeyFindingRedaction,
): ReportKeyFinding[] {
  const { text, maybe } = redact;
  return readKeyFindings(db, deviceIds)
    .flatMap((d) => d.key)
    .map((k, order) => ({ k, order }))
    .sort((a, b) => RANK[a.k.severity] - RANK[b.k.severity] || a.order - b.order)
    .map(({ k }): ReportKeyFinding => ({
      findingId: text(k.findingId),
      deviceId: k.deviceId,
      app: text(k.app),
      appName: maybe(k.appName),
      category: k.category,
      severity: k.severity,
      sentence: text(k.sentence),
      why: text(k.why),
      sessions: k.sessions,
      observedDays: k.observedDays,
      perObservedDay: k.perObservedDay,
      hours: k.hours,
      cannotProve: text(k.cannotProve),
      findingIds: k.findingIds.map(text),
      first: k.first,
      last: k.last,
    }));
}

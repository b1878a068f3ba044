import type { SourceInfo } from '../../../contract/records';

/** Importers whose sources hold access records an App Privacy Report gives. */
const REPORT_IMPORTERS = new Set(['ios-app-privacy-report']);
/** Importers whose sources hold the device's own state (screen, lock, app in front). */
const STATE_IMPORTERS = new Set(['ios-powerlog']);

/** A device whose App Privacy Report days and PowerLog days do not overlap. */
export interface StateCoverageGap {
  deviceId: number;
  /** The reports' span and the PowerLogs' span (UTC ms). */
  report: { fromMs: number; toMs: number };
  powerlog: { fromMs: number; toMs: number };
}

type Span = { fromMs: number; toMs: number };

function spansOf(sources: readonly SourceInfo[], importers: Set<string>): Span[] {
  return sources
    .filter((s) => importers.has(s.importer) && s.dataFrom !== null && s.dataTo !== null)
    .map((s) => ({ fromMs: s.dataFrom!, toMs: s.dataTo! }));
}

const hull = (spans: readonly Span[]): Span => ({
  fromMs: Math.min(...spans.map((s) => s.fromMs)),
  toMs: Math.max(...spans.map((s) => s.toMs)),
});

/**
 * The devices (in the order given, or every device with sources) that have both an App Privacy
 * Report and a PowerLog but no stretch of time the two both cover: the device's state can then be
 * known for none of the report's accesses.
 */
export function stateCoverageGaps(
  sources: readonly SourceInfo[],
  deviceIds?: readonly number[],
): StateCoverageGap[] {
  const ids = deviceIds ?? [...new Set(sources.map((s) => s.deviceId))].sort((a, b) => a - b);
  const out: StateCoverageGap[] = [];
  for (const deviceId of ids) {
    const mine = sources.filter((s) => s.deviceId === deviceId);
    const reports = spansOf(mine, REPORT_IMPORTERS);
    const logs = spansOf(mine, STATE_IMPORTERS);
    if (reports.length === 0 || logs.length === 0) continue;
    const overlaps = reports.some((r) =>
      logs.some((l) => r.fromMs <= l.toMs && l.fromMs <= r.toMs),
    );
    if (!overlaps) out.push({ deviceId, report: hull(reports), powerlog: hull(logs) });
  }
  return out;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const span = (s: Span): string =>
  day(s.fromMs) === day(s.toMs) ? day(s.fromMs) : `${day(s.fromMs)} to ${day(s.toMs)}`;

/** The warning for a gap, in words naming both spans (UTC dates). */
export function stateCoverageMessage(gap: StateCoverageGap, deviceLabel: string): string {
  return `${deviceLabel}: the App Privacy Report (${span(gap.report)}) and the PowerLog (${span(gap.powerlog)}, UTC) cover no common time, so whether the screen was on or the device locked is unknown for every access in the report. Take a sysdiagnose right after saving the report, so both cover the same days.`;
}

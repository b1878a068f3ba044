// Parser for `dumpsys appops` text, every layout from Android 7/8 to 16 (reference
// android-sources.md §1). Pure: text in, records out, each with the line it came from. Times stay
// device-local wall-clock time; the importer applies the device's zone. The line-fed state
// machine is `AppOpsParser` (appops/parser.ts); `parseAppOps` runs it over a whole text.
import { AppOpsParser, type AppOpsProblem } from './appops/parser';
import type { AppOpEvent, AppOpHistoryEntry, ParseResult } from './types';

export { APP_OPS_LAYOUTS, AppOpsParser } from './appops/parser';
export type { AppOpsLayout, AppOpsProblem, AppOpsSink } from './appops/parser';
export {
  MAX_DURATION_MS,
  parseAndroidDuration,
  parseLocalTime,
  parseLocalTimeAt,
} from './appops/times';

/** What `parseAppOps` returns: last-access and discrete events, aggregated history, the layouts seen. */
export type AppOpsParseResult = ParseResult<AppOpEvent> & {
  history: AppOpHistoryEntry[];
  layout: string[];
};

/**
 * Parses `dumpsys appops` text (also with `--history` and `--include-discrete`, and a whole
 * `dumpsys` or bugreport where only the appops service is read). Never stops at blank lines.
 *
 * - Last-access events (`origin: 'last'`) from every layout: Android ≤ 8.1 one-line ops with relative
 *   times, Android 9 multi-line uid-state lists, Android 10 `[state-flag]` keys, Android 11+
 *   attribution-tag blocks.
 * - Discrete events (`origin: 'discrete'`, Android 12+), including the Android 16 pipe table.
 * - Aggregated `--history` snapshots in `history`.
 * - `layout` lists the layouts seen, in the order of `APP_OPS_LAYOUTS`.
 *
 * Problems are reported only for lines that look like an access or reject line but cannot be read.
 */
export function parseAppOps(text: string): AppOpsParseResult {
  const records: AppOpEvent[] = [];
  const history: AppOpHistoryEntry[] = [];
  const problems: AppOpsProblem[] = [];
  const parser = new AppOpsParser({
    // Events come out when final, not always in line order: each goes back to its place.
    event: (ev, seq) => {
      records[seq] = ev;
    },
    history: (entry) => history.push(entry),
    problem: (p) => problems.push(p),
  });
  forEachLine(text, (line, lineNo) => parser.push(line, lineNo));
  parser.end();
  return { records, problems, history, layout: parser.layout };
}

/** Calls `fn` with each line of `text` (without `\n`) and its 1-based number. */
export function forEachLine(text: string, fn: (line: string, lineNo: number) => void): void {
  let lineNo = 0;
  let pos = 0;
  const length = text.length;
  while (pos < length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = length;
    fn(text.slice(pos, nl), ++lineNo);
    pos = nl + 1;
  }
}

/**
 * Dump-time estimates: for every event with both an absolute and a relative time, absolute +
 * relative (the dump instant, in device wall-clock ms), truncated to the whole second; grouped and
 * counted, most frequent first (ties: earliest first).
 *
 * Every line of one capture gives the same dump time (reference android-sources.md §1.3). Two groups
 * exactly one hour apart point to a DST change between events; other groups point to a clock change
 * or to a file spliced from several captures.
 */
export function dumpTimeEstimates(
  events: readonly AppOpEvent[],
): { wallMs: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const ev of events) {
    if (ev.time === null || ev.relativeMs === null) continue;
    const dump = Math.floor((ev.time.wallMs + ev.relativeMs) / 1000) * 1000;
    counts.set(dump, (counts.get(dump) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([wallMs, count]) => ({ wallMs, count }))
    .sort((a, b) => b.count - a.count || a.wallMs - b.wallMs);
}

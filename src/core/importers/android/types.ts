// Shapes shared by the Android parsers (reference android-sources.md). Parsers are pure: they take
// text and return records with the line they came from; times stay device-local wall-clock time
// (Android prints no zone) until the importer resolves the device's time zone.

/** A device-local wall-clock time as printed (no zone), e.g. `2025-06-18 07:41:07.412`. */
export interface LocalTime {
  /** The text as printed. */
  text: string;
  /** The wall-clock fields read as if they were UTC (ms); the importer applies the zone. */
  wallMs: number;
}

/** One `Access:` or `Reject:` of `dumpsys appops` (last-access lines, or discrete accesses). */
export interface AppOpEvent {
  kind: 'access' | 'reject';
  /** `last`: the per-(op, tag, state, flag) last event; `discrete`: an `--include-discrete` entry. */
  origin: 'last' | 'discrete';
  /** The uid as printed (`u0a103`, `1000`), or null when not given. */
  uid: string | null;
  packageName: string;
  /** The raw op name, e.g. `READ_MEDIA_IMAGES` (OEM ops as printed, e.g. `VENDOROP(10001)`). */
  op: string;
  /** The op's mode as printed in its header (`allow`, `ignore`, `foreground`, …), or null. */
  mode: string | null;
  /** Attribution tag (Android 11+); null for the `null=[` block or older layouts. */
  attributionTag: string | null;
  /** Raw uid state (`top`, `fg`, `fgsvc`, `fgsvcl`, `bg`, `cch`, `pers`, …), or null. */
  uidState: string | null;
  /** Raw flag (`s`, `tp`, `up`, `tpd`, `upd`), or null. */
  flag: string | null;
  /** Absolute time as printed; null when only a relative time is given (Android ≤ 8.1). */
  time: LocalTime | null;
  /** Milliseconds before the dump, from `(-1d2h3m4s5ms)` or `time=+…ago`; null when absent. */
  relativeMs: number | null;
  /** Duration when printed (`duration=+33ms`, discrete `for N milliseconds`); null otherwise. */
  durationMs: number | null;
  /** True when the op was still running at dump time (`(running)`, `Running start at:`). */
  running: boolean;
  /** The proxy details of a proxied access (`proxy[uid=…, pkg=…, attributionTag=…]`). */
  proxy: { uid: number | null; packageName: string | null; attributionTag: string | null } | null;
  /** 1-based line number in the text parsed, and the line itself (trimmed of trailing spaces). */
  line: number;
  rawLine: string;
}

/** One aggregated `--history` entry: counts per (state, flag) for an op in a snapshot window. */
export interface AppOpHistoryEntry {
  uid: string | null;
  packageName: string | null;
  attributionTag: string | null;
  op: string;
  uidState: string | null;
  flag: string | null;
  begin: LocalTime | null;
  end: LocalTime | null;
  accessCount: number | null;
  rejectCount: number | null;
  durationMs: number | null;
  line: number;
  rawLine: string;
}

/** What a parser returns: records, and problems in plain words (with line numbers). */
export interface ParseResult<T> {
  records: T[];
  problems: { line: number | null; message: string }[];
}

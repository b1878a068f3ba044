// The records an importer's `parse` yields, for every source kind the model knows. Importers
// build them from evidence without touching storage; the one writer in core/db stores them. Every
// record names where it came from (a line, a section and line, a table and row) so that each
// stored row can be traced back to the bytes of its source.
import type { Category } from '../../contract/categories';
import type { AppliedClock, PermissionStatus, Platform } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';

/** An instant: UTC epoch milliseconds with the UTC offset (minutes) in force on the device. */
export interface Instant {
  ms: number;
  offsetMin: number;
}

/**
 * An instant whose UTC offset may be unknown (a backup that does not record its zone, none given):
 * the time is still the device's instant; its local time is unknown rather than assumed UTC.
 */
export interface PlacedInstant {
  ms: number;
  offsetMin: number | null;
}

/** One edge (begin or end) of an access interval, as read from the source (App Privacy Report). */
export interface AccessEdgeRecord {
  type: 'access-edge';
  line: number;
  rawLine: string;
  app: string;
  rawCategory: string;
  category: Category;
  intervalKey: string;
  edge: 'begin' | 'end';
  tsMs: number;
  offsetMin: number;
  rawTs: string;
  extra: Record<string, unknown>;
}

/**
 * One access whose begin and length are read at once (Android app ops): stored as a session with
 * the state the platform reported. `durationMs` null means still running (an open session).
 */
export interface AccessIntervalRecord {
  type: 'access-interval';
  line: number;
  rawLine: string;
  app: string;
  /** The op as printed, e.g. `READ_MEDIA_IMAGES`. */
  rawCategory: string;
  category: Category;
  /** Identifies the access across captures (the same access printed again merges). */
  intervalKey: string;
  start: Instant;
  /** The time as printed (or `-Nms` before the dump), for messages. */
  rawTs: string;
  durationMs: number | null;
  /** Whether `durationMs` was printed (a zero-length access is not a known length). */
  durationKnown: boolean;
  state: 'foreground' | 'background' | 'unknown';
  /** The state as printed (`top-s`), or null. */
  rawState: string | null;
  attributionTag: string | null;
  proxy: { uid: number | null; packageName: string | null; attributionTag: string | null } | null;
  /** The proxy app's own line for the same access, kept beside the session. */
  linked: { line: number; app: string; rawLine: string } | null;
}

/** One network aggregate row of one export snapshot. */
export interface NetworkRecord {
  type: 'network';
  line: number;
  rawLine: string;
  app: string;
  domain: string;
  domainOwner: string | null;
  domainType: number | null;
  initiatedType: string | null;
  context: string | null;
  hits: number | null;
  first: Instant | null;
  last: Instant | null;
  contextVerificationType: number | null;
  domainClassification: number | null;
  extra: Record<string, unknown>;
}

/** A refused access (Android app ops `Reject:`). */
export interface RejectRecord {
  type: 'reject';
  line: number;
  rawLine: string;
  app: string;
  recordKey: string;
  op: string;
  category: Category;
  time: Instant;
  state: 'foreground' | 'background' | 'unknown';
  rawState: string | null;
  attributionTag: string | null;
  proxy: AccessIntervalRecord['proxy'];
}

/** One aggregated app-op history window (Android `--history`). */
export interface OpHistoryRecord {
  type: 'op-history';
  line: number;
  rawLine: string;
  app: string | null;
  recordKey: string;
  op: string;
  category: Category;
  attributionTag: string | null;
  state: 'foreground' | 'background' | 'unknown';
  rawState: string | null;
  beginMs: number | null;
  endMs: number | null;
  offsetMin: number | null;
  accessCount: number | null;
  rejectCount: number | null;
  durationMs: number | null;
}

/** One usage event (Android usagestats: activity resumed, screen interactive, …). */
export interface UsageRecord {
  type: 'usage';
  line: number;
  rawLine: string;
  app: string | null;
  recordKey: string;
  eventType: string;
  className: string | null;
  instanceId: string | null;
  time: Instant;
}

/** A permission as the device records it (TCC, location clients, Android package state). */
export interface PermissionRecord {
  type: 'permission';
  app: string;
  origin: 'tcc' | 'location-clients' | 'android-package';
  raw: string;
  category: Category;
  status: PermissionStatus;
  reason: string | null;
  time: PlacedInstant | null;
  locator: string;
  rawFields: Record<string, unknown>;
}

/** Bytes an app or process sent and received (iOS data usage, analytics). */
export interface NetworkUsageRecord {
  type: 'network-usage';
  app: string | null;
  origin: 'data-usage' | 'addaily';
  process: string;
  wifiIn: number | null;
  wifiOut: number | null;
  cellIn: number | null;
  cellOut: number | null;
  first: PlacedInstant | null;
  last: PlacedInstant | null;
  locator: string;
  rawFields: Record<string, unknown>;
}

/** A configuration profile or one of its install/remove events. */
export interface ProfileRecord {
  type: 'profile';
  identifier: string;
  displayName: string | null;
  organization: string | null;
  operation: 'installed' | 'install' | 'remove' | 'other';
  process: string | null;
  payloadTypes: string[];
  mdm: boolean;
  vpn: boolean;
  rootCertificate: boolean;
  time: PlacedInstant | null;
  locator: string;
  rawFields: Record<string, unknown>;
}

/** An app the device lists as installed, with what the source says about it. */
export interface AppRecord {
  type: 'app';
  identifier: string;
  /** The name the device's own records give it (a backup's iTunesMetadata), or null. */
  name: string | null;
  version: string | null;
  /** True when the source is an inventory of installed apps (not just a mention). */
  installed: boolean;
}

/** What a source says about the phone itself; a container yields it before its members. */
export interface DeviceRecord {
  type: 'device';
  platform: 'ios' | 'android';
  /** The phone's identity: UDID (iOS) or serial (Android), or null when the source does not say. */
  identity: { column: 'udid' | 'serial'; value: string | null };
  /** The label of a new device when none is given. */
  defaultLabel: string;
  /** Facts to record; null leaves what the case already knows. Keys are `devices` columns. */
  facts: Partial<
    Record<
      | 'model'
      | 'product_type'
      | 'os_version'
      | 'build_version'
      | 'sdk'
      | 'fingerprint'
      | 'serial'
      | 'imei'
      | 'phone_number'
      | 'time_zone',
      string | number | null
    >
  >;
}

/**
 * An interval of the device's own state (screen, lock, app in front) from its logs. `to` null
 * means the state held until the end of the source's coverage.
 */
export interface DeviceStateRecord {
  type: 'device-state';
  kind: 'screen' | 'lock' | 'foreground';
  /** `on`/`off` for screen, `locked`/`unlocked` for lock, the app's identifier for foreground. */
  value: string;
  from: Instant;
  to: Instant | null;
  basis: 'powerlog' | 'usagestats' | 'batterystats';
  locator: string;
}

/** The window a state source covers: outside it, the state is unknown, never assumed. */
export interface DeviceStateCoverageRecord {
  type: 'device-state-coverage';
  kind: DeviceStateRecord['kind'];
  basis: DeviceStateRecord['basis'];
  fromMs: number;
  toMs: number;
}

/** The importer refuses the whole source; nothing of it is kept. */
export interface RefusalRecord {
  type: 'refusal';
  message: string;
}

export interface WarningRecord {
  type: 'warning';
  warning: ImportWarning;
}

/** How far parsing has got: lines read, and bytes of the source consumed. */
export interface ProgressRecord {
  type: 'progress';
  lines: number;
  bytes: number;
}

/** How the source's times were placed (its zone or offsets), for the import summary and audit. */
export interface ClockRecord {
  type: 'clock';
  clock: AppliedClock;
  /** The capture instant the source records, when it records one. */
  capturedAtMs: number | null;
  /** Facts about the source kept with it (sections read, the time rule applied, …). */
  details: Record<string, unknown>;
}

/** Lines of the source that were read (for counts when the importer does not report progress). */
export interface LinesRecord {
  type: 'lines';
  lines: number;
}

/** Every kind of record an importer can yield. */
export type ImportRecord =
  | AccessEdgeRecord
  | AccessIntervalRecord
  | NetworkRecord
  | RejectRecord
  | OpHistoryRecord
  | UsageRecord
  | PermissionRecord
  | NetworkUsageRecord
  | ProfileRecord
  | AppRecord
  | DeviceRecord
  | DeviceStateRecord
  | DeviceStateCoverageRecord
  | RefusalRecord
  | WarningRecord
  | ProgressRecord
  | ClockRecord
  | LinesRecord;

/** The record kinds that are evidence (stored as rows), as opposed to control records. */
export type EvidenceRecordType = Exclude<
  ImportRecord['type'],
  'refusal' | 'warning' | 'progress' | 'clock' | 'lines' | 'device'
>;

/** The platform a record stream is from, as the importer's manifest declares it. */
export type RecordPlatform = Platform;

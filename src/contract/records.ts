import { z } from 'zod';
import { categorySchema } from './categories';
import { dayWindowSchema } from './filter';
import { WARNING_CODES } from './warnings';

/**
 * Public record shapes. These are a contract: the CLI prints them, the renderer reads them,
 * and later versions only add fields.
 */

export const platformSchema = z.enum(['ios', 'android', 'unknown']);
export type Platform = z.infer<typeof platformSchema>;

export const deviceSchema = z.object({
  id: z.number().int(),
  label: z.string(),
  platform: platformSchema,
  model: z.string().nullable(),
  osVersion: z.string().nullable(),
  timeZone: z.string().nullable(),
  /** UTC offset (minutes) of the device's latest record: where its local day sits. */
  offsetMin: z.number().int().nullable(),
  /** Identity from a backup; masked for display unless the examiner unmasks. */
  identifiers: z.object({
    udid: z.string().nullable(),
    serial: z.string().nullable(),
    imei: z.string().nullable(),
    phoneNumber: z.string().nullable(),
  }),
  sources: z.number().int(),
  createdAt: z.number(),
});
export type Device = z.infer<typeof deviceSchema>;

export const importCountsSchema = z.object({
  lines: z.number().int(),
  access: z.number().int(),
  network: z.number().int(),
  sessions: z.number().int(),
  openSessions: z.number().int(),
  /** Records read from a backup artifact (permission, network-usage or profile records). */
  records: z.number().int(),
});
export type ImportCounts = z.infer<typeof importCountsSchema>;

export const warningSchema = z.object({
  line: z.number().int().nullable(),
  locator: z.string(),
  code: z.enum(WARNING_CODES),
  message: z.string(),
});

export const importStatusSchema = z.enum(['imported', 'already-imported', 'refused', 'cancelled']);
export type ImportStatus = z.infer<typeof importStatusSchema>;

/**
 * The clock an import placed a file's times with, so that the import summary can name it:
 * `file` when each time carries its own UTC offset (App Privacy Report), `examiner` when the zone
 * was given at import, `device` when the phone records it (persist.sys.timezone, a backup's
 * settings), `capture` when the capture tool noted the host's zone, `derived` when the offset was
 * derived from the capture time.
 */
export const appliedClockSchema = z.object({
  /** The IANA zone applied; null when the times carry their own offsets or only an offset is known. */
  zone: z.string().nullable(),
  /** UTC offsets (minutes) of the stored times, ascending, at most 12. */
  offsets: z.array(z.number().int()),
  source: z.enum(['file', 'examiner', 'device', 'capture', 'derived']),
});
export type AppliedClock = z.infer<typeof appliedClockSchema>;

/** The outcome of importing one path (CLI `import --json` prints an array of these). */
export const importOutcomeSchema = z.object({
  path: z.string(),
  sha256: z.string().nullable(),
  importer: z.string().nullable(),
  status: importStatusSchema,
  counts: importCountsSchema,
  duplicateLines: z.number().int(),
  alreadyStored: z.number().int(),
  warnings: z.array(warningSchema),
  error: z.string().nullable(),
  sourceId: z.number().int().nullable(),
  deviceId: z.number().int().nullable(),
  /** Where inside a backup the file lies (`HomeDomain Library/TCC/TCC.db`); null for plain files. */
  locator: z.string().nullable(),
  /** The clock its times were placed with; absent when no time of it was stored. */
  timeZone: appliedClockSchema.optional(),
});
export type ImportOutcome = z.infer<typeof importOutcomeSchema>;

export const sourceSchema = z.object({
  id: z.number().int(),
  deviceId: z.number().int(),
  importer: z.string(),
  importerVersion: z.string(),
  path: z.string(),
  fileName: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  importedAt: z.number(),
  counts: importCountsSchema,
  duplicateLines: z.number().int(),
  alreadyStored: z.number().int(),
  warnings: z.number().int(),
  dataFrom: z.number().nullable(),
  dataTo: z.number().nullable(),
});
export type SourceInfo = z.infer<typeof sourceSchema>;

export const provenanceSchema = z.object({ sha256: z.string(), locator: z.string() });

/** `summary --json` row. */
export const summaryRowSchema = z.object({
  device: z.string(),
  app: z.string(),
  appName: z.string().nullable(),
  category: categorySchema,
  sessions: z.number().int(),
  openSessions: z.number().int(),
  totalSeconds: z.number().nullable(),
  longestSeconds: z.number().nullable(),
  nightSessions: z.number().int(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
});
export type SummaryRow = z.infer<typeof summaryRowSchema>;

export const appStateSchema = z.enum(['foreground', 'background', 'unknown']);

function accessEventSchemaProxy() {
  return z
    .object({
      uid: z.number().int().nullable(),
      packageName: z.string().nullable(),
      attributionTag: z.string().nullable(),
    })
    .nullable();
}
export const stateSourceSchema = z.enum(['reported', 'inferred']).nullable();

/**
 * The device's own state at an access's start, from its logs (PowerLog, usagestats, batterystats):
 * a field is null where no coverage window of that kind covers the instant (never guessed).
 */
export const deviceStateSchema = z.object({
  screen: z.enum(['on', 'off']).nullable(),
  locked: z.boolean().nullable(),
  /** The app or system surface (e.g. `com.apple.lock-screen`) the device charged the screen to. */
  foregroundApp: z.string().nullable(),
  /** The evidence the known fields rest on (`powerlog`, `usagestats`, `batterystats`; `+` joins several). */
  basis: z.string().nullable(),
  /** The stored source and the row (`<table> rowid <n>`, `line <n>`) of each known field. */
  sources: z.array(z.object({ sourceId: z.number().int(), locator: z.string() })),
});
export type DeviceState = z.infer<typeof deviceStateSchema>;

/** `events --kind access` record. */
export const accessEventSchema = z.object({
  id: z.string(),
  kind: z.literal('access'),
  device: z.string(),
  app: z.string(),
  appName: z.string().nullable(),
  category: categorySchema,
  raw: z.string(),
  start: z.string().nullable(),
  end: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  state: appStateSchema,
  stateSource: stateSourceSchema,
  /** The app proxying the access (Android `proxy[…]`), or null. */
  proxy: accessEventSchemaProxy(),
  /** Android attribution tag (`null=[` blocks and other platforms: null). */
  attributionTag: z.string().nullable(),
  /** False for an access whose duration the source did not print (stored zero-length). */
  durationKnown: z.boolean(),
  sources: z.array(provenanceSchema),
  /** The device's state at the start, from its own logs (fields null where none covers it). */
  deviceState: deviceStateSchema,
});
export type AccessEvent = z.infer<typeof accessEventSchema>;

/** `events --kind reject`: an Android app-op attempt that was refused (`Reject:` line). */
export const rejectEventSchema = z.object({
  id: z.string(),
  kind: z.literal('reject'),
  device: z.string(),
  app: z.string(),
  appName: z.string().nullable(),
  category: categorySchema,
  raw: z.string(),
  time: z.string(),
  state: appStateSchema,
  stateSource: stateSourceSchema,
  proxy: accessEventSchemaProxy(),
  attributionTag: z.string().nullable(),
  sources: z.array(provenanceSchema),
});
export type RejectEvent = z.infer<typeof rejectEventSchema>;

/** `events --kind op-history`: one aggregated Android app-op history bucket (`--history`). */
export const opHistoryEventSchema = z.object({
  id: z.string(),
  kind: z.literal('op-history'),
  device: z.string(),
  app: z.string().nullable(),
  appName: z.string().nullable(),
  category: categorySchema,
  raw: z.string(),
  attributionTag: z.string().nullable(),
  state: appStateSchema,
  rawState: z.string().nullable(),
  begin: z.string().nullable(),
  end: z.string().nullable(),
  accessCount: z.number().int().nullable(),
  rejectCount: z.number().int().nullable(),
  durationSeconds: z.number().nullable(),
  sources: z.array(provenanceSchema),
});
export type OpHistoryEvent = z.infer<typeof opHistoryEventSchema>;

/** `events --kind usage`: one Android usagestats event (activity resumed/paused, screen, …). */
export const usageEventSchema = z.object({
  id: z.string(),
  kind: z.literal('usage'),
  device: z.string(),
  app: z.string().nullable(),
  appName: z.string().nullable(),
  type: z.string(),
  className: z.string().nullable(),
  instanceId: z.string().nullable(),
  time: z.string(),
  sources: z.array(provenanceSchema),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

/** `events --kind network` record: one per export snapshot, never summed across exports. */
export const networkEventSchema = z.object({
  id: z.string(),
  kind: z.literal('network'),
  device: z.string(),
  app: z.string(),
  appName: z.string().nullable(),
  domain: z.string(),
  domainOwner: z.string().nullable(),
  domainType: z.number().int().nullable(),
  profiling: z.boolean(),
  initiatedType: z.string().nullable(),
  context: z.string().nullable(),
  hits: z.number().int().nullable(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  contextVerificationType: z.number().int().nullable(),
  domainClassification: z.number().int().nullable(),
  sources: z.array(provenanceSchema),
});
export type NetworkEvent = z.infer<typeof networkEventSchema>;

export const permissionStatusSchema = z.enum(['granted', 'denied', 'limited', 'unknown']);
export type PermissionStatus = z.infer<typeof permissionStatusSchema>;

/**
 * `events --kind permission` record: the permission state one app held for one service at backup
 * time (TCC.db), or its location authorisation (locationd clients.plist). `time` is when the entry
 * last changed (TCC) or when a location service last stopped for the app (locationd), if known.
 */
export const permissionEventSchema = z.object({
  id: z.string(),
  kind: z.literal('permission'),
  device: z.string(),
  app: z.string(),
  appName: z.string().nullable(),
  /**
   * `tcc` (TCC.db access row), `location-clients` (locationd clients.plist entry) or
   * `android-package` (a permission of `dumpsys package`).
   */
  origin: z.enum(['tcc', 'location-clients', 'android-package']),
  /** The raw service name (`kTCCServiceCamera`), or `locationd` for a location client. */
  raw: z.string(),
  category: categorySchema,
  status: permissionStatusSchema,
  reason: z.string().nullable(),
  time: z.string().nullable(),
  sources: z.array(provenanceSchema),
});
export type PermissionEvent = z.infer<typeof permissionEventSchema>;

/**
 * `events --kind network-usage` record: bytes iOS attributed to one process (DataUsage.sqlite, one
 * record per usage row) or one process's daily baseline (osanalytics addaily). Counters are never
 * summed across rows. `app` is the bundle id when the row names one, else null (a system process).
 */
export const networkUsageEventSchema = z.object({
  id: z.string(),
  kind: z.literal('network-usage'),
  device: z.string(),
  app: z.string().nullable(),
  appName: z.string().nullable(),
  origin: z.enum(['data-usage', 'addaily']),
  process: z.string(),
  wifiIn: z.number().nullable(),
  wifiOut: z.number().nullable(),
  cellIn: z.number().nullable(),
  cellOut: z.number().nullable(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  sources: z.array(provenanceSchema),
});
export type NetworkUsageEvent = z.infer<typeof networkUsageEventSchema>;

/**
 * `events --kind profile` record: a configuration profile installed at backup time
 * (`operation: installed`), or an install/remove event from MCProfileEvents.plist.
 */
export const profileEventSchema = z.object({
  id: z.string(),
  kind: z.literal('profile'),
  device: z.string(),
  identifier: z.string(),
  displayName: z.string().nullable(),
  organization: z.string().nullable(),
  operation: z.enum(['installed', 'install', 'remove', 'other']),
  process: z.string().nullable(),
  payloadTypes: z.array(z.string()),
  mdm: z.boolean(),
  vpn: z.boolean(),
  rootCertificate: z.boolean(),
  time: z.string().nullable(),
  sources: z.array(provenanceSchema),
});
export type ProfileEvent = z.infer<typeof profileEventSchema>;

/** A backup found on disk (`backups --json`). Serial and UDID are masked unless unmasked. */
export const backupSummarySchema = z.object({
  path: z.string(),
  udid: z.string().nullable(),
  serial: z.string().nullable(),
  deviceName: z.string().nullable(),
  productType: z.string().nullable(),
  model: z.string().nullable(),
  iosVersion: z.string().nullable(),
  buildVersion: z.string().nullable(),
  lastBackup: z.string().nullable(),
  encrypted: z.boolean().nullable(),
  snapshotState: z.string().nullable(),
  complete: z.boolean().nullable(),
  format: z.enum(['manifest-db', 'manifest-mbdb', 'unknown']),
  sizeBytes: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type BackupSummary = z.infer<typeof backupSummarySchema>;

const dayText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * A column to compare as asked for: a device, optionally limited to its device-local days from
 * `from` (inclusive) to `to` (exclusive), both `YYYY-MM-DD`.
 */
export const compareSpecSchema = z
  .object({
    label: z.string().trim().min(1).max(200),
    deviceId: z.number().int().positive(),
    from: dayText.optional(),
    to: dayText.optional(),
  })
  .strict();
export type CompareSpecInput = z.infer<typeof compareSpecSchema>;

/** Two columns or more (devices or periods) and the night window. */
export const compareRequestSchema = z
  .object({
    columns: z.array(compareSpecSchema).min(2).max(12),
    night: dayWindowSchema.optional(),
    /**
     * Devices (no order: change is the spread) or periods (ordered: change is last minus first);
     * when absent, periods if any column has a date bound.
     */
    kind: z.enum(['devices', 'periods']).optional(),
  })
  .strict();
export type CompareRequest = z.infer<typeof compareRequestSchema>;

/** One column of a comparison: a device, or a period of one device. */
export const compareColumnSchema = z.object({
  /** The device label, or the period as written (`Alice:2024-01-01..2024-03-01`). */
  label: z.string(),
  /** Device-local days its sources cover (inside the period): the divisor of every rate. */
  observedDays: z.number().int(),
  sessions: z.number().int(),
  /** Sessions per observed day; null when nothing was observed. */
  sessionsPerDay: z.number().nullable(),
  nightSessions: z.number().int(),
  medianSeconds: z.number().nullable(),
  longestSeconds: z.number().nullable(),
  /** Background sessions over sessions with a known state; null when no session has one. */
  backgroundShare: z.number().nullable(),
  /** Sessions with a known app state: the sample the background share is taken over. */
  knownStateSessions: z.number().int().optional(),
  /** Closed sessions (duration known): the sample of the median and the longest. */
  closedSessions: z.number().int().optional(),
  /**
   * Sessions starting while the device's own records (PowerLog, usagestats) say it was locked,
   * over the sessions whose lock state at their start is known; null when none is known.
   */
  lockedShare: z.number().nullable().optional(),
  /** Sessions whose lock state at their start is known: the sample the locked share is taken over. */
  knownLockSessions: z.number().int().optional(),
});
export type CompareColumn = z.infer<typeof compareColumnSchema>;

/** `compare --json` row: one app × category seen in any column (zero where a column has none). */
export const compareRowSchema = z.object({
  /** The app identifier (the first of a pairing of counterparts, e.g. iOS and Android ids). */
  app: z.string(),
  appName: z.string().nullable(),
  /** Every identifier the row stands for (one, or the paired counterparts). */
  apps: z.array(z.string()),
  category: categorySchema,
  columns: z.array(compareColumnSchema),
});
export type CompareRow = z.infer<typeof compareRowSchema>;

/** A compared column with its observation window, for drawing "no data" days. */
export interface CompareColumnInfo {
  label: string;
  deviceId: number;
  from: string | null;
  to: string | null;
  /** The device-local days (days since 1970-01-01) its sources cover inside the period, ascending. */
  days: number[];
  /** The device's latest UTC offset in minutes (the one its local days were counted in). */
  offsetMin: number;
  platform?: Platform;
  /** Access sessions of the column (every app and category, inside the period). */
  sessions?: number;
  /** Android captures imported for the device (appops keeps only the last access of each op). */
  androidCaptures?: number;
}

/** The bridge's comparison: the columns with their observed days, and the rows. */
export interface CompareResult {
  columns: CompareColumnInfo[];
  rows: CompareRow[];
  night: { from: string; to: string };
  /** How "change" is defined: the spread for devices, last minus first for periods. */
  kind?: 'devices' | 'periods';
}

/** Two app identifiers the examiner paired across platforms (stored in the case). */
export interface AppPairing {
  a: string;
  b: string;
  createdAt: number;
}

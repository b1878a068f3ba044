import { z } from 'zod';
import { categorySchema, type Category } from './categories';
import { dayWindowSchema, filterSchema } from './filter';
import {
  FINDING_RULES,
  findingParamsSchema,
  type Annotation,
  type Finding,
  type FindingParams,
  type FindingRuleInfo,
} from './findings';
import type {
  BackupSummary,
  Device,
  DeviceState,
  ImportCounts,
  ImportOutcome,
  PermissionStatus,
  Platform,
  SourceInfo,
} from './records';
import {
  compareRequestSchema,
  platformSchema,
  type AppPairing,
  type CompareResult,
} from './records';
import type { CaseUpgradeStatus, FindingsStatus } from './events';
import type { DeviceKeyFindings } from './key-findings';
import type { ImportWarning } from './warnings';

/**
 * The bridge, declared once: every call's name and input schema. The output types are in
 * `ApiOutputs`. Main, the dev server and the CLI serve it through the same `dispatch`.
 */

const empty = z.object({}).strict();
const id = z.number().int().positive();
const path = z.string().min(1).max(4096);

export const rangeSchema = z.object({ fromMs: z.number(), toMs: z.number() });

export const api = {
  getAppInfo: empty,

  createCase: z.object({ path }).strict(),
  openCase: z.object({ path }).strict(),
  closeCase: empty,
  getCase: empty,
  /** Where the upgrade of a case being opened stands (null when none ran since the app started). */
  getCaseUpgrade: empty,
  /** Stops the upgrade of the case being opened between two steps; no case is open afterwards. */
  cancelCaseUpgrade: empty,
  listRecentCases: empty,
  forgetRecentCase: z.object({ path }).strict(),

  listDevices: empty,
  createDevice: z
    .object({
      label: z.string().trim().min(1).max(200),
      platform: platformSchema.optional(),
      timeZone: z.string().max(100).optional(),
    })
    .strict(),
  renameDevice: z.object({ deviceId: id, label: z.string().trim().min(1).max(200) }).strict(),

  listSources: z.object({ deviceId: id.optional() }).strict(),
  getSourceWarnings: z.object({ sourceId: id }).strict(),
  moveSource: z.object({ sourceId: id, deviceId: id }).strict(),
  removeSource: z.object({ sourceId: id }).strict(),

  /**
   * Imports files into a device: App Privacy Report exports, and Android captures (bugreport
   * zips, AndroidQF folders or zips, dumpsys folders or files). `timeZone` is the phone's IANA
   * zone for an Android capture that does not record it.
   */
  startImport: z
    .object({
      paths: z.array(path).min(1).max(1000),
      deviceId: id,
      timeZone: z.string().min(1).max(100).optional(),
    })
    .strict(),
  cancelImport: z.object({ importId: z.string().min(1) }).strict(),

  /** Backups in the default locations of this system plus the folders given (each a backup or a folder of backups). */
  listBackups: z.object({ folders: z.array(path).max(100).optional() }).strict(),
  /** One backup folder: what it is, whether its keys are already derived, which device it is. */
  inspectBackup: z.object({ path }).strict(),
  /**
   * Imports a backup folder: the phone's identity and apps, then each artifact as its own source.
   * `deviceId` or `label` binds the phone to a device (else the device with its UDID, else a new
   * one). The password is used for this call only and never stored, logged or sent in an event.
   */
  startBackupImport: z
    .object({
      path,
      deviceId: id.optional(),
      label: z.string().trim().min(1).max(200).optional(),
      timeZone: z.string().min(1).max(100).optional(),
      password: z.string().min(1).max(1024).optional(),
    })
    .strict(),

  /** Connected iPhones and whether the backup tools are installed. */
  listConnectedDevices: empty,
  /** Makes a fresh backup of a connected iPhone into `folder` (progress: `onDeviceBackupProgress`). */
  startDeviceBackup: z.object({ udid: z.string().min(1).max(100), folder: path }).strict(),
  cancelDeviceBackup: z.object({ backupId: z.string().min(1) }).strict(),

  /** Android phones connected over adb, and whether adb is installed. */
  listAndroidDevices: empty,
  /**
   * Captures a connected Android phone over adb (appops, usagestats, package, getprop) into the
   * case's `captures` folder and imports it; with `watchMinutes`, again every N minutes until
   * stopped (progress: `onAndroidCapture`).
   */
  startAndroidCapture: z
    .object({
      serial: z.string().min(1).max(200),
      deviceId: id.optional(),
      label: z.string().trim().min(1).max(200).optional(),
      timeZone: z.string().min(1).max(100).optional(),
      watchMinutes: z.number().int().min(1).max(1440).optional(),
    })
    .strict(),
  stopAndroidCapture: z.object({ captureId: z.string().min(1) }).strict(),

  queryTimeline: z
    .object({
      filter: filterSchema,
      range: rangeSchema.optional(),
      width: z.number().int().min(10).max(20_000),
      laneSearch: z.string().max(200).optional(),
      /**
       * The lanes (by place in the answer's order, from 0) whose sessions, bins, network spans and
       * permission marks to send; every lane is still listed with its totals. Over hundreds of
       * lanes, the few in view then get bins as fine as if they were shown alone.
       */
      lanes: z
        .object({
          offset: z.number().int().min(0).max(1_000_000),
          limit: z.number().int().min(1).max(1_000),
        })
        .strict()
        .optional(),
    })
    .strict(),
  /**
   * The timeline folded onto one day: every session of the filter placed at its device-local time
   * of day (ms since local midnight, 0..86,400,000), so days overlay; `range` is a part of that day.
   */
  queryTimeOfDay: z
    .object({
      filter: filterSchema,
      range: rangeSchema.optional(),
      width: z.number().int().min(10).max(20_000),
    })
    .strict(),
  getSession: z.object({ id: z.string().min(1).max(300) }).strict(),
  querySummary: z.object({ filter: filterSchema, night: dayWindowSchema.optional() }).strict(),
  queryHeatmap: z.object({ filter: filterSchema }).strict(),
  queryNetwork: z
    .object({ filter: filterSchema, snapshots: z.enum(['latest', 'all']).optional() })
    .strict(),
  /** The Network view's groups: one entry per device and app with its counts, no rows. */
  queryNetworkGroups: z
    .object({ filter: filterSchema, snapshots: z.enum(['latest', 'all']).optional() })
    .strict(),
  /** One page of one group's network rows (a device and an app identifier), by hits, domain, id. */
  queryNetworkRows: z
    .object({
      filter: filterSchema,
      snapshots: z.enum(['latest', 'all']).optional(),
      deviceId: id,
      app: z.string().min(1).max(1000),
      offset: z.number().int().min(0).max(1_000_000_000).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    })
    .strict(),
  listApps: z.object({ deviceIds: z.array(id).optional() }).strict(),
  queryPermissions: z.object({ filter: filterSchema }).strict(),
  queryNetworkUsage: z.object({ filter: filterSchema }).strict(),
  queryProfiles: z.object({ filter: filterSchema }).strict(),
  /** The findings rules with their parameters, defaults and severity criteria. */
  listFindingRules: empty,
  /**
   * Findings over the filtered records; `params` overrides rule parameters (`rule.name`). While
   * the stored findings this would read are being computed, answers none with `pending` set.
   */
  queryFindings: z
    .object({
      filter: filterSchema,
      params: findingParamsSchema.optional(),
      rules: z.array(z.enum(FINDING_RULES)).optional(),
      /**
       * At most this many evidence ids per finding (default and most 5,000, the engine's cap); the
       * rest are counted in `details.evidenceTruncated`. A view listing a few asks for a few.
       */
      evidenceLimit: z.number().int().min(0).max(5000).optional(),
      /**
       * A list to show, not to keep: each finding without what it says when opened (its caveat
       * is '' and its details {}), which `getFindingEvidence` gives with the finding's evidence.
       */
      list: z.boolean().optional(),
    })
    .strict(),
  /**
   * Per device (all, or those named), the few apps that deserve attention, each in one sentence,
   * and every other finding grouped by app (the case's parameters, every record of the device).
   */
  queryKeyFindings: z.object({ deviceIds: z.array(id).max(1000).optional() }).strict(),
  /**
   * One page of a finding's evidence ids (at most 5,000 in all), read when the finding is opened,
   * with the finding itself as `queryFindings` gives it (no evidence ids) for the same filter and
   * parameters: its caveat and details, which a list read with `list` leaves out.
   */
  getFindingEvidence: z
    .object({
      filter: filterSchema,
      params: findingParamsSchema.optional(),
      findingId: z.string().min(1).max(2000),
      offset: z.number().int().min(0).max(5000).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  /** Devices or periods side by side: one row per app × category, rates per observed day. */
  queryCompare: compareRequestSchema,
  /** The app pairings stored in the case (counterparts treated as one app when comparing). */
  listPairings: empty,
  /** Pairs two app identifiers, or with `remove` unpairs them (recorded in the audit log). */
  pairApps: z
    .object({
      a: z.string().trim().min(1).max(300),
      b: z.string().trim().min(1).max(300),
      remove: z.boolean().optional(),
    })
    .strict(),
  /** iOS/Android counterparts worth pairing: from the built-in app catalog, then by equal name. */
  suggestPairings: empty,
  /**
   * Names an app identifier on every device that has it, or on one device; `name: null` clears
   * the examiner's name. A name from the device's backup stays shown. Recorded in the audit log.
   */
  renameApp: z
    .object({
      identifier: z.string().trim().min(1).max(300),
      name: z.string().trim().min(1).max(200).nullable(),
      deviceId: id.optional(),
    })
    .strict(),
  /** The rule parameters stored in the case (the examiner's changes to the defaults). */
  getFindingParams: empty,
  /** Stores the case's rule parameters; recorded in the audit log. */
  setFindingParams: z.object({ params: findingParamsSchema }).strict(),
  /** Where the stored findings stand (being computed, up to date, or what failed). */
  getFindingsStatus: empty,
  /** Computes the stale stored findings again in the import worker (after a failure). */
  refreshFindings: empty,
  /** Stars, tags or notes a record or a finding by its stable id (recorded in the audit log). */
  annotate: z
    .object({
      target: z.string().min(1).max(400),
      star: z.boolean().optional(),
      addTags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
      removeTags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
      note: z.string().max(20_000).nullable().optional(),
    })
    .strict(),
  listAnnotations: z
    .object({
      tag: z.string().max(100).optional(),
      targets: z.array(z.string().max(400)).max(5000).optional(),
    })
    .strict(),
  /** One permission, network-usage or profile record with its source and raw fields. */
  getRecord: z.object({ id: z.string().min(1).max(100) }).strict(),
  /** Screen-off and locked stretches of devices in a time range, with the windows their logs cover. */
  queryDeviceStates: z
    .object({
      deviceIds: z.array(id).max(500),
      fromMs: z.number().finite(),
      toMs: z.number().finite(),
    })
    .strict(),

  exportSessionsCsv: z
    .object({ filter: filterSchema, path, night: dayWindowSchema.optional() })
    .strict(),
  /** Writes a signed evidence bundle of the filtered case (progress in the result only). */
  exportBundle: z
    .object({
      filter: filterSchema,
      path,
      redactContexts: z.boolean().optional(),
      redactApps: z.array(z.string().min(1).max(300)).max(500).optional(),
      includeSources: z.boolean().optional(),
      unmask: z.boolean().optional(),
      /** The examiner's name for the report's cover. */
      examiner: z.string().trim().max(200).optional(),
      /** Adds the comparison (matrix CSV and a report section) as exported from the comparison view. */
      comparison: compareRequestSchema.optional(),
    })
    .strict(),
  /** Checks a bundle's signature and every file's sha256; names what does not match. */
  verifyBundle: z.object({ path, fingerprint: z.string().max(200).optional() }).strict(),
  listAudit: z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  verifyAudit: empty,

  /** Host calls: dialogs belong to the shell (main) or the dev server. */
  pickCaseFile: z.object({ mode: z.enum(['create', 'open']) }).strict(),
  pickImportFiles: empty,
  /** A folder: a backup to import or a folder holding backups (`open`), or where to write a new backup (`create`). */
  pickFolder: z.object({ mode: z.enum(['open', 'create']) }).strict(),
  pickSavePath: z.object({ defaultName: z.string().min(1).max(255) }).strict(),
} as const;

export type ApiMethod = keyof typeof api;
export type ApiInput<M extends ApiMethod> = z.output<(typeof api)[M]>;
export type ApiRawInput<M extends ApiMethod> = z.input<(typeof api)[M]>;

export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'devserver' | 'cli';
}

export interface CaseInfo {
  path: string;
  name: string;
  createdAt: number;
  schemaVersion: number;
  devices: Device[];
  sources: number;
  sessions: number;
  /** Earliest and latest instant of any stored access session or network row. */
  extent: { fromMs: number; toMs: number } | null;
}

export interface RecentCase {
  path: string;
  name: string;
  openedAt: number;
  exists: boolean;
}

export interface TimelineLane {
  key: string;
  deviceId: number;
  deviceLabel: string;
  appId: number;
  app: string;
  appName: string | null;
  sessions: number;
  totalMs: number;
}

export interface TimelineSession {
  id: string;
  lane: string;
  category: Category;
  /** Null when the begin is unknown (open session). */
  startMs: number | null;
  /** Null when the end is unknown (open session). */
  endMs: number | null;
  anchorMs: number;
  offsetMin: number;
  open: boolean;
  /** App state at the access (reported by the OS, else inferred from usage records). */
  state: 'foreground' | 'background' | 'unknown';
  stateSource: 'reported' | 'inferred' | null;
}

/** One bin of a timeline, as the renderer draws it (see {@link TimelineBins} for the answer's). */
export interface TimelineBin {
  lane: string;
  category: Category;
  startMs: number;
  count: number;
  busyMs: number;
}

/**
 * A timeline's bins as columns: bin `i` is of lane `lanes[lane[i]]` and category
 * `categories[category[i]]`, starts at `startMs[i]` and holds `count[i]` sessions in use for
 * `busyMs[i]` ms. A zoomed-out answer holds tens of thousands of bins: columns of numbers cost
 * a fraction of one object per bin to build, carry and parse.
 */
export interface TimelineBins {
  lanes: string[];
  categories: Category[];
  lane: number[];
  category: number[];
  startMs: number[];
  count: number[];
  busyMs: number[];
}

export interface NetworkSpan {
  lane: string;
  firstMs: number;
  lastMs: number;
  hits: number;
  domains: number;
}

/** A dated permission record drawn as a mark on its app's lane. */
export interface TimelineMark {
  id: string;
  lane: string;
  kind: 'permission';
  category: Category;
  status: PermissionStatus;
  atMs: number;
  offsetMin: number;
}

export interface TimelineResult {
  extent: { fromMs: number; toMs: number } | null;
  range: { fromMs: number; toMs: number } | null;
  lanes: TimelineLane[];
  mode: 'sessions' | 'bins';
  binMs: number | null;
  sessions: TimelineSession[];
  bins: TimelineBins;
  network: NetworkSpan[];
  /** Permission records dated inside the range (lanes with only marks are listed after the others). */
  marks: TimelineMark[];
  total: number;
  /**
   * Present when the sessions, bins, network spans and marks are those of some lanes only (the
   * `count` lanes from place `offset`, as asked with `lanes`): the others are not loaded, which
   * says nothing of their activity. Every lane's totals, and `total`, are the whole answer's.
   */
  lanesLoaded?: { offset: number; count: number };
  /**
   * The device-local days the access logs of the filter's devices cover, cut to its date range:
   * outside them a lane is drawn as "no data", never as a quiet stretch. Absent on a folded day.
   */
  observed?: ObservedDays[];
}

/** The days one device's access logs (App Privacy Reports, Android captures) cover. */
export interface ObservedDays {
  deviceId: number;
  label: string;
  /** The device's latest UTC offset in minutes (the one its local days are counted in). */
  offsetMin: number;
  /** Ascending, disjoint, inclusive ranges of device-local day numbers (days since 1970-01-01). */
  ranges: [number, number][];
}

export interface EdgeDetails {
  kind: 'begin' | 'end';
  timestamp: string;
  line: number;
  rawLine: string;
  source: { id: number; fileName: string; sha256: string; path: string };
  /** Other exports holding this edge; `differs` marks a conflicting variant, whose line is given. */
  alsoIn: {
    sourceId: number;
    fileName: string;
    sha256: string;
    line: number;
    differs: boolean;
    rawLine: string | null;
  }[];
}

export interface SessionDetails {
  id: string;
  deviceId: number;
  device: string;
  app: string;
  appName: string | null;
  category: Category;
  raw: string;
  startMs: number | null;
  endMs: number | null;
  startOffsetMin: number | null;
  endOffsetMin: number | null;
  durationMs: number | null;
  open: boolean;
  openReason: 'missing-end' | 'missing-begin' | null;
  conflict: boolean;
  state: 'foreground' | 'background' | 'unknown';
  stateSource: 'reported' | 'inferred' | null;
  intervalId: string;
  extra: Record<string, unknown>;
  edges: EdgeDetails[];
  /** Android app-op facts; null for other sources. */
  android: {
    /** As printed, e.g. `bg-s` (state and flag). */
    rawState: string | null;
    attributionTag: string | null;
    proxy: { uid: number | null; packageName: string | null; attributionTag: string | null } | null;
    durationKnown: boolean;
    /** The state inferred from usage records, apart from the reported one. */
    inferredState: 'foreground' | 'background' | null;
    /** The proxy app's own line of this access (printed under the proxy app). */
    proxyLines: {
      app: string;
      sourceId: number;
      fileName: string;
      sha256: string;
      line: number;
      rawLine: string;
    }[];
  } | null;
  /** The device's own state at the start (screen, lock, app in front), filled by the bridge. */
  deviceState?: DeviceState;
}

/** `queryDeviceStates`: one device's screen-off and locked stretches and the windows covered. */
export interface DeviceStateBands {
  deviceId: number;
  /** Where the device's logs record each kind; outside them the state is unknown. */
  coverage: { kind: 'screen' | 'lock'; fromMs: number; toMs: number }[];
  /** Stretches with the screen off, or the device locked, cut to the range and to coverage. */
  bands: { kind: 'screen-off' | 'locked'; fromMs: number; toMs: number; basis: string }[];
}

export interface SummaryItem {
  deviceId: number;
  device: string;
  appId: number;
  app: string;
  appName: string | null;
  category: Category;
  sessions: number;
  openSessions: number;
  totalMs: number | null;
  longestMs: number | null;
  nightSessions: number;
  first: { ms: number; offsetMin: number } | null;
  last: { ms: number; offsetMin: number } | null;
}

export interface HeatmapResult {
  /** Local day numbers (days since 1970-01-01 in device-local time), inclusive. */
  fromDay: number | null;
  toDay: number | null;
  cells: { day: number; hour: number; sessions: number; busyMs: number }[];
  /** The observed days of the filter's devices; `fromDay`..`toDay` spans them as well as the cells. */
  observed?: ObservedDays[];
}

export interface NetworkItem {
  id: string;
  deviceId: number;
  device: string;
  sourceId: number;
  sourceName: string;
  sourceSha256: string;
  line: number;
  app: string;
  appName: string | null;
  domain: string;
  domainOwner: string | null;
  domainType: number | null;
  profiling: boolean;
  initiatedType: string | null;
  context: string | null;
  hits: number | null;
  firstMs: number | null;
  firstOffsetMin: number | null;
  lastMs: number | null;
  lastOffsetMin: number | null;
  contextVerificationType: number | null;
  domainClassification: number | null;
}

/** `queryNetworkGroups`: one device's app and what its network rows under the filter hold. */
export interface NetworkGroupItem {
  deviceId: number;
  device: string;
  /** The app's identifier (bundle id) as the report wrote it. */
  app: string;
  /** The app's shown name, when known. */
  appName: string | null;
  /** Rows (one per domain and snapshot, or per domain with the latest snapshot). */
  rows: number;
  /** Distinct domains among the rows. */
  domains: number;
  /** Distinct domains Apple flagged (domain type 1) among the rows. */
  profiling: number;
}

/** `queryNetworkGroups`: the groups, most domains first, then by shown name and device. */
export interface NetworkGroupsResult {
  groups: NetworkGroupItem[];
  /** Rows of every group together. */
  rows: number;
  /**
   * Whether the filter's devices (every device when it names none) hold any network row at all,
   * whatever the rest of the filter: false means no App Privacy Report with network records was
   * imported for them, which says nothing about what the phone did.
   */
  recorded: boolean;
}

/** `queryNetworkRows`: a page of one group's rows and how many it has under the filter. */
export interface NetworkRowsPage {
  items: NetworkItem[];
  total: number;
  offset: number;
}

/** `suggestPairings`: an iOS and an Android identifier that look like one app. */
export interface PairingSuggestion {
  name: string;
  /** The iOS identifier. */
  a: string;
  /** The Android identifier. */
  b: string;
  /** `catalog`: the built-in catalog lists both as one app; `same-name`: equal shown names. */
  reason: 'catalog' | 'same-name';
}

/** `renameApp`: one app as the change left it, with where its shown name comes from. */
export interface NamedApp {
  deviceId: number;
  device: string;
  identifier: string;
  displayName: string | null;
  nameSource: 'backup' | 'user' | 'catalog' | null;
  backupName: string | null;
  userName: string | null;
}

export interface AppItem {
  id: number;
  deviceId: number;
  identifier: string;
  displayName: string | null;
  sessions: number;
}

/** `inspectBackup`: a backup folder as found, and what importing it would do. */
export interface BackupInspection {
  backup: BackupSummary;
  /** The device of the case already bound to this phone (by UDID), if any. */
  boundDevice: { id: number; label: string } | null;
  /** True when the keys of this encrypted backup were derived earlier in this session. */
  keysCached: boolean;
  /** Estimated seconds the key derivation takes on this machine (encrypted backups only). */
  derivationSeconds: number | null;
}

export interface PermissionItem {
  id: string;
  deviceId: number;
  device: string;
  app: string;
  appName: string | null;
  origin: 'tcc' | 'location-clients' | 'android-package';
  raw: string;
  /** A human name of the service (`Camera`, `Location`). */
  label: string;
  category: Category;
  status: PermissionStatus;
  reason: string | null;
  timeMs: number | null;
  offsetMin: number | null;
  sourceId: number;
  locator: string;
}

export interface NetworkUsageItem {
  id: string;
  deviceId: number;
  device: string;
  app: string | null;
  appName: string | null;
  origin: 'data-usage' | 'addaily';
  process: string;
  wifiIn: number | null;
  wifiOut: number | null;
  cellIn: number | null;
  cellOut: number | null;
  firstMs: number | null;
  lastMs: number | null;
  offsetMin: number | null;
  sourceId: number;
  locator: string;
}

export interface ProfileItem {
  id: string;
  deviceId: number;
  device: string;
  identifier: string;
  displayName: string | null;
  organization: string | null;
  operation: 'installed' | 'install' | 'remove' | 'other';
  process: string | null;
  payloadTypes: string[];
  mdm: boolean;
  vpn: boolean;
  rootCertificate: boolean;
  timeMs: number | null;
  offsetMin: number | null;
  sourceId: number;
  locator: string;
}

/** `getRecord`: one stored record of a backup artifact, with where it came from. */
export interface RecordDetails {
  id: string;
  kind: 'permission' | 'network-usage' | 'profile';
  deviceId: number;
  device: string;
  /** The record's fields as listed in the views. */
  fields: Record<string, unknown>;
  /** Every raw field of the row that was read, as stored. */
  raw: Record<string, unknown>;
  /** Domain, relative path and row (or key) in the backup. */
  locator: string;
  source: { id: number; fileName: string; sha256: string; path: string; importer: string };
  /** What this kind of record proves and does not prove (the importer's manifest). */
  proves: string[];
  doesNotProve: string[];
}

/** A phone connected over USB, as the backup tools see it. */
export interface ConnectedDevice {
  udid: string;
  name: string | null;
  productType: string | null;
  model: string | null;
  iosVersion: string | null;
  /** Null when the phone answered; else what to do (e.g. unlock it and tap Trust). */
  problem: string | null;
}

export interface ConnectedDevices {
  /** Paths of the tools found; null when missing. */
  tools: { ideviceId: string | null; idevicebackup2: string | null; ideviceinfo: string | null };
  /** What to install on this operating system when a tool is missing; null when all are there. */
  installHint: string | null;
  /** Why phones could not be listed (e.g. the usbmuxd service is not running); null when they were. */
  problem: string | null;
  devices: ConnectedDevice[];
}

/** A phone as `adb devices -l` lists it. */
export interface AndroidDevice {
  serial: string;
  state: string;
  model: string | null;
  product: string | null;
  /** What to do on the phone or this computer before a capture can start; null when ready. */
  problem: string | null;
}

export interface AndroidDevices {
  /** The adb found, or null. */
  adb: string | null;
  /** What to install when adb is missing; null when it is there. */
  installHint: string | null;
  /** Said when no phone is listed (turn on USB debugging…), or null. */
  hint: string | null;
  /** Why phones could not be listed, or null. */
  problem: string | null;
  devices: AndroidDevice[];
}

export interface AuditEntry {
  seq: number;
  at: number;
  action: string;
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditCheck {
  intact: boolean;
  entries: number;
  firstBroken: number | null;
  message: string;
}

/** A page of an opened finding's evidence ids, and the finding (its evidence left empty). */
export interface FindingEvidencePage {
  ids: string[];
  /** Evidence ids in all (at most 5,000). */
  total: number;
  offset: number;
  finding: Finding;
}

/** The findings a request asks for, or none while the stored findings it reads are computed. */
export interface FindingsAnswer {
  findings: Finding[];
  /**
   * Set when the stored findings this request reads are being computed (or that failed): the
   * list is then empty and an `onFindingsStatus` event follows; null when `findings` is the answer.
   */
  pending: FindingsStatus | null;
}

export interface ApiOutputs {
  getAppInfo: AppInfo;
  createCase: CaseInfo;
  openCase: CaseInfo;
  closeCase: null;
  getCase: CaseInfo | null;
  getCaseUpgrade: CaseUpgradeStatus | null;
  cancelCaseUpgrade: { cancelled: boolean };
  listRecentCases: RecentCase[];
  forgetRecentCase: null;
  listDevices: Device[];
  createDevice: Device;
  renameDevice: Device;
  listSources: SourceInfo[];
  getSourceWarnings: ImportWarning[];
  moveSource: SourceInfo;
  removeSource: { removed: number };
  startImport: { importId: string };
  cancelImport: { cancelled: boolean };
  listBackups: BackupSummary[];
  inspectBackup: BackupInspection;
  startBackupImport: { importId: string };
  listConnectedDevices: ConnectedDevices;
  startDeviceBackup: { backupId: string };
  cancelDeviceBackup: { cancelled: boolean };
  listAndroidDevices: AndroidDevices;
  startAndroidCapture: { captureId: string };
  stopAndroidCapture: { stopped: boolean };
  queryTimeline: TimelineResult;
  queryTimeOfDay: TimelineResult;
  getSession: SessionDetails;
  querySummary: SummaryItem[];
  queryHeatmap: HeatmapResult;
  queryNetwork: NetworkItem[];
  queryNetworkGroups: NetworkGroupsResult;
  queryNetworkRows: NetworkRowsPage;
  listApps: AppItem[];
  queryPermissions: PermissionItem[];
  queryNetworkUsage: NetworkUsageItem[];
  queryProfiles: ProfileItem[];
  getRecord: RecordDetails;
  queryDeviceStates: DeviceStateBands[];
  listFindingRules: FindingRuleInfo[];
  queryFindings: FindingsAnswer;
  queryKeyFindings: DeviceKeyFindings[];
  getFindingEvidence: FindingEvidencePage;
  queryCompare: CompareResult;
  listPairings: AppPairing[];
  pairApps: { changed: boolean };
  suggestPairings: PairingSuggestion[];
  renameApp: NamedApp[];
  getFindingParams: FindingParams;
  setFindingParams: FindingParams;
  getFindingsStatus: FindingsStatus;
  refreshFindings: FindingsStatus;
  annotate: Annotation;
  listAnnotations: Annotation[];
  exportSessionsCsv: { path: string; rows: number; sha256: string };
  exportBundle: {
    path: string;
    fingerprint: string;
    events: number;
    files: { name: string; size: number; sha256: string }[];
    /** Set on the export that created the installation's signing key: back it up, publish it. */
    keyCreated?: { path: string; fingerprint: string };
  };
  verifyBundle: {
    ok: boolean;
    fingerprint: string | null;
    problems: string[];
    /** What the check could not establish without being a failure (e.g. withheld old audit entries). */
    notes: string[];
    files: {
      name: string;
      status: 'ok' | 'changed' | 'missing' | 'unlisted' | 'ambiguous';
    }[];
  };
  listAudit: AuditEntry[];
  verifyAudit: AuditCheck;
  pickCaseFile: string | null;
  pickImportFiles: string[];
  pickFolder: string | null;
  pickSavePath: string | null;
}

export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

/** What an implementation of the bridge must provide; the compiler checks services against it. */
export type ApiHandlers = {
  [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiOutput<M>> | ApiOutput<M>;
};

export const HOST_METHODS = [
  'pickCaseFile',
  'pickImportFiles',
  'pickFolder',
  'pickSavePath',
] as const;
export type HostMethod = (typeof HOST_METHODS)[number];
export type HostHandlers = Pick<ApiHandlers, HostMethod>;
export type CoreHandlers = Omit<ApiHandlers, HostMethod>;

export type { Category, Device, ImportCounts, ImportOutcome, Platform, SourceInfo, ImportWarning };
export { categorySchema };

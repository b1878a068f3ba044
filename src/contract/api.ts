import { z } from 'zod';
import { categorySchema, type Category } from './categories';
import { dayWindowSchema, filterSchema } from './filter';
import type { Device, ImportCounts, ImportOutcome, Platform, SourceInfo } from './records';
import { platformSchema } from './records';
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

  startImport: z.object({ paths: z.array(path).min(1).max(1000), deviceId: id }).strict(),
  cancelImport: z.object({ importId: z.string().min(1) }).strict(),

  queryTimeline: z
    .object({
      filter: filterSchema,
      range: rangeSchema.optional(),
      width: z.number().int().min(10).max(20_000),
      laneSearch: z.string().max(200).optional(),
    })
    .strict(),
  getSession: z.object({ id: z.string().min(1).max(300) }).strict(),
  querySummary: z.object({ filter: filterSchema, night: dayWindowSchema.optional() }).strict(),
  queryHeatmap: z.object({ filter: filterSchema }).strict(),
  queryNetwork: z
    .object({ filter: filterSchema, snapshots: z.enum(['latest', 'all']).optional() })
    .strict(),
  listApps: z.object({ deviceIds: z.array(id).optional() }).strict(),

  exportSessionsCsv: z
    .object({ filter: filterSchema, path, night: dayWindowSchema.optional() })
    .strict(),
  listAudit: z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  verifyAudit: empty,

  /** Host calls: dialogs belong to the shell (main) or the dev server. */
  pickCaseFile: z.object({ mode: z.enum(['create', 'open']) }).strict(),
  pickImportFiles: empty,
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
}

export interface TimelineBin {
  lane: string;
  category: Category;
  startMs: number;
  count: number;
  busyMs: number;
}

export interface NetworkSpan {
  lane: string;
  firstMs: number;
  lastMs: number;
  hits: number;
  domains: number;
}

export interface TimelineResult {
  extent: { fromMs: number; toMs: number } | null;
  range: { fromMs: number; toMs: number } | null;
  lanes: TimelineLane[];
  mode: 'sessions' | 'bins';
  binMs: number | null;
  sessions: TimelineSession[];
  bins: TimelineBin[];
  network: NetworkSpan[];
  total: number;
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

export interface AppItem {
  id: number;
  deviceId: number;
  identifier: string;
  displayName: string | null;
  sessions: number;
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

export interface ApiOutputs {
  getAppInfo: AppInfo;
  createCase: CaseInfo;
  openCase: CaseInfo;
  closeCase: null;
  getCase: CaseInfo | null;
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
  queryTimeline: TimelineResult;
  getSession: SessionDetails;
  querySummary: SummaryItem[];
  queryHeatmap: HeatmapResult;
  queryNetwork: NetworkItem[];
  listApps: AppItem[];
  exportSessionsCsv: { path: string; rows: number; sha256: string };
  listAudit: AuditEntry[];
  verifyAudit: AuditCheck;
  pickCaseFile: string | null;
  pickImportFiles: string[];
  pickSavePath: string | null;
}

export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

/** What an implementation of the bridge must provide; the compiler checks services against it. */
export type ApiHandlers = {
  [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiOutput<M>> | ApiOutput<M>;
};

export const HOST_METHODS = ['pickCaseFile', 'pickImportFiles', 'pickSavePath'] as const;
export type HostMethod = (typeof HOST_METHODS)[number];
export type HostHandlers = Pick<ApiHandlers, HostMethod>;
export type CoreHandlers = Omit<ApiHandlers, HostMethod>;

export type { Category, Device, ImportCounts, ImportOutcome, Platform, SourceInfo, ImportWarning };
export { categorySchema };

/** Shapes of what the report is given to render. */
import type { HeatmapResult, SummaryItem } from '../../../contract/api';
import type { DayWindow } from '../../../contract/filter';
import type { Finding, Severity } from '../../../contract/findings';
import type { Category } from '../../../contract/categories';
import type { CompareRow, Device, SourceInfo } from '../../../contract/records';
import type { ExcerptDeviceState } from './excerpt';

export interface ReportRedaction {
  /** Contexts and URLs replaced by a placeholder. */
  contexts: boolean;
  /** How many apps the examiner chose to redact. */
  apps: number;
  /** Device identifiers shown masked (the default). */
  identifiersMasked: boolean;
}

/** A finding as the report shows it: `evidenceWhere[i]` says where `evidence[i]` was read. */
export type ReportFinding = Finding & {
  /** For the first evidence ids (those the report lists): source file name and locator in words. */
  evidenceWhere?: readonly string[];
  /** How many evidence ids findings.csv lists, when `evidence` holds only the first of them. */
  evidenceListed?: number;
};

/** What the report says of the audit log the manifest carries. */
export interface ReportAudit {
  /** Entries in the case's log. */
  entries: number;
  intact: boolean;
  message: string;
  /** Entries whose payload the manifest withholds because it mentions what is redacted. */
  redacted: number;
  /** Of those, the entries (by number) the bundle alone cannot re-verify (written before payload hashing). */
  unverifiable: readonly number[];
}

export interface ReportInput {
  caseName: string;
  examiner?: string;
  exportedAt: Date;
  /** IANA zone the export time is shown in; defaults to the zone of the exporting machine. */
  timeZone?: string;
  toolVersion: string;
  /** Fingerprint of the installation's signing key (the manifest's signer). */
  fingerprint: string;
  /** Devices as they should appear: identifiers already masked by the caller where required. */
  devices: Device[];
  /** The filter the bundle was exported with, in words (or as typed on the command line). */
  filterText: string;
  summary: SummaryItem[];
  findings: ReportFinding[];
  sources: SourceInfo[];
  heatmap?: HeatmapResult;
  /** Per finding id, the instants (ms) and durations of its evidence accesses, for a timeline excerpt. */
  excerpts?: Record<string, { ms: number; durationMs: number }[]>;
  /** Per finding id, its device's screen and lock state over the excerpt's window. */
  excerptStates?: Record<string, ExcerptDeviceState>;
  redaction: ReportRedaction;
  /** The audit log as the manifest publishes it. */
  audit?: ReportAudit;
  /** Devices or periods compared side by side, redaction already applied. */
  comparison?: ReportComparison;
  /**
   * The key findings (`keyFindings` of the findings module, redaction applied), most important
   * first; without them page 1 ranks the stored findings by severity.
   */
  keyFindings?: ReportKeyFinding[];
}

/** A key finding as page 1 needs it (a `KeyFinding` of the key-findings view fits this shape). */
export interface ReportKeyFinding {
  /** The most severe finding of the app and resource; its evidence is cited. */
  findingId: string;
  deviceId: number;
  app: string;
  appName: string | null;
  category: Category;
  severity: Severity;
  /** App, resource, how often per observed day, when, how long, and what the data cannot prove. */
  sentence: string;
  why?: string | null;
  sessions: number;
  observedDays: number;
  perObservedDay: number;
  hours: { from: number; to: number; share: number } | null;
  cannotProve?: string | null;
  /** The hours a night rule found the accesses in; the first given is shaded as night on page 1. */
  window?: DayWindow | null;
  /** Every finding of the app and resource (their evidence gives the hours chart). */
  findingIds?: string[];
  first: string | null;
  last: string | null;
}

/** A compared column: its device, period and the days its data covers. */
export interface ReportComparisonColumn {
  label: string;
  device: string;
  /** `YYYY-MM-DD`, `to` excluded; null for an open end. */
  from: string | null;
  to: string | null;
  observedDays: number;
  firstObserved: string | null;
  lastObserved: string | null;
  /** Days without data inside the period's span, as runs (both ends included). */
  noData: { first: string; last: string }[];
  noDataDays: number;
  /** The UTC offset (minutes) the device-local days were counted in. */
  offsetMin: number;
}

/** The comparison section's content. */
export interface ReportComparison {
  night: DayWindow;
  columns: ReportComparisonColumn[];
  rows: CompareRow[];
  pairings: { a: string; b: string }[];
}

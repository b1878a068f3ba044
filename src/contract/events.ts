import type { FindingParams } from './findings';
import type { ImportOutcome } from './records';

/** Events main (or the dev server) sends to the renderer. Never carries secrets. */
export interface ImportProgress {
  importId: string;
  path: string;
  fileIndex: number;
  fileCount: number;
  /**
   * `unlocking`: deriving an encrypted backup's keys; `artifacts`: reading a backup's files;
   * `findings`: computing the findings of the devices the import changed, once it is stored.
   */
  phase:
    | 'hashing'
    | 'unlocking'
    | 'reading'
    | 'artifacts'
    | 'pairing'
    | 'committing'
    | 'findings'
    | 'done';
  lines: number;
  bytes: number;
  totalBytes: number;
  percent: number;
  linesPerSecond: number;
  /** What is being read, in words (a backup artifact's name); absent for plain files. */
  detail?: string;
  /** Estimated seconds left, when known (key derivation). */
  etaSeconds?: number | null;
}

/** Progress of a backup being made from a connected iPhone. */
export interface DeviceBackupProgress {
  backupId: string;
  udid: string;
  phase:
    'starting' | 'waiting-for-passcode' | 'copying' | 'finishing' | 'done' | 'failed' | 'cancelled';
  /** Percent done when the tool reports it, else null. */
  percent: number | null;
  /** The latest line the tool printed, or the outcome in words. */
  message: string;
  /** The backup folder (the phone's UDID folder inside the destination), once known. */
  backupPath: string | null;
}

export interface ImportFinished {
  importId: string;
  outcomes: ImportOutcome[];
  cancelled: boolean;
}

/** A capture (or watch) of an Android phone over adb: where it stands and what each capture added. */
export interface AndroidCaptureStatus {
  captureId: string;
  serial: string;
  phase: 'capturing' | 'importing' | 'waiting' | 'stopped';
  /** Host epoch ms of the next capture in watch mode; null otherwise. */
  nextCaptureAt: number | null;
  /** Every capture so far, oldest first. */
  history: {
    folder: string;
    startedAt: number;
    finishedAt: number;
    /** What the import added (access, reject, usage, permission); null when it failed. */
    added: Record<string, number> | null;
    error: string | null;
  }[];
  /** The device the captures went into, once known. */
  deviceId: number | null;
}

/**
 * Where the stored findings stand: `computing` after a parameter change, a source move or removal
 * or an import whose own refresh failed (in the import worker, never on the app's main thread);
 * `ready` once they are up to date (an `onCaseChanged` follows); `failed` with what failed.
 */
export interface FindingsStatus {
  state: 'ready' | 'computing' | 'failed';
  /** The parameters they are (being) computed with: the examiner's changes to the defaults. */
  params: FindingParams;
  /** Devices computed so far and devices to compute, while computing (0 and 0 until known). */
  done: number;
  total: number;
  /** What failed, in a sentence, when `failed`; null otherwise. */
  message: string | null;
}

/**
 * A case written by an earlier version of Snoopscope being upgraded when it is opened: in a
 * worker of its own, a step at a time (each migration, then the rebuild of the summaries), with
 * no case open meanwhile. `running` before each step; then `done` (the case is opened),
 * `cancelled` (stopped between steps; it continues the next time the case is opened) or `failed`.
 */
export interface CaseUpgradeStatus {
  path: string;
  /** The case's name, as the start screen shows it. */
  caseName: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** The step under way (1 for the first), or the last one announced once ended. */
  step: number;
  steps: number;
  /** What the step does, in plain words ("adding half-hour columns to the timeline summary"). */
  stepName: string;
  /** `migrations`: a schema change; `rebuilding`: the summaries rebuilt after them. */
  phase: 'migrations' | 'rebuilding';
  /** Milliseconds since the upgrade started. */
  elapsedMs: number;
  /** Why it ended, in a sentence, when `cancelled` or `failed`; null otherwise. */
  message: string | null;
}

export interface BridgeEvents {
  onImportProgress: ImportProgress;
  onImportFinished: ImportFinished;
  onCaseChanged: { reason: string };
  onDeviceBackupProgress: DeviceBackupProgress;
  onAndroidCapture: AndroidCaptureStatus;
  onFindingsStatus: FindingsStatus;
  onCaseUpgrade: CaseUpgradeStatus;
  /** A menu item of the desktop app that the renderer carries out with its current state. */
  onMenuCommand: { command: 'import' | 'exportCsv' };
}

export type BridgeEventName = keyof BridgeEvents;
export const BRIDGE_EVENTS: readonly BridgeEventName[] = [
  'onImportProgress',
  'onImportFinished',
  'onCaseChanged',
  'onDeviceBackupProgress',
  'onAndroidCapture',
  'onFindingsStatus',
  'onCaseUpgrade',
  'onMenuCommand',
];

import type { ImportOutcome } from './records';

/** Events main (or the dev server) sends to the renderer. Never carries secrets. */
export interface ImportProgress {
  importId: string;
  path: string;
  fileIndex: number;
  fileCount: number;
  phase: 'hashing' | 'reading' | 'pairing' | 'committing' | 'done';
  lines: number;
  bytes: number;
  totalBytes: number;
  percent: number;
  linesPerSecond: number;
}

export interface ImportFinished {
  importId: string;
  outcomes: ImportOutcome[];
  cancelled: boolean;
}

export interface BridgeEvents {
  onImportProgress: ImportProgress;
  onImportFinished: ImportFinished;
  onCaseChanged: { reason: string };
  /** A menu item of the desktop app that the renderer carries out with its current state. */
  onMenuCommand: { command: 'import' | 'exportCsv' };
}

export type BridgeEventName = keyof BridgeEvents;
export const BRIDGE_EVENTS: readonly BridgeEventName[] = [
  'onImportProgress',
  'onImportFinished',
  'onCaseChanged',
  'onMenuCommand',
];

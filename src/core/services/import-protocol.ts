import type { ImportProgress } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import type { ErrorCode } from '../../contract/result';

/** Messages to the import worker. */
export type WorkerRequest =
  | {
      type: 'start';
      importId: string;
      casePath: string;
      paths: string[];
      deviceId: number;
      timeZone?: string;
    }
  | { type: 'cancel' };

/** Messages from the import worker. */
export type WorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  /** An unexpected error that refused one path (the others went on), for the log. */
  | { type: 'log'; message: string; stack: string | null }
  | { type: 'done'; outcomes: ImportOutcome[]; cancelled: boolean }
  | { type: 'error'; code: ErrorCode; message: string; stack: string | null };

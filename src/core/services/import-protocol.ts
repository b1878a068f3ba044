import type { ImportProgress } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import type { ErrorCode } from '../../contract/result';
import type { CallRequest } from './worker-call';

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
  | {
      type: 'start-backup';
      importId: string;
      casePath: string;
      path: string;
      label?: string;
      timeZone?: string;
      password?: string;
      /** Keys unlocked earlier in the session, as import-cache entries. */
      cached: [string, unknown][];
    }
  /** One piece of the command line's import work (see worker-call.ts). */
  | CallRequest
  | { type: 'cancel' };

/** Messages from the import worker. */
export type WorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  /** An entry the import put in its cache (a backup's unlocked keys), for the next import. */
  | { type: 'cache'; key: string; value: unknown }
  /** An unexpected error that refused one path (the others went on), for the log. */
  | { type: 'log'; message: string; stack: string | null }
  | { type: 'done'; outcomes: ImportOutcome[]; cancelled: boolean }
  | { type: 'error'; code: ErrorCode; message: string; stack: string | null };

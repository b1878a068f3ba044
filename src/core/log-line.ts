import { inspect } from 'node:util';
import { AppError } from './model/errors';

/**
 * The text a log gets for `message` and what went wrong: an expected failure (an `AppError`, such
 * as a case folder removed while its findings were computed) on the same line as its sentence and
 * code, without a stack; any other error with its stack on the following lines, as it is a defect
 * to look into; text (a stack handed over from a worker) as it is; other values inspected.
 */
export function logLine(message: string, error?: unknown): string {
  if (error === undefined || error === null || error === '') return message;
  if (error instanceof AppError) return `${message}: ${error.message} (${error.code})`;
  if (error instanceof Error)
    return `${message}\n${error.stack ?? `${error.name}: ${error.message}`}`;
  if (typeof error === 'string') return `${message}\n${error}`;
  return `${message}\n${inspect(error, { depth: 4, breakLength: Infinity })}`;
}

import { AppError } from './model/errors';

/**
 * The line the app's log gets for `message` and what went wrong: an expected failure (an
 * `AppError`, such as a case folder removed while its findings were computed) as its code and
 * sentence, without a stack; anything else with its stack, as it is a defect to look into.
 */
export function logLine(message: string, error?: unknown): string {
  if (error === undefined || error === null || error === '') return message;
  if (error instanceof AppError) return `${message}: ${error.message} (${error.code})`;
  if (error instanceof Error)
    return `${message}\n${error.stack ?? `${error.name}: ${error.message}`}`;
  return `${message}: ${String(error)}`;
}

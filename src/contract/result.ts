/** Error codes a bridge call can return: a closed list shared by main, the dev server and the renderer. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNKNOWN_METHOD',
  'FORBIDDEN',
  'NO_CASE_OPEN',
  'NOT_FOUND',
  'CONFLICT',
  'CASE_BUSY',
  'CASE_INVALID',
  'MIGRATION_FAILED',
  'IO_ERROR',
  'IMPORT_REFUSED',
  'CANCELLED',
  'UNSUPPORTED',
  'PASSWORD_REQUIRED',
  'WRONG_PASSWORD',
  'TIMEZONE_REQUIRED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorShape {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

/** Builds a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failed result. */
export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

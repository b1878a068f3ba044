import type { ErrorCode } from '../../contract/result';

/** An expected failure with a code from the closed list and a message fit for the user. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

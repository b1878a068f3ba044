/** Why an encrypted-backup operation failed. */
export type BackupCryptoErrorCode = 'WRONG_PASSWORD' | 'MALFORMED' | 'CANCELLED' | 'CORRUPT';

/**
 * An expected failure while unlocking or decrypting an encrypted iOS backup. The message is fit
 * for the user and never contains the password or key material. A cancelled operation also
 * carries the name `AbortError`, so generic abort handling recognises it.
 */
export class BackupCryptoError extends Error {
  readonly code: BackupCryptoErrorCode;
  constructor(code: BackupCryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code === 'CANCELLED' ? 'AbortError' : 'BackupCryptoError';
    this.code = code;
  }
}

/** The error a cancelled derivation or decryption rejects with. */
export function cancelledError(): BackupCryptoError {
  return new BackupCryptoError('CANCELLED', 'The operation was cancelled.');
}

/** The error every wrong-password path throws, with the one message the user sees. */
export function wrongPasswordError(): BackupCryptoError {
  return new BackupCryptoError('WRONG_PASSWORD', 'The backup password is wrong.');
}

import { aesKeyUnwrap } from './aes-kw';
import { BackupCryptoError, wrongPasswordError } from './errors';
import type { Keybag } from './keybag';
import { KEY_TYPE_CURVE25519, WRAP_PASSCODE } from './keybag';

// Class-key unwrapping, ios-backup.md §7 step 3: every class whose WRAP has the password bit is
// AES-unwrapped with the KEK; the RFC 3394 integrity value is the only password check there is.

/** Why a class record produced no key. */
export type SkipReason =
  /** WRAP lacks the password bit: the class key needs the device key, which a backup lacks. */
  | 'not-password-wrapped'
  /** The record has no WPKY. */
  | 'no-wrapped-key'
  /** The password unwrapped other classes but this one failed its integrity check: damaged. */
  | 'integrity-check-failed';

/** A class record that produced no key, and why. */
export interface SkippedClass {
  protectionClass: number;
  keyType: number;
  reason: SkipReason;
}

/** The class keys a password unlocked, and what was left out. */
export interface UnlockedKeybag {
  /** Protection class → 32-byte class key. */
  classKeys: Map<number, Uint8Array>;
  skipped: SkippedClass[];
  /**
   * Classes whose KTYP is Curve25519. In a backup keybag their WPKY is password-wrapped like the
   * others and the backup's per-file keys for them are RFC 3394-wrapped with the unwrapped key,
   * so they are unlocked and listed here for the record.
   */
  curve25519Classes: number[];
}

/**
 * Unwraps every password-wrapped class key of a keybag with the KEK, reporting what was skipped.
 * Throws WRONG_PASSWORD when no class unwraps (every integrity check fails), MALFORMED when the
 * keybag has no password-wrapped class key to check the password against.
 */
export function unlockKeybag(kb: Keybag, kek: Uint8Array): UnlockedKeybag {
  if (kek.length !== 32) {
    throw new RangeError(`The key-encryption key must be 32 bytes, got ${kek.length}.`);
  }
  const classKeys = new Map<number, Uint8Array>();
  const skipped: SkippedClass[] = [];
  const failed: SkippedClass[] = [];
  const curve25519Classes: number[] = [];
  let attempted = 0;

  for (const c of kb.classes) {
    const { protectionClass, keyType, wpky } = c;
    if ((c.wrap & WRAP_PASSCODE) === 0) {
      skipped.push({ protectionClass, keyType, reason: 'not-password-wrapped' });
      continue;
    }
    if (wpky === undefined) {
      skipped.push({ protectionClass, keyType, reason: 'no-wrapped-key' });
      continue;
    }
    attempted++;
    const key = aesKeyUnwrap(kek, wpky);
    if (key === null) {
      failed.push({ protectionClass, keyType, reason: 'integrity-check-failed' });
      continue;
    }
    classKeys.set(protectionClass, key);
    if (keyType === KEY_TYPE_CURVE25519) curve25519Classes.push(protectionClass);
  }

  if (attempted === 0) {
    throw new BackupCryptoError(
      'MALFORMED',
      'The backup keybag holds no password-wrapped class key, so the password cannot be checked.',
    );
  }
  // A wrong KEK passes the 64-bit integrity check with probability 2^-64 per class, so a single
  // success proves the password; failures beside it mean a damaged record, not a wrong password.
  if (classKeys.size === 0) throw wrongPasswordError();
  skipped.push(...failed);
  return { classKeys, skipped, curve25519Classes };
}

/**
 * Unwraps the password-wrapped class keys of a keybag (ios-backup.md §7 step 3).
 * Returns protection class → class key; see `unlockKeybag` for what was skipped and why.
 */
export function unlockClassKeys(kb: Keybag, kek: Uint8Array): Map<number, Uint8Array> {
  return unlockKeybag(kb, kek).classKeys;
}

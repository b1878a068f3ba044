// Encrypted iOS backup cryptography (ios-backup.md §7): keybag parsing, password derivation,
// class-key unlocking and Manifest.db / payload-file decryption, over node:crypto only.
export { aesKeyUnwrap, aesKeyWrap } from './aes-kw';
export type { ClassKeys } from './decrypt';
export { decryptFile, decryptFileChunks, decryptManifestDb, patchWalHeader } from './decrypt';
export type { DerivedKeys, Pbkdf2Rate } from './derive';
export { deriveKek, deriveKeyStages, estimateDerivationSeconds, measurePbkdf2Rate } from './derive';
export type { BackupCryptoErrorCode } from './errors';
export { BackupCryptoError } from './errors';
export type { Keybag, KeybagClass, KeybagRecord } from './keybag';
export { buildKeybag, MAX_KEYBAG_ITERATIONS, parseKeybag } from './keybag';
export type { SkippedClass, SkipReason, UnlockedKeybag } from './unlock';
export { unlockClassKeys, unlockKeybag } from './unlock';

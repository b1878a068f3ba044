import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BackupCryptoError } from './errors';
import { parseKeybag } from './keybag';
import { createTestBackupKeys } from './test-backup';
import { unlockClassKeys, unlockKeybag } from './unlock';

const toHex = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

function thrown(fn: () => unknown): BackupCryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BackupCryptoError);
    return error as BackupCryptoError;
  }
  throw new Error('expected a BackupCryptoError');
}

describe('unlockKeybag', () => {
  it('unwraps every password-wrapped class with the KEK', () => {
    const keys = createTestBackupKeys({ password: 'pw' });
    const kb = parseKeybag(keys.keybagBytes);
    const classKeys = unlockClassKeys(kb, keys.kek);
    expect(classKeys.size).toBe(11);
    for (const [cls, key] of keys.classKeys) expect(toHex(classKeys.get(cls))).toBe(toHex(key));
  });

  it('throws WRONG_PASSWORD with the user message when no class unwraps', () => {
    const keys = createTestBackupKeys({ password: 'pw' });
    const error = thrown(() => unlockClassKeys(parseKeybag(keys.keybagBytes), randomBytes(32)));
    expect(error.code).toBe('WRONG_PASSWORD');
    expect(error.message).toBe('The backup password is wrong.');
  });

  it('skips device-only classes and records why', () => {
    const keys = createTestBackupKeys({ password: 'pw', deviceOnlyClasses: [6, 9] });
    const { classKeys, skipped } = unlockKeybag(parseKeybag(keys.keybagBytes), keys.kek);
    expect(classKeys.has(6)).toBe(false);
    expect(classKeys.has(9)).toBe(false);
    expect(classKeys.size).toBe(9);
    expect(skipped).toEqual([
      { protectionClass: 6, keyType: 0, reason: 'not-password-wrapped' },
      { protectionClass: 9, keyType: 0, reason: 'not-password-wrapped' },
    ]);
  });

  it('unlocks password-wrapped Curve25519 classes and lists them', () => {
    const keys = createTestBackupKeys({ password: 'pw', curve25519Classes: [2] });
    const kb = parseKeybag(keys.keybagBytes);
    expect(kb.classes.find((c) => c.protectionClass === 2)?.keyType).toBe(1);
    const { classKeys, curve25519Classes, skipped } = unlockKeybag(kb, keys.kek);
    expect(toHex(classKeys.get(2))).toBe(toHex(keys.classKeys.get(2)));
    expect(curve25519Classes).toEqual([2]);
    expect(skipped).toEqual([]);
  });

  it('records a class without WPKY', () => {
    const keys = createTestBackupKeys({ password: 'pw' });
    const kb = parseKeybag(keys.keybagBytes);
    const third = kb.classes.find((c) => c.protectionClass === 3);
    delete third?.wpky;
    const { classKeys, skipped } = unlockKeybag(kb, keys.kek);
    expect(classKeys.has(3)).toBe(false);
    expect(skipped).toEqual([{ protectionClass: 3, keyType: 0, reason: 'no-wrapped-key' }]);
  });

  it('keeps the other classes when one damaged WPKY fails beside successes', () => {
    const keys = createTestBackupKeys({ password: 'pw' });
    const kb = parseKeybag(Buffer.from(keys.keybagBytes));
    const fourth = kb.classes.find((c) => c.protectionClass === 4);
    const damaged = Buffer.from(fourth!.wpky!);
    damaged[10]! ^= 1;
    fourth!.wpky = damaged;
    const { classKeys, skipped } = unlockKeybag(kb, keys.kek);
    expect(classKeys.has(4)).toBe(false);
    expect(classKeys.size).toBe(10);
    expect(skipped).toEqual([{ protectionClass: 4, keyType: 0, reason: 'integrity-check-failed' }]);
  });

  it('refuses a keybag with nothing to check the password against', () => {
    const keys = createTestBackupKeys({
      password: 'pw',
      classKeys: new Map([[3, randomBytes(32)]]),
      deviceOnlyClasses: [3],
    });
    const error = thrown(() => unlockClassKeys(parseKeybag(keys.keybagBytes), keys.kek));
    expect(error.code).toBe('MALFORMED');
    expect(error.message).toMatch(/no password-wrapped class key/);
  });

  it('throws on a KEK that is not 32 bytes', () => {
    const keys = createTestBackupKeys({ password: 'pw' });
    expect(() => unlockClassKeys(keys.keybag, new Uint8Array(16))).toThrow(/32 bytes/);
  });
});

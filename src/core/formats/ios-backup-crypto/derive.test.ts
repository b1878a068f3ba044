import { describe, expect, it } from 'vitest';
import { deriveKek, deriveKeyStages, estimateDerivationSeconds, measurePbkdf2Rate } from './derive';
import { BackupCryptoError } from './errors';
import type { Keybag } from './keybag';
import { HASHCAT_VECTORS, hashcatKeybag } from './reference-vectors';
import { unlockClassKeys } from './unlock';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function keybag(iterations: number, dpic?: number): Keybag {
  const kb: Keybag = {
    version: dpic === undefined ? 3 : 5,
    type: 1,
    uuid: new Uint8Array(16),
    salt: new Uint8Array(20).fill(7),
    iterations,
    classes: [],
  };
  if (dpic !== undefined) {
    kb.dpic = dpic;
    kb.dpsl = new Uint8Array(20).fill(9);
  }
  return kb;
}

async function rejection(work: Promise<unknown>): Promise<BackupCryptoError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(BackupCryptoError);
    return error as BackupCryptoError;
  }
  throw new Error('expected a rejection');
}

describe('hashcat keybag vectors (§9.2, password "hashcat")', () => {
  for (const v of HASHCAT_VECTORS) {
    it(`${v.name}: r1, KEK and class key`, async () => {
      const kb = hashcatKeybag(v);
      const { round1, kek } = await deriveKeyStages('hashcat', kb);
      if (v.round1 === undefined)
        expect(toHex(round1)).toBe(Buffer.from('hashcat').toString('hex'));
      else expect(toHex(round1)).toBe(v.round1);
      expect(toHex(kek)).toBe(v.kek);
      expect(toHex(unlockClassKeys(kb, kek).get(1) ?? new Uint8Array())).toBe(v.classKey);
    });

    it(`${v.name}: "hashcaT" is the wrong password`, async () => {
      const kb = hashcatKeybag(v);
      const kek = await deriveKek('hashcaT', kb);
      expect(toHex(kek)).not.toBe(v.kek);
      let caught: unknown;
      try {
        unlockClassKeys(kb, kek);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BackupCryptoError);
      expect(caught).toMatchObject({
        code: 'WRONG_PASSWORD',
        message: 'The backup password is wrong.',
      });
    });
  }
});

describe('deriveKek', () => {
  it('uses the password bytes as r1 for a pre-10.2 keybag, UTF-8 encoded', async () => {
    const { round1 } = await deriveKeyStages('pässwörd ☂', keybag(5));
    expect(toHex(round1)).toBe(Buffer.from('pässwörd ☂', 'utf8').toString('hex'));
  });

  it('reports progress from 0 to 1, never decreasing, more than once on a slow derivation', async () => {
    const seen: number[] = [];
    await deriveKek('slow', keybag(10_000, 3_000_000), (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] ?? 0);
      expect(seen[i]).toBeLessThanOrEqual(1);
    }
    // Only the last report is 1: estimates stop short of it.
    expect(seen.filter((f) => f === 1)).toHaveLength(1);
  });

  it('rejects with CANCELLED when aborted during the derivation', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const work = deriveKek(
      'cancel me',
      keybag(10_000, 5_000_000),
      (f) => seen.push(f),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(work);
    expect(error.code).toBe('CANCELLED');
    expect(error.name).toBe('AbortError');
    expect(seen).not.toContain(1);
  });

  it('rejects with CANCELLED at once when the signal is already aborted', async () => {
    const error = await rejection(deriveKek('x', keybag(10, 10), undefined, AbortSignal.abort()));
    expect(error.code).toBe('CANCELLED');
  });

  it('refuses a hand-made keybag with absurd counts or half of DPIC/DPSL', async () => {
    expect((await rejection(deriveKek('x', keybag(0)))).code).toBe('MALFORMED');
    expect((await rejection(deriveKek('x', keybag(10, 200_000_000)))).message).toMatch(/DPIC/);
    const half = keybag(10, 10);
    delete half.dpsl;
    expect((await rejection(deriveKek('x', half))).message).toMatch(/only one of DPIC and DPSL/);
  });
});

describe('measurePbkdf2Rate and estimateDerivationSeconds', () => {
  it('measures positive rates', async () => {
    const rate = await measurePbkdf2Rate(2_000);
    expect(rate.sha256).toBeGreaterThan(0);
    expect(rate.sha1).toBeGreaterThan(0);
  });

  it('adds the SHA-256 stage only when the keybag has DPIC and DPSL', () => {
    const rate = { sha256: 1_000_000, sha1: 2_000_000 };
    expect(estimateDerivationSeconds(keybag(10_000, 10_000_000), rate)).toBeCloseTo(10.005);
    expect(estimateDerivationSeconds(keybag(10_000), rate)).toBeCloseTo(0.005);
  });
});

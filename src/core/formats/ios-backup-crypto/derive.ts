import { pbkdf2 } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BackupCryptoError, cancelledError } from './errors';
import type { Keybag } from './keybag';
import { MAX_KEYBAG_ITERATIONS } from './keybag';

// Key derivation, ios-backup.md §7 step 2: r1 = PBKDF2-HMAC-SHA256(password, DPSL, DPIC, 32) when
// the keybag has DPSL/DPIC (iOS ≥ 10.2), else r1 = the password bytes; KEK = PBKDF2-HMAC-SHA1(r1,
// SALT, ITER, 32). The async pbkdf2 runs on the libuv thread pool, so the event loop stays free
// (§8). A 32-byte PBKDF2 output is one SHA-256 block, so a single job cannot report its own
// progress: progress is an estimate from a measured rate, reported on a timer.

/** Measured PBKDF2 speed: iterations per second for a 32-byte output, per digest. */
export interface Pbkdf2Rate {
  sha256: number;
  sha1: number;
}

/** Both derivation stages; `round1` is r1, or the password bytes for a pre-10.2 keybag. */
export interface DerivedKeys {
  round1: Uint8Array;
  kek: Uint8Array;
}

const KEY_BYTES = 32;
const PROGRESS_INTERVAL_MS = 100;
const CALIBRATION_ITERATIONS = 20_000;

type Digest = 'sha256' | 'sha1';

function pbkdf2Async(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  digest: Digest,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, KEY_BYTES, digest, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Rejects as soon as `signal` aborts; the thread-pool job may finish later and is ignored. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function timeDigest(digest: Digest, iterations: number): Promise<number> {
  const password = Buffer.from('calibration');
  const salt = Buffer.alloc(20);
  // The first job after idle runs erratically slowly (thread start-up, CPU clock ramp-up: up to
  // 3x here), so one unmeasured run, then the faster of two measured ones.
  await pbkdf2Async(password, salt, iterations, digest);
  let best = 0;
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    await pbkdf2Async(password, salt, iterations, digest);
    const seconds = Math.max((performance.now() - start) / 1000, 1e-6);
    best = Math.max(best, iterations / seconds);
  }
  return best;
}

/**
 * Measures this machine's PBKDF2 speed for progress estimates: three short runs of each digest
 * (20,000 iterations by default; a few tens of milliseconds in all).
 */
export async function measurePbkdf2Rate(
  iterations: number = CALIBRATION_ITERATIONS,
): Promise<Pbkdf2Rate> {
  const sha256 = await timeDigest('sha256', iterations);
  const sha1 = await timeDigest('sha1', iterations);
  return { sha256, sha1 };
}

let cachedRate: Promise<Pbkdf2Rate> | null = null;

/** The rate measured once per process; a failed measurement is retried next time. */
function sharedRate(): Promise<Pbkdf2Rate> {
  if (!cachedRate) {
    cachedRate = measurePbkdf2Rate().catch((error: unknown) => {
      cachedRate = null;
      throw error;
    });
  }
  return cachedRate;
}

/** Estimates how long deriving the KEK of this keybag takes at the given rate, in seconds. */
export function estimateDerivationSeconds(kb: Keybag, rate: Pbkdf2Rate): number {
  const first = kb.dpic !== undefined && kb.dpsl !== undefined ? kb.dpic / rate.sha256 : 0;
  return first + kb.iterations / rate.sha1;
}

function checkCount(name: string, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_KEYBAG_ITERATIONS) {
    throw new BackupCryptoError(
      'MALFORMED',
      `The backup keybag is malformed: ${name} is ${count}; an iteration count must be between 1 and ${MAX_KEYBAG_ITERATIONS.toLocaleString('en-US')}.`,
    );
  }
}

/** Reports estimated progress on a timer: never decreasing, below 1 until `finish`. */
function progressReporter(
  onProgress: (fraction: number) => void,
  estimatedSeconds: number,
): { finish: () => void; stop: () => void } {
  const start = performance.now();
  let last = 0;
  onProgress(0);
  const timer = setInterval(() => {
    if (!(estimatedSeconds > 0)) return;
    const elapsed = (performance.now() - start) / 1000;
    const fraction = Math.min(elapsed / estimatedSeconds, 0.99);
    if (fraction > last) {
      last = fraction;
      onProgress(fraction);
    }
  }, PROGRESS_INTERVAL_MS);
  return {
    finish: () => {
      clearInterval(timer);
      onProgress(1);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Derives r1 and the key-encryption key from the backup password (ios-backup.md §7 step 2).
 * Prefer `deriveKek`; this also returns the intermediate r1 so it can be checked against
 * published vectors. Both results are key material: never log or persist them.
 */
export async function deriveKeyStages(
  password: string,
  kb: Keybag,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<DerivedKeys> {
  checkCount('ITER', kb.iterations);
  const { dpic, dpsl } = kb;
  if ((dpic === undefined) !== (dpsl === undefined)) {
    throw new BackupCryptoError(
      'MALFORMED',
      'The backup keybag is malformed: it has only one of DPIC and DPSL.',
    );
  }
  if (dpic !== undefined) checkCount('DPIC', dpic);
  if (signal?.aborted) throw cancelledError();

  // Calibrate before the real job starts so the measurement does not compete with it (once per
  // process; a few tens of milliseconds).
  const progress = onProgress
    ? progressReporter(
        onProgress,
        estimateDerivationSeconds(kb, await abortable(sharedRate(), signal)),
      )
    : null;
  const passwordBytes = Buffer.from(password, 'utf8');
  let round1: Buffer | null = null;
  try {
    round1 =
      dpic !== undefined && dpsl !== undefined
        ? await abortable(pbkdf2Async(passwordBytes, dpsl, dpic, 'sha256'), signal)
        : Buffer.from(passwordBytes);
    if (signal?.aborted) throw cancelledError();
    const kek = await abortable(pbkdf2Async(round1, kb.salt, kb.iterations, 'sha1'), signal);
    progress?.finish();
    return { round1, kek };
  } catch (error) {
    progress?.stop();
    round1?.fill(0);
    throw error;
  } finally {
    passwordBytes.fill(0);
  }
}

/**
 * Derives the key-encryption key that unwraps the class keys (ios-backup.md §7 step 2).
 * Runs on the libuv thread pool; `onProgress` receives estimated fractions about every 100 ms,
 * ending with 1. Aborting `signal` rejects with a CANCELLED BackupCryptoError at once (the
 * running thread-pool job finishes in the background and its result is dropped).
 */
export async function deriveKek(
  password: string,
  kb: Keybag,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const { round1, kek } = await deriveKeyStages(password, kb, onProgress, signal);
  round1.fill(0);
  return kek;
}

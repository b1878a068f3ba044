import { PlistError } from './types';

/** Runs `fn` and returns the PlistError it throws; fails on any other outcome (tests only). */
export function plistErrorOf(fn: () => unknown): PlistError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlistError) return e;
    throw new Error(`expected a PlistError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a PlistError, but nothing was thrown');
}

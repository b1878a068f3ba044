import type { Parameters } from 'fast-check';

/**
 * fast-check parameters for a property test: `ciRuns` generated cases in the regular suite, or
 * the count and seed `npm run fuzz` sets (`SNOOPSCOPE_FUZZ_RUNS`, `SNOOPSCOPE_FUZZ_SEED`) for
 * long runs. A failure prints its seed and shrunk counterexample, so it can be replayed.
 */
export function fuzzOptions<T = unknown>(ciRuns: number): Parameters<T> {
  const runs = Number(process.env.SNOOPSCOPE_FUZZ_RUNS);
  const seed = Number(process.env.SNOOPSCOPE_FUZZ_SEED);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : ciRuns,
    ...(Number.isInteger(seed) ? { seed } : {}),
  };
}

/** True while `npm run fuzz` drives the property tests (longer runs, no per-test time limit). */
export function fuzzing(): boolean {
  return Number(process.env.SNOOPSCOPE_FUZZ_RUNS) > 0;
}

// `npm run fuzz [-- --minutes N] [-- --runs N]`: runs the property-based tests (`*.fuzz.test.ts`)
// over and over with a new seed each round and many more cases than the regular suite, until the
// time is up (10 minutes by default). Prints each round's seed; stops at the first failure, which
// vitest prints with its seed and shrunk counterexample so it can be replayed with
// SNOOPSCOPE_FUZZ_SEED=<seed>.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} takes a positive number.`);
    process.exit(2);
  }
  return value;
};
const minutes = option('minutes', 10);
const runs = option('runs', 2000);
const deadline = Date.now() + minutes * 60_000;
const started = Date.now();

let round = 0;
while (Date.now() < deadline) {
  round += 1;
  const seed = randomInt(0, 2 ** 31 - 1);
  console.log(`fuzz round ${round}: seed ${seed}, ${runs} cases per property`);
  const r = spawnSync('npx', ['vitest', 'run', '--testTimeout=0', '--reporter=dot', 'fuzz.test'], {
    stdio: 'inherit',
    env: { ...process.env, SNOOPSCOPE_FUZZ_RUNS: String(runs), SNOOPSCOPE_FUZZ_SEED: String(seed) },
  });
  if (r.status !== 0) {
    console.error(
      `fuzz round ${round} failed (seed ${seed}); replay with SNOOPSCOPE_FUZZ_SEED=${seed}.`,
    );
    process.exit(1);
  }
}
const took = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`fuzz: ${round} rounds clean in ${took} min.`);

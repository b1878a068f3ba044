import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The folder of real third-party conformance data (`../shared/fixtures` beside the project, or
 * SNOOPSCOPE_FIXTURES). Returns null, after saying so, when it is absent: conformance suites skip.
 */
export function sharedFixtures(sub: string): string | null {
  const base = process.env.SNOOPSCOPE_FIXTURES ?? join(projectRoot, '..', 'shared', 'fixtures');
  const dir = join(base, sub);
  if (existsSync(dir)) return dir;
  console.warn(`[conformance] ${dir} is absent; the conformance tests over it are skipped.`);
  return null;
}

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** sha256 of every file under a folder (links and special files by kind), keyed by relative path. */
export function treeHashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
      else out[relative(root, p)] = e.isSymbolicLink() ? 'link' : 'special';
    }
  };
  walk(root);
  return out;
}

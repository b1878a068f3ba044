// `npm run docs:cli`: rewrites the generated parts of README.md (the command-line reference) and
// docs/findings.md (the findings rules) from the declarations in the code. With --check it only
// says which file is out of date and exits 1.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findingsDocBlocks, readmeBlocks, updateGeneratedBlocks } from '../src/cli/cli-docs';
import { ruleInfos } from '../src/core/findings';

const root = path.resolve(import.meta.dirname, '..');
const targets: [string, Record<string, string>][] = [
  ['README.md', readmeBlocks()],
  ['docs/findings.md', findingsDocBlocks(ruleInfos())],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, blocks] of targets) {
  const full = path.join(root, file);
  const before = readFileSync(full, 'utf8');
  const after = updateGeneratedBlocks(before, blocks);
  if (after === before) continue;
  if (check) {
    stale += 1;
    console.error(`${file} is out of date: run \`npm run docs:cli\`.`);
  } else {
    writeFileSync(full, after);
    console.log(`updated ${file}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;

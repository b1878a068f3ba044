#!/usr/bin/env node
// Entry point of the `snoopscope` command: checks the Node.js version, then runs the bundled CLI
// (built by `npm run build:node`). Nothing native is loaded before the check.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runtimeProblem } from './runtime-check.js';

const problem = runtimeProblem(process.versions);
if (problem) {
  process.stderr.write(problem);
  process.exit(1);
}

const cli = new URL('../out/node/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('snoopscope: the CLI is not built yet; run `npm run build:node` first.\n');
  process.exit(1);
}
import(cli.href)
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });

#!/usr/bin/env node
// Entry point of the `snoopscope` command: runs the bundled CLI (built by `npm run build:node`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/node/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('snoopscope: the CLI is not built yet; run `npm run build:node` first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));

// Bundles the Node-side entry points (CLI, import and events workers, loopback dev server) into
// out/node.
// better-sqlite3 stays external: it is a native module loaded from node_modules at run time.
// pdfkit stays external too: it reads its font metrics and data files from its own folder.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entryPoints = {
  cli: 'src/cli/main.ts',
  'import-worker': 'src/core/services/import-worker.ts',
  'events-worker': 'src/core/services/events-parallel-worker.ts',
  devserver: 'src/devserver/main.ts',
};
const present = Object.fromEntries(Object.entries(entryPoints).filter(([, p]) => existsSync(p)));

await build({
  entryPoints: present,
  outdir: 'out/node',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  external: ['better-sqlite3', 'electron', 'pdfkit'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});

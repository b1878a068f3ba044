import { resolve } from 'node:path';
import type { Filter } from '../contract/filter';
import { exportBundle, type Redaction } from '../core/bundle/export-bundle';
import { exportTimesketch } from '../core/bundle/timesketch';
import { verifyBundle } from '../core/bundle/verify-bundle';
import { bundleExtras } from '../core/bundle/extras';
import { installationKey } from '../core/bundle/signing-key';
import {
  FILTER_OPTIONS,
  noMorePositionals,
  parseCommandArgs,
  parseFilterFlags,
  takeCasePath,
  UsageError,
} from './args';
import { openCaseForWrite, caseFilter } from './case-open';
import { say, type CommandContext } from './context';

const EXPORT_OPTIONS = {
  ...FILTER_OPTIONS,
  out: { type: 'string' },
  redact: { type: 'string' },
  'include-sources': { type: 'boolean' },
  timesketch: { type: 'string' },
  unmask: { type: 'boolean' },
  examiner: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `contexts,apps:A,B` → what to redact. */
export function parseRedact(text: string | undefined): Redaction {
  const r: Redaction = { contexts: false, apps: [] };
  if (text === undefined) return r;
  const parts = text.split(',').map((p) => p.trim());
  let inApps = false;
  for (const p of parts) {
    if (p === '') continue;
    if (p === 'contexts') {
      r.contexts = true;
      inApps = false;
    } else if (p.startsWith('apps:')) {
      inApps = true;
      const first = p.slice('apps:'.length).trim();
      if (first) r.apps.push(first);
    } else if (inApps) r.apps.push(p);
    else throw new UsageError(`--redact ${text}: expected contexts and/or apps:ID,ID…`);
  }
  return r;
}

/**
 * `export <case> --out bundle.zip [filters] [--redact contexts,apps:A,B] [--include-sources]
 * [--timesketch out.jsonl] [--unmask] [--json]`: writes a signed evidence bundle.
 */
export async function runExport(
  args: string[],
  ctx: CommandContext,
  version: string,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, EXPORT_OPTIONS);
  const { casePath, rest } = takeCasePath('export', positionals);
  noMorePositionals('export', rest);
  if (!values.out) throw new UsageError('export needs --out <bundle.zip>.');
  const redact = parseRedact(values.redact);
  const parsed = parseFilterFlags(values);
  const session = openCaseForWrite(casePath);
  try {
    const filter: Filter = caseFilter(session, parsed);
    const key = installationKey();
    const unmask = values.unmask ?? false;
    const r = await exportBundle(session, {
      out: values.out,
      filter,
      version,
      redact,
      includeSources: values['include-sources'] ?? false,
      unmask,
      key,
      extra: await bundleExtras(session, filter, {
        version,
        fingerprint: key.fingerprint,
        unmask,
        redaction: { contexts: redact.contexts, apps: redact.apps },
        examiner: values.examiner?.trim() || undefined,
      }),
    });
    let sketch: { path: string; events: number } | null = null;
    if (values.timesketch) {
      const path = resolve(values.timesketch);
      sketch = { path, events: await exportTimesketch(session, filter, path) };
    }
    if (values.json) {
      await ctx.out.write(
        JSON.stringify(
          {
            path: r.path,
            fingerprint: r.fingerprint,
            events: r.events,
            files: r.files,
            timesketch: sketch,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      await ctx.out.write(
        `wrote ${r.path}: ${r.events} events, ${r.files.length} files, signed by ${r.fingerprint}\n`,
      );
      if (sketch) await ctx.out.write(`wrote ${sketch.path}: ${sketch.events} Timesketch events\n`);
    }
    return 0;
  } finally {
    session.close();
  }
}

const VERIFY_OPTIONS = { fingerprint: { type: 'string' }, json: { type: 'boolean' } } as const;

/** `verify <bundle.zip> [--fingerprint F] [--json]`: exit 0 when intact, 1 on any mismatch. */
export async function runVerify(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, VERIFY_OPTIONS);
  const [bundle, ...more] = positionals;
  if (!bundle) throw new UsageError('verify needs the bundle file.');
  noMorePositionals('verify', more);
  const check = await verifyBundle(resolve(bundle), values.fingerprint);
  if (values.json) {
    await ctx.out.write(JSON.stringify(check, null, 2) + '\n');
  } else {
    for (const f of check.files) await ctx.out.write(`${f.status.padEnd(8)} ${f.name}\n`);
    await ctx.out.write(
      `${check.ok ? 'intact' : 'NOT INTACT'}: signed by ${check.fingerprint ?? 'an unknown key'}` +
        `${values.fingerprint === undefined ? ' (compare this fingerprint with one you obtained separately)' : ''}\n`,
    );
    for (const p of check.problems) say(ctx, p);
  }
  return check.ok ? 0 : 1;
}

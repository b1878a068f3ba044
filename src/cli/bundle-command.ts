import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Filter } from '../contract/filter';
import { compareRequestSchema, type CompareRequest } from '../contract/records';
import { dayNumberToDate } from '../contract/time';
import { redactionConflict, type Redaction } from '../core/bundle/export-bundle';
import { createRedactor } from '../core/bundle/redaction';
import { exportTimesketch } from '../core/bundle/timesketch';
import { verifyBundle } from '../core/bundle/verify-bundle';
import { defaultUserDataDir, keyCreatedMessage } from '../core/bundle/signing-key';
import {
  FILTER_OPTIONS,
  noMorePositionals,
  parseCommandArgs,
  parseFilterFlags,
  parseWindowFlag,
  takeCasePath,
  UsageError,
} from './args';
import { openCaseForWrite, caseFilter, resolveDeviceLabels } from './case-open';
import { parsePeriod } from './compare-command';
import type { CaseSession } from '../core/services/case-service';
import { AppError } from '../core/model/errors';
import { runInOwnWorker } from '../core/services/worker-call';
import { cliWorkerUrl } from './import-worker-url';
import type { CompareSpec } from '../core/services/compare';
import { say, type CommandContext } from './context';

export const EXPORT_OPTIONS = {
  ...FILTER_OPTIONS,
  out: { type: 'string' },
  redact: { type: 'string' },
  'include-sources': { type: 'boolean' },
  timesketch: { type: 'string' },
  unmask: { type: 'boolean' },
  examiner: { type: 'string' },
  'compare-devices': { type: 'string' },
  'compare-periods': { type: 'string' },
  'compare-night': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The comparison flags as given on the command line. */
export interface CompareFlags {
  'compare-devices'?: string;
  'compare-periods'?: string;
  'compare-night'?: string;
}

/** A comma list of two entries or more. */
function entries(text: string, flag: string): string[] {
  const items = text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (items.length < 2)
    throw new UsageError(`${flag} needs two entries or more, separated by commas.`);
  return items;
}

/** `DEVICE:FROM..TO` read as the compare command reads it, errors naming this command's flag. */
function periodOf(session: CaseSession, text: string): CompareSpec {
  try {
    return parsePeriod(session, text);
  } catch (e) {
    if (e instanceof UsageError)
      throw new UsageError(e.message.replace(/^--periods\b/, '--compare-periods'));
    throw e;
  }
}

/**
 * The comparison a bundle should hold, from `--compare-devices A,B` or `--compare-periods
 * DEVICE:FROM..TO,…` (the `compare` command's syntax) and `--compare-night`; undefined when none.
 */
export function parseCompareFlags(
  session: CaseSession,
  flags: CompareFlags,
): CompareRequest | undefined {
  const devices = flags['compare-devices'];
  const periods = flags['compare-periods'];
  if (devices === undefined && periods === undefined) {
    if (flags['compare-night'] !== undefined)
      throw new UsageError('--compare-night needs --compare-devices or --compare-periods.');
    return undefined;
  }
  if (devices !== undefined && periods !== undefined)
    throw new UsageError('Use either --compare-devices or --compare-periods, not both.');
  const columns =
    devices !== undefined
      ? entries(devices, '--compare-devices').map((label) => ({
          label,
          deviceId: resolveDeviceLabels(session, [label])[0]!,
        }))
      : entries(periods!, '--compare-periods').map((text) => {
          const spec = periodOf(session, text);
          return {
            label: spec.label,
            deviceId: spec.deviceId,
            ...(spec.fromDay === null ? {} : { from: dayNumberToDate(spec.fromDay) }),
            ...(spec.toDay === null ? {} : { to: dayNumberToDate(spec.toDay) }),
          };
        });
  const night =
    flags['compare-night'] === undefined
      ? undefined
      : parseWindowFlag('--compare-night', flags['compare-night']);
  const parsed = compareRequestSchema.safeParse({ columns, ...(night ? { night } : {}) });
  if (!parsed.success)
    throw new UsageError(
      `The comparison cannot be exported: ${parsed.error.issues.map((i) => i.message).join('; ')} (2 to 12 columns).`,
    );
  return parsed.data;
}

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
 * [--timesketch out.jsonl] [--unmask] [--examiner NAME] [--compare-devices A,B |
 * --compare-periods DEVICE:FROM..TO,… [--compare-night HH:MM-HH:MM]] [--json]`: writes a signed
 * evidence bundle.
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
  const includeSources = values['include-sources'] ?? false;
  const conflict = redactionConflict(redact, includeSources);
  if (conflict) throw new UsageError(`--redact with --include-sources: ${conflict}`);
  const parsed = parseFilterFlags(values);
  // Both files are checked before either is written: a refusal leaves nothing half done.
  const sketchPath = values.timesketch ? resolve(values.timesketch) : null;
  for (const path of [resolve(values.out), sketchPath])
    if (path !== null && existsSync(path))
      throw new AppError('CONFLICT', `${path} exists; choose a new file name.`);
  const session = openCaseForWrite(casePath);
  try {
    const filter: Filter = caseFilter(session, parsed);
    const comparison = parseCompareFlags(session, values);
    const unmask = values.unmask ?? false;
    // Written where the app writes it: in the import worker, on a connection of its own and
    // within the heap bound an import has (the report and findings.csv make many objects that
    // live a little while; an unbounded heap kept them until its next full collection, up to
    // 750 MB at 10M sessions), its sessions by a second worker meanwhile.
    const r = await runInOwnWorker(session.path, cliWorkerUrl(), {
      fn: 'exportBundle',
      input: {
        filter,
        path: values.out,
        redactContexts: redact.contexts,
        redactApps: redact.apps,
        includeSources,
        unmask,
        examiner: values.examiner?.trim() || undefined,
        comparison,
      },
      userDataDir: defaultUserDataDir(),
      version,
      workerHref: cliWorkerUrl()?.href,
    });
    if (r.keyCreated)
      say(
        ctx,
        keyCreatedMessage({ file: r.keyCreated.path, fingerprint: r.keyCreated.fingerprint }),
      );
    let sketch: { path: string; events: number } | null = null;
    if (sketchPath !== null) {
      // The Timesketch file leaves with the bundle: it is redacted the same way.
      const redactor = createRedactor(session.db, redact, { unmask });
      sketch = {
        path: sketchPath,
        events: await exportTimesketch(session, filter, sketchPath, redactor),
      };
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

export const VERIFY_OPTIONS = {
  fingerprint: { type: 'string' },
  json: { type: 'boolean' },
} as const;

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
    for (const f of check.files) await ctx.out.write(`${f.status.padEnd(9)} ${f.name}\n`);
    const signer =
      check.fingerprint !== null
        ? `signed by ${check.fingerprint}` +
          (values.fingerprint === undefined
            ? ' (compare this fingerprint with one you obtained separately)'
            : '')
        : check.files.length === 0
          ? 'the bundle could not be checked'
          : 'no valid Ed25519 signer key';
    await ctx.out.write(`${check.ok ? 'intact' : 'NOT INTACT'}: ${signer}\n`);
    for (const n of check.notes) await ctx.out.write(`note: ${n}\n`);
    for (const p of check.problems) say(ctx, p);
  }
  return check.ok ? 0 : 1;
}

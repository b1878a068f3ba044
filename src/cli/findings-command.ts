import { CATEGORY_LABELS } from '../contract/categories';
import type { Filter } from '../contract/filter';
import {
  FINDING_RULES,
  type Finding,
  type FindingRule,
  type FindingRuleInfo,
} from '../contract/findings';
import {
  findingsNeedRefresh,
  findingsWithEvidence,
  resolveParams,
  ruleInfos,
  runFindings,
  storedFindingParams,
} from '../core/findings';
import { EVIDENCE_CAP } from '../core/findings/common';
import { storedEvidenceColumn } from '../core/findings/stored';
import { storedEvidenceItems } from '../core/findings/stored-evidence-items';
import { AppError } from '../core/model/errors';
import {
  FILTER_OPTIONS,
  noMorePositionals,
  parseCommandArgs,
  parseFilterFlags,
  takeCasePath,
  UsageError,
} from './args';
import { openCaseForQuery, openCaseForWrite, caseFilter } from './case-open';
import { say, type CommandContext } from './context';
import { checkKeyFlags, runKeyFindings } from './findings-key';
import { formatApp, formatTable } from './output';
import { wrap } from './usage';

export const FINDINGS_OPTIONS = {
  ...FILTER_OPTIONS,
  rule: { type: 'string', multiple: true },
  param: { type: 'string', multiple: true },
  explain: { type: 'boolean' },
  key: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** One finding as the command prints it with `--json`: the public fields first, then details. */
export function findingRecord(f: Finding) {
  return {
    id: f.id,
    rule: f.rule,
    severity: f.severity,
    device: f.device,
    app: f.app,
    appName: f.appName,
    category: f.category,
    count: f.count,
    first: f.first,
    last: f.last,
    title: f.title,
    caveat: f.caveat,
    evidence: f.evidence,
    details: f.details,
  };
}

/**
 * Where a record's (empty) evidence list sits in its text, indented as in the array: only a key of
 * the record itself starts a line with four spaces and a quote (a string holds no raw newline).
 */
const EVIDENCE_AT = '\n    "evidence": []';
/** Evidence ids written per call to the output. */
const EVIDENCE_CHUNK = 8192;
const ITEM_SEPARATOR = ',\n      ';

/**
 * A run of evidence ids as they stand in the output's array, each on its own line. When no id
 * needs escaping (the array's JSON is exactly each id quoted), every `","` is a boundary between
 * two ids and the list is made by one native call; otherwise id by id.
 */
export function evidenceItems(ids: readonly string[], from: number, to: number): string {
  const run = ids.slice(from, to);
  const json = JSON.stringify(run);
  let plain = 2 + 3 * run.length - 1;
  for (const id of run) plain += id.length;
  if (json.length === plain) return json.slice(1, -1).replaceAll('","', `"${ITEM_SEPARATOR}"`);
  return run.map((id) => JSON.stringify(id)).join(ITEM_SEPARATOR);
}

/** The separator between two evidence ids, as bytes. */
const ITEM_SEPARATOR_BYTES = Buffer.from(ITEM_SEPARATOR);

/** What `writeFindingsJson` writes: the findings, and how to read one's whole evidence. */
export interface FindingsJsonSource {
  findings: Finding[];
  /** A finding's whole evidence (at most {@link EVIDENCE_CAP} ids). */
  evidenceOf: (f: Finding) => string[];
  /**
   * A finding's stored evidence column (its UTF-8 bytes), when it was read from the stored
   * findings: its ids are then written from those bytes when they are in the plain form
   * (`storedEvidenceItems`), without a string per id; `evidenceOf` is asked otherwise.
   */
  storedColumnOf?: (f: Finding) => Buffer | null;
}

/**
 * The findings as one JSON array (as `JSON.stringify(records, null, 2)` writes it), one finding at
 * a time: each one's whole evidence is read as it is written, never every list at once, and the
 * ids are written a run at a time (or a stored list's bytes at once), never as one string of the
 * whole list.
 */
export async function writeFindingsJson(
  ctx: Pick<CommandContext, 'out'>,
  { findings, evidenceOf, storedColumnOf }: FindingsJsonSource,
): Promise<void> {
  if (findings.length === 0) {
    await ctx.out.write('[]\n');
    return;
  }
  await ctx.out.write('[\n');
  // Where a stored list's ids are written before they go out; reused from finding to finding.
  const scratch = { bytes: Buffer.alloc(0) };
  for (const [i, light] of findings.entries()) {
    const column = storedColumnOf?.(light) ?? null;
    const items = column
      ? storedEvidenceItems(column, EVIDENCE_CAP, ITEM_SEPARATOR_BYTES, scratch)
      : null;
    const evidence = items ? null : evidenceOf(light);
    const count = items ? items.count : evidence!.length;
    const total = light.evidence.length + Number(light.details.evidenceTruncated ?? 0);
    const details = { ...light.details };
    delete details.evidenceTruncated;
    if (total > count) details.evidenceTruncated = total - count;
    const json = JSON.stringify(findingRecord({ ...light, evidence: [], details }), null, 2);
    const text = `  ${json.replace(/\n/g, '\n  ')}${i < findings.length - 1 ? ',' : ''}\n`;
    const at = text.indexOf(EVIDENCE_AT);
    if (count === 0 || at < 0) {
      await ctx.out.write(text);
      continue;
    }
    const open = at + EVIDENCE_AT.length - 1;
    await ctx.out.write(`${text.slice(0, open)}\n      `);
    if (items) {
      // A copy: the stream may keep the bytes after the call, and the scratch is written again.
      await ctx.out.writeBytes(Buffer.from(scratch.bytes.subarray(0, items.length)));
    } else {
      for (let from = 0; from < count; from += EVIDENCE_CHUNK) {
        const to = Math.min(count, from + EVIDENCE_CHUNK);
        const run = evidenceItems(evidence!, from, to);
        await ctx.out.write(to < count ? run + ITEM_SEPARATOR : run);
      }
    }
    await ctx.out.write(`\n    ${text.slice(open)}`);
  }
  await ctx.out.write(']\n');
}

/** Parses `--rule` values; an unknown rule is a usage error naming the rules. */
export function parseRules(values: string[] | undefined): FindingRule[] | undefined {
  if (!values || values.length === 0) return undefined;
  return [
    ...new Set(
      values.map((v) => {
        const found = FINDING_RULES.find((r) => r === v.trim());
        if (!found)
          throw new UsageError(`--rule ${v}: unknown rule. Rules: ${FINDING_RULES.join(', ')}.`);
        return found;
      }),
    ),
  ];
}

/** Parses `--param rule.name=value` values, checked against the rules' parameters. */
export function parseParams(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param ${v}: expected rule.name=value.`);
    out[v.slice(0, eq).trim()] = v.slice(eq + 1).trim();
  }
  try {
    resolveParams(out);
  } catch (e) {
    if (e instanceof AppError) throw new UsageError(`--param: ${e.message}`);
    throw e;
  }
  return out;
}

/**
 * The rules' criteria as `findings --explain` prints them: what each rule looks for, how its
 * severity is decided, its parameters with their defaults (and the values in force, when they
 * differ) and what it does not prove. Rendered from the engine's own rule declarations.
 */
export function formatRuleExplanations(
  infos: FindingRuleInfo[],
  inForce: ReadonlyMap<string, number | string> = new Map(),
): string {
  const lines: string[] = [];
  for (const info of infos) {
    lines.push(`${info.id}: ${info.title}`);
    lines.push(...wrap(info.description, 100, '  '));
    lines.push(...wrap(`Severity: ${info.severity}`, 100, '  '));
    if (info.params.length === 0) lines.push('  Parameters: none.');
    else {
      lines.push('  Parameters:');
      for (const p of info.params) {
        const name = `${info.id}.${p.name}`;
        const value = inForce.get(name);
        const current =
          value !== undefined && value !== p.default ? `; in force: ${String(value)}` : '';
        lines.push(
          ...wrap(
            `${name} (default ${String(p.default)} ${p.unit}${current}): ${p.description}`,
            100,
            '    ',
          ),
        );
      }
    }
    lines.push(...wrap(`Does not prove: ${info.caveat}`, 100, '  '), '');
  }
  lines.push(
    'Severity is one of high, medium, low, info; findings are listed most severe first.',
    'Set a parameter with --param rule.name=value (this run) or in the app (kept in the case).',
  );
  return lines.join('\n') + '\n';
}

/** `findings [<case>] --explain`: the chosen rules' criteria, with the case's parameters when one is given. */
async function explainRules(
  casePath: string | undefined,
  rules: FindingRule[] | undefined,
  params: Record<string, string>,
  ctx: CommandContext,
): Promise<number> {
  let stored = {};
  if (casePath !== undefined) {
    const session = openCaseForQuery(casePath);
    try {
      stored = storedFindingParams(session.db);
    } finally {
      session.close();
    }
  }
  const inForce = resolveParams({ ...stored, ...params });
  const infos = ruleInfos().filter((r) => !rules || rules.includes(r.id));
  await ctx.out.write(formatRuleExplanations(infos, inForce));
  return 0;
}

/**
 * `findings <case> [filters] [--rule R]... [--param rule.name=value]... [--json]`: the findings
 * rules over the filtered records, most severe first. With `--explain`, their criteria instead.
 */
export async function runFindingsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FINDINGS_OPTIONS);
  if (values.explain) {
    const [casePath, ...more] = positionals;
    noMorePositionals('findings', more);
    if (values.json) throw new UsageError('--explain prints text; it takes no --json.');
    return explainRules(casePath, parseRules(values.rule), parseParams(values.param), ctx);
  }
  const { casePath, rest } = takeCasePath('findings', positionals);
  noMorePositionals('findings', rest);
  const parsed = parseFilterFlags(values);
  const rules = parseRules(values.rule);
  const params = parseParams(values.param);
  if (values.key) {
    checkKeyFlags(parsed.filter, rules, params);
    return runKeyFindings(casePath, parsed, values.json === true, ctx);
  }

  let session = openCaseForQuery(casePath);
  try {
    let filter: Filter = caseFilter(session, parsed);
    // Findings are kept in the case; when the case changed since, they are computed once and
    // kept (a cache of derived figures, like a migration), unless the file cannot be written.
    if (
      findingsNeedRefresh(session.db, filter, { ...storedFindingParams(session.db), ...params })
    ) {
      session.close();
      try {
        session = openCaseForWrite(casePath);
      } catch {
        session = openCaseForQuery(casePath);
      }
      filter = caseFilter(session, parsed);
    }
    const merged = { ...storedFindingParams(session.db), ...params };
    if (values.json) {
      const db = session.db;
      await writeFindingsJson(ctx, {
        ...findingsWithEvidence(db, filter, merged, 0, rules),
        storedColumnOf: (f) => storedEvidenceColumn(db, f),
      });
      return 0;
    }
    // The table shows no evidence ids: none are read.
    const findings = runFindings(session.db, filter, merged, rules, { evidenceLimit: 0 });
    if (findings.length === 0) {
      say(ctx, 'no findings.');
      return 0;
    }
    const table = formatTable(
      ['Severity', 'Rule', 'Device', 'App', 'Category', 'Count', 'First', 'Last', 'Finding'],
      findings.map((f) => [
        f.severity,
        f.rule,
        f.device,
        f.app === null ? '-' : formatApp(f.app, f.appName),
        f.category === null ? '-' : CATEGORY_LABELS[f.category],
        String(f.count),
        f.first ?? '-',
        f.last ?? '-',
        f.title,
      ]),
      new Set([5]),
    );
    await ctx.out.write(table);
    const caveats = new Map(findings.map((f) => [f.rule, f.caveat]));
    await ctx.out.write('\nWhat these findings do not prove:\n');
    for (const [rule, caveat] of caveats) await ctx.out.write(`  ${rule}: ${caveat}\n`);
    await ctx.out.write('Evidence record ids: run with --json.\n');
    return 0;
  } finally {
    session.close();
  }
}

import { parseDayWindow, type Filter } from '../../contract/filter';
import {
  FINDING_RULES,
  type Finding,
  type FindingParams,
  type FindingRule,
  type FindingRuleInfo,
} from '../../contract/findings';
import type { Db } from '../db/open';
import {
  badParam,
  EVIDENCE_CAP,
  SEVERITY_RANK,
  type RuleContext,
  type RuleDef,
  type RulePath,
} from './common';
import { applyExpectations, devicePlatforms, WEIGHING } from './expectation';
import { applyIntervalClusters, type ClusterMemo } from './interval-clusters';
import type { KeptSessions } from './session-pass';
import {
  FindingsPendingError,
  readStoredFindings,
  servesStoredFindingsOnly,
  StoredEvidenceDamagedError,
  storedEvidence,
  storedEvidenceWithEdges,
} from './stored';
import { newSensitivePermission, profilingDomains } from './record-rules';
import { eachSessionFinding, isSessionRule } from './session-rules';
import { backgroundAccess } from './session-rules-background';
import { frequentAccess, longAccess, regularPolling } from './session-rules-counts';
import { nightAccess } from './session-rules-night';
import { accessWhileLocked, screenOffAccess } from './session-rules-screen';

/** Every rule, in the order of {@link FINDING_RULES}. */
const RULES: Record<FindingRule, RuleDef> = {
  'night-access': nightAccess,
  'background-access': backgroundAccess,
  'frequent-access': frequentAccess,
  'regular-polling': regularPolling,
  'long-access': longAccess,
  'screen-off-access': screenOffAccess,
  'access-while-locked': accessWhileLocked,
  'profiling-domains': profilingDomains,
  'new-sensitive-permission': newSensitivePermission,
};

/** The rules with their descriptions, severity criteria, caveats, parameters and defaults. */
export function ruleInfos(): FindingRuleInfo[] {
  return FINDING_RULES.map((id) => ({
    ...RULES[id].info,
    // Every rule with a category is then weighed by the app's purpose (expectation.ts).
    severity:
      id === 'profiling-domains'
        ? RULES[id].info.severity
        : `${RULES[id].info.severity} Then weighed by the app's purpose: ${WEIGHING}`,
    params: RULES[id].info.params.map((p) => ({ ...p })),
  }));
}

/**
 * Resolves parameter values (`rule.name`) against the rules' declarations: unknown names, numbers
 * that are not positive finite numbers and times that are not `HH:MM` are refused (INVALID_INPUT).
 * Numbers may be given as text (the command line's `--param`).
 */
export function resolveParams(params: FindingParams = {}): Map<string, number | string> {
  const out = new Map<string, number | string>();
  for (const id of FINDING_RULES)
    for (const p of RULES[id].info.params) out.set(`${id}.${p.name}`, p.default);
  for (const [name, value] of Object.entries(params)) {
    const def = out.get(name);
    if (def === undefined) {
      badParam(name, `unknown; parameters: ${[...out.keys()].join(', ')}.`);
    }
    if (typeof def === 'number') {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() === '' || !Number.isFinite(n) || n <= 0)
        badParam(name, `expected a positive number, got "${value}".`);
      out.set(name, n);
    } else {
      const text = String(value).trim();
      if (!parseDayWindow(`${text}-${text}`)) badParam(name, `expected HH:MM, got "${value}".`);
      out.set(name, text);
    }
  }
  return out;
}

/** How findings are read. */
export interface FindingsOptions {
  /**
   * `auto` (the default): from the stored findings when they answer the request, else aggregated
   * in SQL; `scan`: every session walked in JavaScript (the reference path).
   */
  path?: RulePath;
  /** Whether the stored findings may answer (default true); false computes them afresh. */
  stored?: boolean;
  /** At most this many evidence ids per finding (default and most {@link EVIDENCE_CAP}); the rest are counted in `details.evidenceTruncated`. */
  evidenceLimit?: number;
}

/** The evidence limit asked for, within 0..{@link EVIDENCE_CAP}. */
export function evidenceLimitOf(options: FindingsOptions = {}): number {
  const n = options.evidenceLimit ?? EVIDENCE_CAP;
  return Number.isFinite(n) ? Math.max(0, Math.min(EVIDENCE_CAP, Math.floor(n))) : EVIDENCE_CAP;
}

/** Keeps at most `limit` evidence ids, counting the rest in `details.evidenceTruncated`. */
export function limitEvidence(f: Finding, limit: number): Finding {
  if (f.evidence.length <= limit) return f;
  const dropped = f.evidence.length - limit;
  return {
    ...f,
    evidence: f.evidence.slice(0, limit),
    details: {
      ...f.details,
      evidenceTruncated: Number(f.details.evidenceTruncated ?? 0) + dropped,
    },
  };
}

const RULE_ORDER = new Map<string, number>(FINDING_RULES.map((r, i) => [r, i]));

/** Most severe first, then by rule, device, app and category (a stable sort keeps the rest). */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)! ||
      a.device.localeCompare(b.device) ||
      (a.app ?? '').localeCompare(b.app ?? '') ||
      (a.category ?? '').localeCompare(b.category ?? ''),
  );
}

/** The rules asked for (all when none are named), in the order of {@link FINDING_RULES}. */
export function chosenRules(rules?: readonly FindingRule[]): FindingRule[] {
  return rules && rules.length > 0
    ? FINDING_RULES.filter((r) => rules.includes(r))
    : [...FINDING_RULES];
}

/** How {@link computeFindings} and {@link eachFinding} read the records. */
export interface ComputeOptions {
  path: RulePath;
  evidenceLimit: number;
  leanEvidence?: boolean;
  /** Only these apps' sessions (see {@link RuleContext.appRange}); session rules only. */
  appRange?: { from: number; to: number };
  /** Where the session rules keep their evidence sessions (see {@link RuleContext.kept}). */
  kept?: KeptSessions;
}

/**
 * Computes the findings of the chosen rules over the records matching the filter, in rule order
 * and, within a rule, in device, app and category order (not yet sorted by severity).
 */
export function computeFindings(
  db: Db,
  filter: Filter,
  values: ReadonlyMap<string, number | string>,
  rules: readonly FindingRule[],
  options: ComputeOptions,
): Finding[] {
  const byRule = new Map<FindingRule, Finding[]>(rules.map((r) => [r, []]));
  eachFinding(db, filter, values, rules, options, (found) => {
    for (const f of found) byRule.get(f.rule)!.push(f);
  });
  return rules.flatMap((r) => byRule.get(r)!);
}

/**
 * The findings {@link computeFindings} gives, handed to `each` a few at a time as they are made
 * (the session rules' one device × app × category group at a time, the other rules' one rule at
 * a time): within a rule, in device, app and category order, but the rules interleaved. A caller
 * that keeps each batch and lets it go holds one group's evidence at a time.
 */
export function eachFinding(
  db: Db,
  filter: Filter,
  values: ReadonlyMap<string, number | string>,
  rules: readonly FindingRule[],
  options: ComputeOptions,
  each: (found: Finding[]) => void,
): void {
  if (options.appRange && (options.path === 'scan' || !rules.every(isSessionRule)))
    throw new Error('An app range applies to the session rules on their fast path only.');
  const get = (name: string): number | string => {
    const v = values.get(name);
    if (v === undefined) badParam(name, 'unknown.');
    return v;
  };
  const ctx: RuleContext = {
    db,
    filter,
    param: get,
    num: (name) => Number(get(name)),
    str: (name) => String(get(name)),
    path: options.path,
    evidenceLimit: options.evidenceLimit,
    leanEvidence: options.leanEvidence ?? false,
    appRange: options.appRange,
    kept: options.kept,
  };
  // Each device's interval clusters are read once for every batch: the snapshot does not change.
  const clusters: ClusterMemo = new Map();
  // Read once, within the snapshot, for every batch.
  let platforms: Map<number, string> | undefined;
  const weigh = (found: Finding[]): void => {
    if (found.length === 0) return;
    const limited = found.map((f) => limitEvidence(f, options.evidenceLimit));
    // Both weigh the whole case's records of a device, never the filter's: an app's purpose and
    // the system's interval lengths do not change with the period looked at.
    applyIntervalClusters(db, limited, clusters);
    applyExpectations(db, limited, (platforms ??= devicePlatforms(db)));
    each(limited);
  };
  // One read transaction: every rule sees the same snapshot of the case.
  db.transaction(() => {
    // The session rules share one pass over the sessions; the scan path runs each on its own.
    const together = options.path !== 'scan';
    if (together) eachSessionFinding(ctx, rules.filter(isSessionRule), weigh);
    for (const r of rules) if (!together || !isSessionRule(r)) weigh(RULES[r].run(ctx));
  })();
}

/**
 * Runs the findings rules (all, or those named) over the records matching the filter. One finding
 * per device × app × category × rule, most severe first, then by rule, device, app and category.
 * With the case's own parameters and a filter of devices, apps and categories only, the stored
 * findings answer (brought up to date first when the case changed and can be written).
 */
export function runFindings(
  db: Db,
  filter: Filter,
  params?: FindingParams,
  rules?: FindingRule[],
  options: FindingsOptions = {},
): Finding[] {
  const values = resolveParams(params);
  const chosen = chosenRules(rules);
  const evidenceLimit = evidenceLimitOf(options);
  const path = options.path ?? 'auto';
  if (path === 'auto' && options.stored !== false) {
    const stored = readStoredFindings(db, filter, values, chosen, evidenceLimit);
    if (stored) return sortFindings(stored);
  }
  return sortFindings(computeFindings(db, filter, values, chosen, { path, evidenceLimit }));
}

/** A filter narrowed to the records one finding rests on: its device, app and category. */
function findingFilter(filter: Filter, f: Finding): Filter {
  return {
    ...filter,
    devices: [f.deviceId],
    ...(f.app === null ? {} : { apps: [f.app] }),
    ...(f.category === null ? {} : { categories: [f.category] }),
  };
}

/**
 * The findings with at most `shown` evidence ids each, and a way to read any one finding's whole
 * evidence (at most {@link EVIDENCE_CAP} ids) when it is needed: from the stored findings one at a
 * time, so an export holds a few ids per finding rather than every evidence list at once. Findings
 * computed afresh (a filter the stored findings do not answer) keep their evidence in memory.
 */
export function findingsWithEvidence(
  db: Db,
  filter: Filter,
  params: FindingParams | undefined,
  shown: number,
  only?: FindingRule[],
): {
  findings: Finding[];
  evidenceOf: (f: Finding) => string[];
  /** The whole evidence with where each session was read, when the stored findings hold it. */
  evidenceWithEdges: (f: Finding) => { ids: string[]; edges: Float64Array | null };
} {
  const values = resolveParams(params);
  const rules = chosenRules(only);
  const limit = evidenceLimitOf({ evidenceLimit: shown });
  const stored = readStoredFindings(db, filter, values, rules, limit);
  if (stored) {
    // A stored finding whose evidence does not read has it computed again from the records of
    // its device, app, category and rule alone.
    const orAfresh =
      <T>(read: (f: Finding) => T | null, afresh: (ids: string[]) => T) =>
      (f: Finding): T => {
        try {
          return read(f) ?? afresh(f.evidence);
        } catch (e) {
          if (!(e instanceof StoredEvidenceDamagedError)) throw e;
          // The app's connection leaves the computing to the worker (its findings are stale now).
          if (servesStoredFindingsOnly(db)) throw new FindingsPendingError();
          const found = computeFindings(db, findingFilter(filter, f), values, [f.rule], {
            path: 'auto',
            evidenceLimit: EVIDENCE_CAP,
          }).find((x) => x.id === f.id);
          if (!found) throw e;
          return afresh(found.evidence);
        }
      };
    return {
      findings: sortFindings(stored),
      evidenceOf: orAfresh(
        (f) => storedEvidence(db, f),
        (ids) => ids,
      ),
      evidenceWithEdges: orAfresh(
        (f) => storedEvidenceWithEdges(db, f),
        (ids) => ({ ids, edges: null }),
      ),
    };
  }
  const full = sortFindings(
    computeFindings(db, filter, values, rules, { path: 'auto', evidenceLimit: EVIDENCE_CAP }),
  );
  const whole = new Map<Finding, string[]>();
  const findings = full.map((f) => {
    const light = limitEvidence(f, limit);
    whole.set(light, f.evidence);
    return light;
  });
  const evidenceOf = (f: Finding): string[] => whole.get(f) ?? f.evidence;
  return { findings, evidenceOf, evidenceWithEdges: (f) => ({ ids: evidenceOf(f), edges: null }) };
}

import { parseDayWindow, type Filter } from '../../contract/filter';
import {
  FINDING_RULES,
  type Finding,
  type FindingParams,
  type FindingRule,
  type FindingRuleInfo,
} from '../../contract/findings';
import type { Db } from '../db/open';
import { badParam, SEVERITY_RANK, type RuleContext, type RuleDef } from './common';
import { newSensitivePermission, profilingDomains } from './record-rules';
import {
  backgroundAccess,
  frequentAccess,
  longAccess,
  nightAccess,
  regularPolling,
  screenOffAccess,
} from './session-rules';

/** Every rule, in the order of {@link FINDING_RULES}. */
const RULES: Record<FindingRule, RuleDef> = {
  'night-access': nightAccess,
  'background-access': backgroundAccess,
  'frequent-access': frequentAccess,
  'regular-polling': regularPolling,
  'long-access': longAccess,
  'screen-off-access': screenOffAccess,
  'profiling-domains': profilingDomains,
  'new-sensitive-permission': newSensitivePermission,
};

/** The rules with their descriptions, severity criteria, caveats, parameters and defaults. */
export function ruleInfos(): FindingRuleInfo[] {
  return FINDING_RULES.map((id) => ({
    ...RULES[id].info,
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

/**
 * Runs the findings rules (all, or those named) over the records matching the filter. One finding
 * per device × app × category × rule, most severe first, then by rule, device, app and category.
 */
export function runFindings(
  db: Db,
  filter: Filter,
  params?: FindingParams,
  rules?: FindingRule[],
): Finding[] {
  const values = resolveParams(params);
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
  };
  const chosen =
    rules && rules.length > 0 ? FINDING_RULES.filter((r) => rules.includes(r)) : FINDING_RULES;
  const ruleOrder = new Map<string, number>(FINDING_RULES.map((r, i) => [r, i]));
  const out = db.transaction(() => chosen.flatMap((r) => RULES[r].run(ctx)))();
  return out.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      ruleOrder.get(a.rule)! - ruleOrder.get(b.rule)! ||
      a.device.localeCompare(b.device) ||
      (a.app ?? '').localeCompare(b.app ?? '') ||
      (a.category ?? '').localeCompare(b.category ?? ''),
  );
}

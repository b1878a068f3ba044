import type {
  Finding,
  FindingParam,
  FindingParams,
  FindingRule,
  FindingRuleInfo,
  Severity,
} from '../../../contract/findings';
import { compareValues, sortBy, type SortDir } from '../../shared/sort';

/** The columns the findings list sorts by. */
export type FindingColumn =
  'severity' | 'rule' | 'device' | 'app' | 'category' | 'count' | 'first' | 'last' | 'title';

export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];
const SEVERITY_WEIGHT: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

/** The direction a column starts in when first clicked. */
export function defaultDir(key: FindingColumn): SortDir {
  return key === 'severity' || key === 'count' || key === 'last' ? 'desc' : 'asc';
}

/** Instants as sortable numbers (the ISO strings carry offsets, so they are not compared as text). */
const instant = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

function value(f: Finding, key: FindingColumn): string | number | null {
  switch (key) {
    case 'severity':
      return SEVERITY_WEIGHT[f.severity];
    case 'rule':
      return f.rule;
    case 'device':
      return f.device;
    case 'app':
      return f.appName ?? f.app;
    case 'category':
      return f.category;
    case 'count':
      return f.count;
    case 'first':
      return instant(f.first);
    case 'last':
      return instant(f.last);
    case 'title':
      return f.title;
    default: {
      const never: never = key;
      return never;
    }
  }
}

/** Sorts findings by a column; ties fall back to severity, then the order the core returned. */
export function sortFindings(
  items: readonly Finding[],
  key: FindingColumn,
  dir: SortDir,
): Finding[] {
  const bySeverity = sortBy(items, (f) => SEVERITY_WEIGHT[f.severity], 'desc');
  return bySeverity
    .map((f, i) => ({ f, i }))
    .sort((a, b) => compareValues(value(a.f, key), value(b.f, key), dir) || a.i - b.i)
    .map((x) => x.f);
}

/** The list's own filter: rules and severities shown (empty = all). */
export interface FindingsFilter {
  rules: FindingRule[];
  severities: Severity[];
}

/** Keeps the findings whose rule and severity are chosen (an empty choice keeps all). */
export function filterFindings(items: readonly Finding[], f: FindingsFilter): Finding[] {
  return items.filter(
    (x) =>
      (f.rules.length === 0 || f.rules.includes(x.rule)) &&
      (f.severities.length === 0 || f.severities.includes(x.severity)),
  );
}

/** Adds or removes a value from a choice list. */
export function toggle<T>(list: readonly T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

/** `rule.name` of a parameter. */
export const paramKey = (rule: FindingRule, p: FindingParam): string => `${rule}.${p.name}`;

/** Every parameter with its default, by `rule.name`. */
export function defaultParams(infos: readonly FindingRuleInfo[]): FindingParams {
  const out: FindingParams = {};
  for (const r of infos) for (const p of r.params) out[paramKey(r.id, p)] = p.default;
  return out;
}

/**
 * Checks a parameter's text as typed: a positive number for numeric defaults, `HH:MM` for times.
 * Returns the value, or an error message.
 */
export function parseParamInput(
  p: FindingParam,
  text: string,
): { ok: true; value: number | string } | { ok: false; message: string } {
  const t = text.trim();
  if (typeof p.default === 'number') {
    const n = Number(t);
    return t !== '' && Number.isFinite(n) && n > 0
      ? { ok: true, value: n }
      : { ok: false, message: 'a positive number' };
  }
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(t)
    ? { ok: true, value: t }
    : { ok: false, message: 'a time HH:MM' };
}

/** Only the values that differ from the defaults and that the rules still declare. */
export function overrides(infos: readonly FindingRuleInfo[], values: FindingParams): FindingParams {
  const defaults = defaultParams(infos);
  const out: FindingParams = {};
  for (const [k, v] of Object.entries(values)) {
    if (k in defaults && defaults[k] !== v) out[k] = v;
  }
  return out;
}

/** How many evidence ids the expanded finding lists. */
export const EVIDENCE_SHOWN = 50;

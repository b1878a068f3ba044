import type {
  Finding,
  FindingParam,
  FindingParams,
  FindingRule,
  FindingRuleInfo,
  Severity,
} from '../../../contract/findings';
import type { FindingsStatus } from '../../../contract/events';
import { parseIsoWithOffset } from '../../../contract/time';
import { formatDuration } from '../../shared/format';
import { wordsOfKey } from '../../shared/labels';
import { compareValues, sortBy, type SortDir } from '../../shared/sort';
import { formatWhenCompact } from '../../shared/time-format';

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

/**
 * A finding's instant (ISO-8601 with the device's offset) as every table writes it:
 * `2024-05-01 02:17:11 +08:00`, on a 24-hour clock. Text that is not an instant is kept.
 */
export function formatFindingTime(iso: string | null): string {
  if (iso === null) return '—';
  const t = parseIsoWithOffset(iso);
  return t ? formatWhenCompact(t.ms, t.offsetMin, 'local') : iso;
}

/** The rule's title ("Night access"), else its id in words. */
export function ruleLabel(rule: FindingRule, infos: readonly FindingRuleInfo[] | null): string {
  return infos?.find((i) => i.id === rule)?.title ?? wordsOfKey(rule);
}

/** Labels of the figures the rules put in a finding's details; any other key is put in words. */
const DETAIL_LABELS: Record<string, string> = {
  nights: 'Nights',
  sessions: 'Sessions',
  busiestNightSessions: 'Sessions on the busiest night',
  firstNight: 'First night',
  lastNight: 'Last night',
  window: 'Hours',
  reported: 'Background as reported by Android',
  inferred: 'Background as inferred from usage records',
  backgroundRejects: 'Background attempts refused',
  medianGapSeconds: 'Median gap between sessions',
  meanGapSeconds: 'Mean gap between sessions',
  cv: 'Variation of the gaps (coefficient of variation)',
  maxCv: 'Largest variation counted as regular',
  longestSeconds: 'Longest interval',
  totalSeconds: 'Total length of these intervals',
  thresholdSeconds: 'Threshold',
  domains: 'Domains',
  owners: 'Domain owners',
  rows: 'Network rows',
  status: 'Status',
  origin: 'Recorded in',
  permission: 'Permission as recorded',
  accessesAfter: 'Accesses after the change',
  perDay: 'Sessions per observed day',
  observedDays: 'Observed days',
  activeDays: 'Days with a session',
  threshold: 'Threshold per day',
  screenOffIntervals: 'Screen-off intervals',
  evidenceTruncated: 'Evidence records not listed',
  why: 'Why this severity',
  ruleSeverity: 'Severity by the rule alone',
  expectation: 'What the app catalog says',
  intervalLength: 'Interval length shared across apps (s)',
  intervalNote: 'What that length means',
};

/** A detail's label for people. */
export function detailLabel(key: string): string {
  return DETAIL_LABELS[key] ?? wordsOfKey(key);
}

/**
 * A detail's value for people: seconds as a duration, instants and hour windows on the app's
 * 24-hour format, yes or no for flags.
 */
export function detailValue(key: string, value: string | number | boolean | null): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (/Seconds$/.test(key)) return formatDuration(value * 1000);
    return String(value);
  }
  const window = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(value);
  if (window) return `${window[1]}–${window[2]} device-local`;
  return /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatFindingTime(value) : value;
}

/** The parameters the findings are computed with, in words: the changed ones, or the defaults. */
export function paramsInWords(
  params: FindingParams,
  infos: readonly FindingRuleInfo[] | null,
): string {
  const changed = Object.entries(params).sort(([a], [b]) => a.localeCompare(b));
  if (changed.length === 0) return 'the default parameters';
  const words = changed.map(([key, value]) => {
    const dot = key.indexOf('.');
    const title = ruleLabel(key.slice(0, dot) as FindingRule, infos);
    return `${title}, ${wordsOfKey(key.slice(dot + 1)).toLowerCase()} ${String(value)}`;
  });
  return `these parameters: ${words.join('; ')}`;
}

/** What the Findings view says while the stored findings are computed, or why they are not. */
export function pendingSentence(
  status: FindingsStatus,
  infos: readonly FindingRuleInfo[] | null,
): string {
  if (status.state === 'failed')
    return status.message ?? 'The findings could not be computed for an unknown reason.';
  if (status.state === 'ready') return 'The findings are up to date; they are being read.';
  const progress = status.total > 1 ? ` ${status.done} of ${status.total} devices are done.` : '';
  return `The findings are being computed with ${paramsInWords(status.params, infos)}. This list shows them when they are ready.${progress}`;
}

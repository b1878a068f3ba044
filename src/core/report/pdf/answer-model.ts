/**
 * What page 1 says, as plain data: the question, the answer (the key findings with app names,
 * the hours of their accesses and their evidence), the observed period with its gaps, the filter
 * in words and the caveats. Tests read this model; `answer-page.ts` draws it.
 */
import { CATEGORY_LABELS } from '../../../contract/categories';
import { DEFAULT_NIGHT, type DayWindow } from '../../../contract/filter';
import type { Severity } from '../../../contract/findings';
import { dayNumberToDate, localDayNumber } from '../../../contract/time';
import type { Device } from '../../../contract/records';
import { marketingName } from '../../importers/ios-backup/product-types';
import { filterTextInWords, wordList } from './filter-words';
import { appLabel, formatOffset, intervalWording } from './format';
import type { ReportFinding, ReportInput, ReportKeyFinding } from './types';

/** The question the report answers, as page 1 asks it. */
export const REPORT_QUESTION =
  'Which apps touched photos, camera, microphone, contacts and location on this phone, when, and how often?';

/** Key findings page 1 shows; the Findings section lists the rest. */
export const ANSWER_ITEMS = 5;
/** Evidence ids cited under each key finding on page 1 (the Findings section lists more). */
const ANSWER_EVIDENCE = 1;
/** Runs of days without data named per device; the heatmap shows them all. */
const NO_DATA_RUNS_SHOWN = 6;

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };
/** The resources the question names come first when findings tie on severity. */
const ASKED = new Set(['photos', 'camera', 'microphone', 'contacts', 'location']);

/** One key finding as page 1 shows it. */
export interface AnswerItem {
  findingId: string;
  severity: Severity;
  device: string;
  /** The app's display name (its identifier when no name is known). */
  name: string;
  /** The identifier, when it differs from the name. */
  appId: string | null;
  resource: string;
  sentence: string;
  why: string | null;
  cannotProve: string | null;
  /** Accesses per device-local hour (24 values), from the finding's evidence. */
  hourCounts: number[];
  /** Evidence ids with the source file and place each was read from. */
  evidence: { id: string; where: string }[];
  evidenceTotal: number;
}

/** A device's model, OS and the days its access logs cover. */
export interface ObservedDevice {
  deviceId: number;
  label: string;
  /** Platform, model and OS version in words. */
  model: string;
  /** Ascending inclusive runs of observed device-local days (`YYYY-MM-DD`). */
  observed: { first: string; last: string }[];
  observedDays: number;
  /** Days between the first and last observed day without data, as runs. */
  noData: { first: string; last: string }[];
  noDataDays: number;
  /** The UTC offset the days are counted in. */
  offsetMin: number;
}

/** Page 1's content. */
export interface AnswerModel {
  question: string;
  items: AnswerItem[];
  /** Findings not among the items (the Findings section details them). */
  otherFindings: number;
  devices: ObservedDevice[];
  filter: string;
  night: DayWindow;
  caveats: string[];
}

/** A device's platform, model and OS version, with a product type (`iPhone15,2`) named. */
export function deviceModelWords(d: Pick<Device, 'platform' | 'model' | 'osVersion'>): string {
  const platform = d.platform === 'ios' ? 'iOS' : d.platform === 'android' ? 'Android' : null;
  let model = d.model?.trim() || null;
  if (model && /^(iPhone|iPad|iPod)\d+,\d+$/.test(model))
    model = `${marketingName(model) ?? model} (${model})`;
  const os = d.osVersion?.trim()
    ? `${platform ?? 'OS'} ${d.osVersion.trim()}`
    : `${platform ?? 'OS'} version not recorded`;
  return `${model ?? 'Model not recorded'}, ${os}`;
}

/** The UTC offset of an ISO-8601 time (`+08:00`, `Z`), in minutes, or null. */
function isoOffset(iso: string | null): number | null {
  const m = iso ? /(Z|([+-])(\d{2}):(\d{2}))$/.exec(iso) : null;
  if (!m) return null;
  if (m[1] === 'Z') return 0;
  return (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
}

/** Inclusive day ranges → runs of `YYYY-MM-DD` and the gaps between them. */
function runsAndGaps(ranges: readonly [number, number][]): {
  observed: { first: string; last: string }[];
  observedDays: number;
  noData: { first: string; last: string }[];
  noDataDays: number;
} {
  const sorted = [...ranges].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const observed = merged.map(([a, b]) => ({
    first: dayNumberToDate(a),
    last: dayNumberToDate(b),
  }));
  const noData: { first: string; last: string }[] = [];
  let noDataDays = 0;
  for (let i = 1; i < merged.length; i += 1) {
    const a = merged[i - 1]![1] + 1;
    const b = merged[i]![0] - 1;
    noData.push({ first: dayNumberToDate(a), last: dayNumberToDate(b) });
    noDataDays += b - a + 1;
  }
  return {
    observed,
    observedDays: merged.reduce((n, [a, b]) => n + b - a + 1, 0),
    noData,
    noDataDays,
  };
}

/** Importers whose sources log app accesses (a backup's artifacts do not). */
function logsAccess(s: ReportInput['sources'][number]): boolean {
  return (
    s.counts.access > 0 ||
    s.counts.sessions > 0 ||
    s.importer === 'ios-app-privacy-report' ||
    s.importer === 'android-dumpsys'
  );
}

/**
 * The observed days of every device: those the heatmap carries (cut to the filter's dates), else
 * the data ranges of the device's access-log sources.
 */
export function observedDevices(input: ReportInput): ObservedDevice[] {
  // The heatmap lists the filter's devices: a filter on one device leaves the others out.
  const listed = new Set((input.heatmap?.observed ?? []).map((o) => o.deviceId));
  const inFilter = input.devices.filter((d) => listed.has(d.id));
  return (inFilter.length > 0 ? inFilter : input.devices).map((d) => {
    const fromHeatmap = input.heatmap?.observed?.find((o) => o.deviceId === d.id);
    const offsetMin = fromHeatmap?.offsetMin ?? d.offsetMin ?? 0;
    const ranges: [number, number][] = fromHeatmap
      ? fromHeatmap.ranges.map(([a, b]) => [a, b])
      : input.sources
          .filter((s) => s.deviceId === d.id && logsAccess(s))
          .flatMap((s): [number, number][] =>
            s.dataFrom !== null && s.dataTo !== null
              ? [[localDayNumber(s.dataFrom, offsetMin), localDayNumber(s.dataTo, offsetMin)]]
              : [],
          )
          .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    return {
      deviceId: d.id,
      label: d.label,
      model: deviceModelWords(d),
      offsetMin,
      ...runsAndGaps(ranges),
    };
  });
}

/** Day runs as words: "2024-05-03", "2024-05-03 to 2024-05-05", at most `max` of them. */
export function runWords(runs: readonly { first: string; last: string }[], max: number): string {
  const shown = runs
    .slice(0, max)
    .map((r) => (r.first === r.last ? r.first : `${r.first} to ${r.last}`));
  const more = runs.length - shown.length;
  return wordList(more > 0 ? [...shown, `${more} more run${more === 1 ? '' : 's'}`] : shown);
}

/** A device's observed period in one sentence, its days without data named. */
export function observedSentence(o: ObservedDevice): string {
  if (o.observedDays === 0)
    return 'No day is covered by an access log (an App Privacy Report or an Android capture), so nothing here shows when apps used a resource.';
  const first = o.observed[0]!.first;
  const last = o.observed[o.observed.length - 1]!.last;
  const span = `${first} to ${last}`;
  const days = `${o.observedDays} day${o.observedDays === 1 ? '' : 's'} with data`;
  const gaps =
    o.noDataDays === 0
      ? 'no day without data in between'
      : `no data on ${o.noDataDays} day${o.noDataDays === 1 ? '' : 's'}: ${runWords(o.noData, NO_DATA_RUNS_SHOWN)}`;
  return `${span} (device-local days at UTC${formatOffset(o.offsetMin)}): ${days}; ${gaps}.`;
}

/** Accesses per device-local hour from instants and an offset. */
function hourCounts(marks: readonly { ms: number }[], offsetMin: number): number[] {
  const counts = Array.from({ length: 24 }, () => 0);
  for (const m of marks) {
    if (!Number.isFinite(m.ms)) continue;
    const minute = Math.floor((m.ms + offsetMin * 60_000) / 60_000);
    const hour = Math.floor((((minute % 1440) + 1440) % 1440) / 60);
    counts[hour] = (counts[hour] ?? 0) + 1;
  }
  return counts;
}

/** The fewest consecutive hours (wrapping at midnight) that hold at least 3 in 4 of the accesses. */
export function busiestHours(
  counts: readonly number[],
): { from: number; to: number; n: number } | null {
  const total = counts.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const need = Math.ceil(total * 0.75);
  for (let len = 1; len <= 24; len += 1) {
    let best: { from: number; n: number } | null = null;
    for (let from = 0; from < 24; from += 1) {
      let n = 0;
      for (let k = 0; k < len; k += 1) n += counts[(from + k) % 24]!;
      if (n >= need && (best === null || n > best.n)) best = { from, n };
    }
    if (best) return { from: best.from, to: (best.from + len) % 24, n: best.n };
  }
  return null;
}

/**
 * When the cited intervals began: the busiest window, or, when that window is wide and the
 * intervals fall in a few hours, those hours one by one.
 */
function hoursWords(
  counts: readonly number[],
  busy: { from: number; to: number; n: number },
  total: number,
): string {
  if (total === 1)
    return `the cited interval began between ${hh(busy.from)} and ${hh((busy.from + 1) % 24)}`;
  const width = (busy.to - busy.from + 24) % 24 || 24;
  const hours = counts.flatMap((n, h) => (n > 0 ? [h] : []));
  if (width > 4 && hours.length <= 4)
    return `the ${total} cited intervals began in the hours ${wordList(hours.map((h) => `${hh(h)}–${hh((h + 1) % 24)}`))}`;
  return `${busy.n} of the ${total} cited intervals began between ${hh(busy.from)} and ${hh(busy.to)}`;
}

function hh(h: number): string {
  return `${String(h).padStart(2, '0')}:00`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function rate(n: number): string {
  return n >= 10 ? String(Math.round(n)) : n.toFixed(1).replace(/\.0$/, '');
}

/** Findings grouped by device, app and resource, each group led by its most severe finding. */
function rankedGroups(findings: readonly ReportFinding[]): ReportFinding[][] {
  const groups = new Map<string, ReportFinding[]>();
  for (const f of findings) {
    if (f.app === null || f.category === null) continue;
    const key = `${f.deviceId}\u0000${f.app}\u0000${f.category}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  const lead = (g: ReportFinding[]): ReportFinding =>
    [...g].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]!;
  return [...groups.values()].sort((a, b) => {
    const la = lead(a);
    const lb = lead(b);
    return (
      SEVERITY_RANK[la.severity] - SEVERITY_RANK[lb.severity] ||
      Number(ASKED.has(lb.category ?? '')) - Number(ASKED.has(la.category ?? '')) ||
      lb.count - la.count ||
      la.id.localeCompare(lb.id)
    );
  });
}

/** The key findings to show: those given (from the key-findings view), else the stored findings ranked. */
function keyItems(input: ReportInput): ReportKeyFinding[] {
  if (input.keyFindings) return input.keyFindings.slice(0, ANSWER_ITEMS);
  const groups = rankedGroups(input.findings);
  const serious = groups.filter((g) => g.some((f) => SEVERITY_RANK[f.severity] <= 1));
  const chosen = (serious.length > 0 ? serious : groups).slice(0, ANSWER_ITEMS);
  return chosen.map((g) => fallbackKeyFinding(input, g));
}

/** A key finding built from the stored findings of one device, app and resource. */
function fallbackKeyFinding(input: ReportInput, group: ReportFinding[]): ReportKeyFinding {
  const sorted = [...group].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.id.localeCompare(b.id),
  );
  const lead = sorted[0]!;
  const category = lead.category!;
  const app = lead.app!;
  const name = appLabel(lead.appName, app);
  const resource = (CATEGORY_LABELS[category] ?? category).toLowerCase();
  const summary = input.summary.find(
    (s) => s.deviceId === lead.deviceId && s.app === app && s.category === category,
  );
  const observed = observedDevices(input).find((o) => o.deviceId === lead.deviceId);
  const sessions = summary?.sessions ?? Math.max(...group.map((f) => f.count));
  const observedDays = observed?.observedDays ?? 0;
  const perDay = observedDays > 0 ? sessions / observedDays : 0;
  const offset =
    input.devices.find((d) => d.id === lead.deviceId)?.offsetMin ?? isoOffset(lead.first) ?? 0;
  const counts = hourCounts(
    marksOf(
      input,
      group.map((f) => f.id),
    ),
    offset,
  );
  const busy = busiestHours(counts);
  const total = counts.reduce((s, n) => s + n, 0);
  // Hours are device-local, as the chart beside the sentence says.
  const often =
    observedDays > 0
      ? `${plural(sessions, 'access interval')} recorded over ${plural(observedDays, 'observed day')} (${rate(perDay)} per observed day)`
      : `${plural(sessions, 'access interval')} recorded`;
  const when = busy ? `; ${hoursWords(counts, busy, total)}` : '';
  return {
    findingId: lead.id,
    deviceId: lead.deviceId,
    app,
    appName: lead.appName,
    category,
    severity: lead.severity,
    sentence: `${name}, ${resource}: ${often}${when}.`,
    why: sorted.map((f) => f.title).join(' '),
    sessions,
    perObservedDay: perDay,
    observedDays,
    hours: busy ? { from: busy.from, to: busy.to, share: total > 0 ? busy.n / total : 0 } : null,
    cannotProve: lead.caveat,
    findingIds: sorted.map((f) => f.id),
    first: lead.first,
    last: lead.last,
  };
}

/** The evidence instants of some findings, each instant once. */
function marksOf(input: ReportInput, ids: readonly string[]): { ms: number }[] {
  const seen = new Set<number>();
  const out: { ms: number }[] = [];
  for (const id of ids)
    for (const m of input.excerpts?.[id] ?? [])
      if (!seen.has(m.ms)) {
        seen.add(m.ms);
        out.push(m);
      }
  return out;
}

/** The caveats page 1 states, those of the source kinds in the case included. */
function caveats(input: ReportInput): string[] {
  const importers = new Set(input.sources.map((s) => s.importer));
  const list = [
    'An access record shows that the system registered an app using a resource between two times, not what was read, copied or sent.',
    "An interval is a privacy-accounting window, not how long data was read; many share one system-defined length, the phone's own apps included.",
    'A day without data is not a quiet day: nothing is known of the days outside the observed period or in its gaps.',
    "Severity ranks how unexpected an access is by each rule's documented criteria; it is not a verdict on the app.",
  ];
  if (importers.has('ios-app-privacy-report'))
    list.push(
      'The iOS App Privacy Report keeps about seven days: an export covers at most the week before it was saved.',
    );
  if ([...importers].some((i) => i.startsWith('android')))
    list.push(
      'Android keeps app-ops history for a limited time and in buckets: a missing entry is not proof of no access.',
    );
  return list;
}

/** The findings a key finding stands for: those it names, else its own. */
export function keyFindingIds(k: {
  findingId: string;
  findingIds?: readonly string[];
}): readonly string[] {
  return k.findingIds && k.findingIds.length > 0 ? k.findingIds : [k.findingId];
}

/** Page 1's content from the report's input. */
export function answerModel(input: ReportInput): AnswerModel {
  const byId = new Map(input.findings.map((f) => [f.id, f]));
  const devices = new Map(input.devices.map((d) => [d.id, d.label]));
  const keys = keyItems(input);
  const items = keys.map((k): AnswerItem => {
    const ids = keyFindingIds(k);
    const lead = byId.get(k.findingId);
    const offset =
      input.devices.find((d) => d.id === k.deviceId)?.offsetMin ?? isoOffset(k.first) ?? 0;
    const name = appLabel(k.appName, k.app);
    return {
      findingId: k.findingId,
      severity: k.severity,
      device: devices.get(k.deviceId) ?? lead?.device ?? `device #${k.deviceId}`,
      name,
      appId: name === k.app ? null : k.app,
      resource: CATEGORY_LABELS[k.category] ?? k.category,
      sentence: intervalWording(k.sentence),
      why: k.why ? intervalWording(k.why) : null,
      cannotProve: k.cannotProve ? intervalWording(k.cannotProve) : null,
      hourCounts: hourCounts(marksOf(input, ids), offset),
      evidence: (lead?.evidence ?? []).slice(0, ANSWER_EVIDENCE).map((id, i) => ({
        id,
        where: lead?.evidenceWhere?.[i] ?? '',
      })),
      evidenceTotal: lead ? (lead.evidenceListed ?? lead.evidence.length) : 0,
    };
  });
  const shown = new Set(keys.flatMap((k) => k.findingIds ?? [k.findingId]));
  return {
    question:
      input.devices.length > 1
        ? REPORT_QUESTION.replace('on this phone', 'on these devices')
        : REPORT_QUESTION,
    items,
    otherFindings: input.findings.filter((f) => !shown.has(f.id)).length,
    devices: observedDevices(input),
    filter: filterTextInWords(input.filterText, input.devices),
    night: keys.find((k) => k.window)?.window ?? input.comparison?.night ?? DEFAULT_NIGHT,
    caveats: caveats(input),
  };
}

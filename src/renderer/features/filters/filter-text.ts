import { CATEGORIES, CATEGORY_LABELS, type Category } from '../../../contract/categories';
import { filterSchema, parseDayWindow, type Filter } from '../../../contract/filter';
import {
  APP_STATES,
  appStateLabel,
  DEVICE_STATES,
  deviceStateLabel,
  parseAppState,
  parseDeviceState,
  type AppState,
  type DeviceState,
} from './app-states';

/** Drops empty lists and undefined fields so equal filters serialise equally. */
export function normalizeFilter(filter: Filter): Filter {
  const out: Filter = {};
  if (filter.devices && filter.devices.length > 0)
    out.devices = [...new Set(filter.devices)].sort((a, b) => a - b);
  if (filter.apps && filter.apps.length > 0) out.apps = [...new Set(filter.apps)];
  if (filter.categories && filter.categories.length > 0) {
    const set = new Set(filter.categories);
    out.categories = CATEGORIES.filter((c) => set.has(c));
  }
  if (filter.from) out.from = filter.from;
  if (filter.to) out.to = filter.to;
  if (filter.hours) out.hours = { from: filter.hours.from, to: filter.hours.to };
  if (filter.minSeconds !== undefined && filter.minSeconds > 0) out.minSeconds = filter.minSeconds;
  if (filter.states && filter.states.length > 0) {
    const set = new Set(filter.states);
    out.states = APP_STATES.filter((s) => set.has(s));
  }
  if (filter.deviceStates && filter.deviceStates.length > 0) {
    const set = new Set(filter.deviceStates);
    out.deviceStates = DEVICE_STATES.filter((s) => set.has(s));
  }
  if (filter.tags && filter.tags.length > 0) out.tags = [...new Set(filter.tags)].sort();
  if (filter.starred) out.starred = true;
  return out;
}

/** A stable key of a filter, for dependency lists and storage. */
export function filterKey(filter: Filter): string {
  return JSON.stringify(normalizeFilter(filter));
}

/** How many filter fields are active. */
export function countActive(filter: Filter): number {
  const f = normalizeFilter(filter);
  return [
    f.devices,
    f.apps,
    f.categories,
    f.from ?? f.to,
    f.hours,
    f.minSeconds,
    f.states,
    f.deviceStates,
    f.tags,
    f.starred,
  ].filter((v) => v !== undefined).length;
}

const needsQuotes = (v: string): boolean => /[\s,":]/.test(v) || v.length === 0;
const quote = (v: string): string => (needsQuotes(v) ? JSON.stringify(v) : v);

/**
 * A filter as one line of text, e.g.
 * `device:1,2 app:com.example.app,"My App" category:camera from:2024-05-01 hours:00:00-06:00 min:60
 * state:background`.
 */
export function filterToText(filter: Filter): string {
  const f = normalizeFilter(filter);
  const parts: string[] = [];
  if (f.devices) parts.push(`device:${f.devices.join(',')}`);
  if (f.apps) parts.push(`app:${f.apps.map(quote).join(',')}`);
  if (f.categories) parts.push(`category:${f.categories.join(',')}`);
  if (f.from) parts.push(`from:${f.from}`);
  if (f.to) parts.push(`to:${f.to}`);
  if (f.hours) parts.push(`hours:${f.hours.from}-${f.hours.to}`);
  if (f.minSeconds !== undefined) parts.push(`min:${f.minSeconds}`);
  if (f.states) parts.push(`state:${f.states.join(',')}`);
  if (f.deviceStates) parts.push(`devicestate:${f.deviceStates.join(',')}`);
  if (f.tags) parts.push(`tag:${f.tags.map(quote).join(',')}`);
  if (f.starred) parts.push('starred:yes');
  return parts.join(' ');
}

export type ParseResult = { ok: true; filter: Filter } | { ok: false; message: string };

interface Token {
  key: string;
  values: string[];
}

/** Splits `key:v1,"v 2"` tokens, honouring JSON-style quoted values. */
function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i] ?? '')) i += 1;
    if (i >= n) break;
    const colon = text.indexOf(':', i);
    if (colon < 0) return `expected key:value near "${text.slice(i, i + 20)}"`;
    const key = text.slice(i, colon).trim().toLowerCase();
    if (!/^[a-z]+$/.test(key)) return `unknown key "${text.slice(i, colon)}"`;
    i = colon + 1;
    const values: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        let j = i + 1;
        while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        if (j >= n) return 'unterminated quote';
        try {
          values.push(JSON.parse(text.slice(i, j + 1)) as string);
        } catch {
          return `bad quoted value ${text.slice(i, j + 1)}`;
        }
        i = j + 1;
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && !/\s/.test(text[j] ?? '')) j += 1;
        values.push(text.slice(i, j));
        i = j;
      }
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    tokens.push({ key, values });
  }
  return tokens;
}

/** Parses the text form back into a validated filter. */
export function textToFilter(text: string): ParseResult {
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  const draft: Filter = {};
  for (const { key, values } of tokens) {
    const first = values[0] ?? '';
    switch (key) {
      case 'device':
      case 'devices': {
        const ids = values.map(Number);
        if (ids.some((v) => !Number.isInteger(v) || v <= 0))
          return { ok: false, message: 'device ids must be positive integers' };
        draft.devices = [...(draft.devices ?? []), ...ids];
        break;
      }
      case 'app':
      case 'apps':
        draft.apps = [...(draft.apps ?? []), ...values.filter((v) => v.length > 0)];
        break;
      case 'category':
      case 'categories': {
        const cats: Category[] = [];
        for (const v of values) {
          const c = CATEGORIES.find((x) => x.toLowerCase() === v.toLowerCase());
          if (!c) return { ok: false, message: `unknown category "${v}"` };
          cats.push(c);
        }
        draft.categories = [...(draft.categories ?? []), ...cats];
        break;
      }
      case 'from':
        draft.from = first;
        break;
      case 'to':
        draft.to = first;
        break;
      case 'hours': {
        const w = parseDayWindow(values.join(','));
        if (!w) return { ok: false, message: 'hours must look like 00:00-06:00' };
        draft.hours = w;
        break;
      }
      case 'min': {
        const s = Number(first);
        if (!Number.isFinite(s) || s < 0)
          return { ok: false, message: 'min must be a number of seconds' };
        draft.minSeconds = s;
        break;
      }
      case 'state':
      case 'states': {
        const states: AppState[] = [];
        for (const v of values) {
          const st = parseAppState(v);
          if (!st) return { ok: false, message: `state must be foreground, background or unknown` };
          states.push(st);
        }
        draft.states = [...(draft.states ?? []), ...states];
        break;
      }
      case 'devicestate':
      case 'devicestates': {
        const states: DeviceState[] = [];
        for (const v of values) {
          const st = parseDeviceState(v);
          if (!st)
            return {
              ok: false,
              message: 'devicestate must be in-use, screen-off, locked or unknown',
            };
          states.push(st);
        }
        draft.deviceStates = [...(draft.deviceStates ?? []), ...states];
        break;
      }
      case 'tag':
      case 'tags':
        draft.tags = [...(draft.tags ?? []), ...values.filter((v) => v.length > 0)];
        break;
      case 'starred':
        if (first !== 'yes' && first !== 'no')
          return { ok: false, message: 'starred must be yes or no' };
        if (first === 'yes') draft.starred = true;
        break;
      default:
        return { ok: false, message: `unknown key "${key}"` };
    }
  }
  const parsed = filterSchema.safeParse(draft);
  if (!parsed.success) {
    return {
      ok: false,
      message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, filter: normalizeFilter(parsed.data) };
}

export interface FilterChip {
  field: keyof Filter;
  label: string;
}

/** Human-readable chips of the active filter fields. */
export function describeFilter(
  filter: Filter,
  names: { device(id: number): string; app(identifier: string): string },
): FilterChip[] {
  const f = normalizeFilter(filter);
  const chips: FilterChip[] = [];
  if (f.devices)
    chips.push({ field: 'devices', label: `Device: ${f.devices.map(names.device).join(', ')}` });
  if (f.apps) {
    const shown = f.apps.slice(0, 3).map(names.app).join(', ');
    chips.push({
      field: 'apps',
      label: `App: ${shown}${f.apps.length > 3 ? ` +${f.apps.length - 3}` : ''}`,
    });
  }
  if (f.categories)
    chips.push({
      field: 'categories',
      label: `Category: ${f.categories.map((c) => CATEGORY_LABELS[c]).join(', ')}`,
    });
  if (f.from) chips.push({ field: 'from', label: `From ${f.from}` });
  if (f.to) chips.push({ field: 'to', label: `To ${f.to}` });
  if (f.hours) chips.push({ field: 'hours', label: `Hours ${f.hours.from}–${f.hours.to}` });
  if (f.minSeconds !== undefined) chips.push({ field: 'minSeconds', label: `≥ ${f.minSeconds} s` });
  if (f.states)
    chips.push({ field: 'states', label: `App state: ${f.states.map(appStateLabel).join(', ')}` });
  if (f.deviceStates)
    chips.push({
      field: 'deviceStates',
      label: `Device state: ${f.deviceStates.map(deviceStateLabel).join(', ')}`,
    });
  if (f.tags) chips.push({ field: 'tags', label: `Tagged: ${f.tags.join(', ')}` });
  if (f.starred) chips.push({ field: 'starred', label: 'Starred' });
  return chips;
}

/** The filter without one field. */
export function withoutField(filter: Filter, field: keyof Filter): Filter {
  const next: Filter = { ...filter };
  delete next[field];
  return normalizeFilter(next);
}

/** The bundle's filter in plain words, never as raw JSON. */
import { CATEGORY_LABELS, type Category } from '../../../contract/categories';
import { filterSchema, type Filter } from '../../../contract/filter';
import type { Device } from '../../../contract/records';

const STATE_WORDS: Record<string, string> = {
  foreground: 'in the foreground',
  background: 'in the background',
  unknown: 'with no recorded app state',
};

/** Joins words as "a", "a and b", "a, b and c". */
export function wordList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A range bound as the report prints it: a date alone, or a date and time with its offset. */
function boundWords(bound: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(
    bound,
  );
  if (!m) return bound;
  if (m[2] === undefined) return m[1]!;
  return `${m[1]} ${m[2]} ${m[3] === 'Z' ? 'UTC' : `UTC${m[3]}`}`;
}

const DEVICE_STATE_WORDS: Record<NonNullable<Filter['deviceStates']>[number], string> = {
  'in-use': 'in use (screen on and unlocked)',
  'screen-off': 'screen off',
  locked: 'locked',
  unknown: 'unknown (no record covers it)',
};

/** A filter as sentences: which devices, apps, resources, days, hours, states and annotations. */
export function filterWords(
  filter: Filter,
  devices: readonly Pick<Device, 'id' | 'label'>[],
): string {
  const parts: string[] = [];
  if (filter.devices && filter.devices.length > 0) {
    const names = filter.devices.map(
      (id) => devices.find((d) => d.id === id)?.label ?? `device #${id}`,
    );
    parts.push(`Devices: ${wordList(names)}.`);
  }
  if (filter.apps && filter.apps.length > 0) parts.push(`Apps: ${wordList(filter.apps)}.`);
  if (filter.categories && filter.categories.length > 0)
    parts.push(
      `Resources: ${wordList(filter.categories.map((c: Category) => CATEGORY_LABELS[c] ?? c))}.`,
    );
  if (filter.from && filter.to)
    parts.push(`From ${boundWords(filter.from)} up to ${boundWords(filter.to)} (end excluded).`);
  else if (filter.from) parts.push(`From ${boundWords(filter.from)} on.`);
  else if (filter.to) parts.push(`Before ${boundWords(filter.to)}.`);
  if (filter.hours)
    parts.push(`Only accesses between ${filter.hours.from} and ${filter.hours.to}, device-local.`);
  if (filter.minSeconds !== undefined && filter.minSeconds > 0)
    parts.push(`Only intervals of at least ${filter.minSeconds} s.`);
  if (filter.states && filter.states.length > 0)
    parts.push(`Only accesses ${wordList(filter.states.map((s) => STATE_WORDS[s] ?? s))}.`);
  if (filter.deviceStates && filter.deviceStates.length > 0)
    parts.push(
      `Only accesses whose device state at their start, per the device's own logs, was ${wordList(filter.deviceStates.map((s) => DEVICE_STATE_WORDS[s]))}.`,
    );
  if (filter.tags && filter.tags.length > 0)
    parts.push(`Only records tagged ${wordList(filter.tags.map((t) => `"${t}"`))}.`);
  if (filter.starred) parts.push('Only starred records.');
  return parts.length > 0 ? parts.join(' ') : 'None: every record of the case.';
}

/**
 * The filter text the report was given, in words: a filter passed as JSON (as the bundle writes
 * it) is described field by field; any other text is shown as given, and an empty one as none.
 */
export function filterTextInWords(
  text: string,
  devices: readonly Pick<Device, 'id' | 'label'>[],
): string {
  const trimmed = text.trim();
  if (trimmed === '' || /^none\b/i.test(trimmed)) return 'None: every record of the case.';
  if (!trimmed.startsWith('{')) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
  const filter = filterSchema.safeParse(parsed);
  // JSON that is not a filter is not printed either: the report never shows raw JSON.
  if (filter.success) return filterWords(filter.data, devices);
  return 'A filter the report cannot describe in words; manifest.json records it as used.';
}

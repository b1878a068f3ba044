import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CATEGORIES, type Category } from '../contract/categories';
import {
  DEVICE_STATE_CHOICES,
  filterSchema,
  parseDayWindow,
  rangeBoundSchema,
  type DayWindow,
  type Filter,
} from '../contract/filter';
import { parseRangeBound } from '../core/services/filter-sql';

/** A mistake in how the command was called: the CLI prints it with a hint and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every query command accepts to build a filter. */
export const FILTER_OPTIONS = {
  device: { type: 'string', multiple: true },
  app: { type: 'string', multiple: true },
  category: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  hours: { type: 'string' },
  'min-seconds': { type: 'string' },
  state: { type: 'string', multiple: true },
  'device-state': { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  starred: { type: 'boolean' },
} as const satisfies Options;

/** Parses one command's arguments strictly; an unknown or malformed option is a usage error. */
export function parseCommandArgs<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((e as Error).message);
    }
    throw e;
  }
}

/** The filter options as given on the command line. */
export interface FilterFlags {
  device?: string[];
  app?: string[];
  category?: string[];
  from?: string;
  to?: string;
  hours?: string;
  'min-seconds'?: string;
  state?: string[];
  'device-state'?: string[];
  tag?: string[];
  starred?: boolean;
}

const STATES = ['foreground', 'background', 'unknown'] as const;

/** A filter without devices plus the device labels still to resolve against the case. */
export interface ParsedFilter {
  filter: Filter;
  deviceLabels: string[];
}

function parseCategory(text: string): Category {
  const found = CATEGORIES.find((c) => c.toLowerCase() === text.trim().toLowerCase());
  if (!found) {
    throw new UsageError(`Unknown category "${text}". Categories: ${CATEGORIES.join(', ')}.`);
  }
  return found;
}

function isRealBound(text: string): boolean {
  if (!rangeBoundSchema.safeParse(text).success) return false;
  try {
    parseRangeBound(text);
    return true;
  } catch {
    return false;
  }
}

function checkBound(flag: string, text: string): string {
  if (isRealBound(text)) return text;
  throw new UsageError(
    `${flag} ${text}: expected YYYY-MM-DD (device-local midnight) or an ISO-8601 instant with offset, e.g. 2024-05-01T08:00:00+02:00.`,
  );
}

/** Parses an `HH:MM-HH:MM` flag value or throws a usage error naming the flag. */
export function parseWindowFlag(flag: string, text: string): DayWindow {
  const w = parseDayWindow(text);
  if (!w) {
    throw new UsageError(
      `${flag} ${text}: expected HH:MM-HH:MM in device-local time, e.g. 22:00-06:00.`,
    );
  }
  return w;
}

/** Builds and validates the filter from the flags; device labels are resolved later, against the case. */
export function parseFilterFlags(flags: FilterFlags): ParsedFilter {
  const filter: Filter = {};
  const deviceLabels = (flags.device ?? []).map((d) => d.trim());
  if (deviceLabels.some((d) => d === '')) throw new UsageError('--device needs a device label.');
  if (flags.app && flags.app.length > 0) {
    if (flags.app.some((a) => a.trim() === '')) {
      throw new UsageError('--app needs an app identifier or name.');
    }
    filter.apps = flags.app;
  }
  if (flags.category && flags.category.length > 0) {
    filter.categories = [...new Set(flags.category.map(parseCategory))];
  }
  if (flags.from !== undefined) filter.from = checkBound('--from', flags.from);
  if (flags.to !== undefined) filter.to = checkBound('--to', flags.to);
  if (flags.hours !== undefined) filter.hours = parseWindowFlag('--hours', flags.hours);
  if (flags['min-seconds'] !== undefined) {
    const text = flags['min-seconds'].trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < 0) {
      throw new UsageError(
        `--min-seconds ${flags['min-seconds']}: expected a number of seconds, 0 or more.`,
      );
    }
    filter.minSeconds = n;
  }
  if (flags.state && flags.state.length > 0) {
    filter.states = [
      ...new Set(
        flags.state.map((text) => {
          const found = STATES.find((x) => x === text.trim().toLowerCase());
          if (!found)
            throw new UsageError(`--state ${text}: expected one of ${STATES.join(', ')}.`);
          return found;
        }),
      ),
    ];
  }
  const deviceStates = flags['device-state'];
  if (deviceStates && deviceStates.length > 0) {
    filter.deviceStates = [
      ...new Set(
        deviceStates.map((text) => {
          const found = DEVICE_STATE_CHOICES.find((x) => x === text.trim().toLowerCase());
          if (!found)
            throw new UsageError(
              `--device-state ${text}: expected one of ${DEVICE_STATE_CHOICES.join(', ')}.`,
            );
          return found;
        }),
      ),
    ];
  }
  if (flags.tag && flags.tag.length > 0) {
    const tags = flags.tag.map((t) => t.trim());
    if (tags.some((t) => t === '')) throw new UsageError('--tag needs a tag.');
    filter.tags = [...new Set(tags)];
  }
  if (flags.starred) filter.starred = true;
  return { filter: validateFilter(filter), deviceLabels };
}

/** Validates a filter against the contract schema; an invalid one is a usage error. */
export function validateFilter(filter: Filter): Filter {
  const parsed = filterSchema.safeParse(filter);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`)
      .join('; ');
    throw new UsageError(`Invalid filter: ${issues}`);
  }
  return parsed.data;
}

/** The case path and the remaining positionals, or a usage error when the case is missing. */
export function takeCasePath(
  command: string,
  positionals: string[],
): { casePath: string; rest: string[] } {
  const [casePath, ...rest] = positionals;
  if (casePath === undefined || casePath.trim() === '') {
    throw new UsageError(`${command} needs a case file.`);
  }
  return { casePath, rest };
}

/** Rejects positionals a command does not take. */
export function noMorePositionals(command: string, rest: string[]): void {
  if (rest.length > 0) {
    throw new UsageError(`${command} takes one case file; unexpected: ${rest.join(' ')}`);
  }
}

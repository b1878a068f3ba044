import type { Filter } from '../contract/filter';
import {
  accessEventSchema,
  networkEventSchema,
  networkUsageEventSchema,
  permissionEventSchema,
  profileEventSchema,
  opHistoryEventSchema,
  rejectEventSchema,
  usageEventSchema,
  type AccessEvent,
  type OpHistoryEvent,
  type NetworkEvent,
  type NetworkUsageEvent,
  type PermissionEvent,
  type ProfileEvent,
  type RejectEvent,
  type UsageEvent,
} from '../contract/records';
import { csvRow } from '../core/services/csv';
import {
  accessEvents,
  networkEvents,
  networkUsageEvents,
  permissionEvents,
  profileEvents,
  opHistoryEvents,
  rejectEvents,
  usageEvents,
} from '../core/services/events-query';
import {
  FILTER_OPTIONS,
  noMorePositionals,
  parseCommandArgs,
  parseFilterFlags,
  takeCasePath,
  UsageError,
} from './args';
import { openCaseForQuery, caseFilter } from './case-open';
import type { CommandContext } from './context';

export const EVENTS_OPTIONS = {
  ...FILTER_OPTIONS,
  kind: { type: 'string' },
  format: { type: 'string' },
} as const;

const EVENT_KINDS = [
  'access',
  'network',
  'reject',
  'usage',
  'op-history',
  'permission',
  'network-usage',
  'profile',
] as const;
type EventKind = (typeof EVENT_KINDS)[number];
/** Without --kind: the App Privacy Report records (access and network). */
const DEFAULT_KINDS: readonly EventKind[] = ['access', 'network'];
const EVENT_FORMATS = ['jsonl', 'csv'] as const;
type EventFormat = (typeof EVENT_FORMATS)[number];

type EventRecord =
  | AccessEvent
  | NetworkEvent
  | RejectEvent
  | UsageEvent
  | OpHistoryEvent
  | PermissionEvent
  | NetworkUsageEvent
  | ProfileEvent;

/** The CSV columns for the chosen kinds: the record fields, access fields first, each once. */
export function csvColumns(kinds: readonly EventKind[]): string[] {
  const columns: string[] = [];
  for (const kind of kinds) {
    const shape = kindShape(kind);
    for (const key of Object.keys(shape)) if (!columns.includes(key)) columns.push(key);
  }
  return columns;
}

function kindShape(kind: EventKind): Record<string, unknown> {
  switch (kind) {
    case 'access':
      return accessEventSchema.shape;
    case 'network':
      return networkEventSchema.shape;
    case 'reject':
      return rejectEventSchema.shape;
    case 'usage':
      return usageEventSchema.shape;
    case 'op-history':
      return opHistoryEventSchema.shape;
    case 'permission':
      return permissionEventSchema.shape;
    case 'network-usage':
      return networkUsageEventSchema.shape;
    case 'profile':
      return profileEventSchema.shape;
    default: {
      const never: never = kind;
      throw new Error(`Unhandled event kind ${String(never)}`);
    }
  }
}

/** One CSV cell: null is empty, provenance is `sha256:locator` joined by `;`. */
function csvValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    return (value as { sha256: string; locator: string }[])
      .map((s) => `${s.sha256}:${s.locator}`)
      .join(';');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/** One record as a CSV row over the given columns (fields another kind has stay empty). */
export function csvRecord(record: EventRecord, columns: readonly string[]): string {
  const fields = record as unknown as Record<string, unknown>;
  return csvRow(columns.map((c) => csvValue(fields[c])));
}

function parseChoice<T extends string>(
  flag: string,
  text: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (text === undefined) return fallback;
  const found = choices.find((c) => c === text.trim().toLowerCase());
  if (!found) throw new UsageError(`${flag} ${text}: expected one of ${choices.join(', ')}.`);
  return found;
}

function* recordsOf(
  kinds: readonly EventKind[],
  stream: (kind: EventKind) => Iterable<EventRecord>,
): Generator<EventRecord> {
  for (const kind of kinds) yield* stream(kind);
}

/**
 * `events <case> [filters] [--kind access|network|permission|network-usage|profile|all] [--format jsonl|csv]`: one record a line,
 * streamed from SQLite in one read transaction (a consistent snapshot) with backpressure on stdout.
 */
export async function runEvents(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, EVENTS_OPTIONS);
  const { casePath, rest } = takeCasePath('events', positionals);
  noMorePositionals('events', rest);
  const parsed = parseFilterFlags(values);
  const kinds: readonly EventKind[] =
    values.kind === undefined
      ? DEFAULT_KINDS
      : values.kind.trim().toLowerCase() === 'all'
        ? EVENT_KINDS
        : [parseChoice('--kind', values.kind, EVENT_KINDS, 'access')];
  const format: EventFormat = parseChoice('--format', values.format, EVENT_FORMATS, 'jsonl');

  const session = openCaseForQuery(casePath);
  try {
    const filter: Filter = caseFilter(session, parsed);
    const stream = (kind: EventKind): Iterable<EventRecord> => {
      switch (kind) {
        case 'access':
          return accessEvents(session, filter);
        case 'network':
          return networkEvents(session, filter);
        case 'reject':
          return rejectEvents(session, filter);
        case 'usage':
          return usageEvents(session, filter);
        case 'op-history':
          return opHistoryEvents(session, filter);
        case 'permission':
          return permissionEvents(session, filter);
        case 'network-usage':
          return networkUsageEvents(session, filter);
        case 'profile':
          return profileEvents(session, filter);
        default: {
          const never: never = kind;
          throw new Error(`Unhandled event kind ${String(never)}`);
        }
      }
    };
    const columns = csvColumns(kinds);
    session.db.exec('BEGIN');
    try {
      if (format === 'csv') await ctx.out.write(csvRow(columns));
      for (const record of recordsOf(kinds, stream)) {
        await ctx.out.write(
          format === 'csv' ? csvRecord(record, columns) : JSON.stringify(record) + '\n',
        );
      }
      await ctx.out.flush();
    } finally {
      if (session.db.inTransaction) session.db.exec('COMMIT');
    }
    return 0;
  } finally {
    session.close();
  }
}

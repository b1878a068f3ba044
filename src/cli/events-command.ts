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
import { z } from 'zod';
import { AppError } from '../core/model/errors';
import { csvTable, type CsvColumn, type CsvTable } from '../core/services/csv';
import { beginAccessEvents, type ParallelEventsOptions } from '../core/services/events-parallel';
import { accessEvents } from '../core/services/access-events';
import { eventCsvValue } from '../core/services/event-text';
import {
  networkEvents,
  networkUsageEvents,
  permissionEvents,
  profileEvents,
  opHistoryEvents,
  rejectEvents,
  usageEvents,
} from '../core/services/record-events';
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

/**
 * Record fields holding an instant the tool formats (`YYYY-MM-DDTHH:mm:ss.SSS±HH:MM`): value
 * columns, written as they are. Every other string field quotes the evidence and is text.
 */
const TIME_FIELDS = new Set(['start', 'end', 'time', 'begin', 'firstSeen', 'lastSeen']);

/** The type inside `.nullable()` and `.optional()`. */
function unwrap(schema: unknown): unknown {
  let s = schema;
  while (s instanceof z.ZodNullable || s instanceof z.ZodOptional) s = s.unwrap();
  return s;
}

/**
 * The CSV writer for the chosen kinds: numbers, flags and times are value columns; every other
 * field (ids, device, app, names, domains, contexts, raw names, provenance) is text, guarded
 * against spreadsheet formulas.
 */
export function eventsCsvTable(kinds: readonly EventKind[]): CsvTable {
  const kindOf = new Map<string, CsvColumn['kind']>();
  for (const kind of kinds)
    for (const [key, schema] of Object.entries(kindShape(kind))) {
      const inner = unwrap(schema);
      const value =
        inner instanceof z.ZodNumber || inner instanceof z.ZodBoolean || TIME_FIELDS.has(key);
      // A field that is text in any kind is text: the column may hold that kind's strings.
      if (kindOf.get(key) !== 'text') kindOf.set(key, value ? 'value' : 'text');
    }
  return csvTable(csvColumns(kinds).map((name) => ({ name, kind: kindOf.get(name) ?? 'text' })));
}

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

/** One record as a CSV row over the table's columns (fields another kind has stay empty). */
export function csvRecord(record: EventRecord, table: CsvTable): string {
  const fields = record as unknown as Record<string, unknown>;
  return table.row(table.columns.map((c) => eventCsvValue(fields[c.name])));
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
 * A large case's access events are made by two threads reading one snapshot (see
 * `events-parallel.ts`), written in the order and bytes one thread writes; `parallel` tunes that
 * (tests).
 */
export async function runEvents(
  args: string[],
  ctx: CommandContext,
  parallel: ParallelEventsOptions = {},
): Promise<number> {
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
    const table = eventsCsvTable(kinds);
    const how =
      format === 'csv'
        ? { format: 'csv' as const, columns: table.columns }
        : { format: 'jsonl' as const };
    // Begins the read transaction: with a worker, both threads read this one state of the case.
    const access = await beginAccessEvents(
      session,
      filter,
      kinds.includes('access') ? how : null,
      parallel,
    );
    try {
      if (format === 'csv') await ctx.out.write(table.header());
      for (const kind of kinds) {
        if (kind === 'access') {
          // Millions of rows: written from the SQLite rows as bytes, without record objects.
          await access?.write((chunk) => ctx.out.writeBytes(chunk), ctx.signal);
          continue;
        }
        for (const record of recordsOf([kind], stream)) {
          if (ctx.signal?.aborted) throw new AppError('CANCELLED', 'The events were cancelled.');
          await ctx.out.write(
            format === 'csv' ? csvRecord(record, table) : JSON.stringify(record) + '\n',
          );
        }
      }
      await ctx.out.flush();
    } catch (e) {
      if (e instanceof AppError && e.code === 'CANCELLED') return 130;
      throw e;
    } finally {
      await access?.close();
      if (session.db.inTransaction) session.db.exec('COMMIT');
    }
    return 0;
  } finally {
    session.close();
  }
}

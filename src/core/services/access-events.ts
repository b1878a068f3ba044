// The access sessions matching a filter, streamed as public records or as the bytes of their
// export lines, a range of anchor instants at a time when the export is split between threads.
import { toCategory } from '../../contract/categories';
import type { Filter } from '../../contract/filter';
import type { AccessEvent } from '../../contract/records';
import { msToSeconds } from '../../contract/time';
import type { Statement } from 'better-sqlite3';
import { eventState } from '../db/session-state';
import { deviceStateReader, type DeviceStateAt } from '../db/queries/device-state';
import { csvAccessLine, jsonAccessLine } from './access-lines';
import {
  ACCESS_SQL,
  accessNames,
  anyOccurrences,
  provenance,
  type AccessNames,
  type AccessRow,
} from './access-rows';
import type { CaseSession } from './case-service';
import type { CsvColumn } from './csv';
import { ByteText, instant } from './event-text';
import { sessionId } from './session-ids';
import { proxyOf, storedJson } from '../model/json';

/** Maps one stored session row to its public access event record. */
function toAccessEvent(r: AccessRow, names: AccessNames, deviceState: DeviceStateAt): AccessEvent {
  const app = names.app.get(r[2]);
  return {
    id: sessionId(r[0], r[1]),
    kind: 'access',
    device: names.device.get(r[0]) ?? '',
    app: app?.identifier ?? '',
    appName: app?.name ?? null,
    category: toCategory(r[3]),
    raw: r[4],
    start: instant(r[5], r[6]),
    end: instant(r[7], r[8]),
    durationSeconds: r[9] === null ? null : msToSeconds(r[9]),
    ...eventState({ state: r[10], stateSource: r[11], inferredState: r[12] }),
    proxy: r[13] === null ? null : storedJson(r[13], () => proxyOf(sessionId(r[0], r[1]))),
    attributionTag: r[14],
    durationKnown: r[15] === 1,
    sources: provenance(r, names),
    deviceState,
  };
}

/**
 * Streams the access sessions matching a filter as public records, in order of their anchor
 * instant, one SQLite row at a time (never the whole result in memory).
 */
export function* accessEvents(
  session: CaseSession,
  filter: Filter,
): Generator<AccessEvent, void, undefined> {
  const { where, params } = session.queries.sessionFilter(filter);
  const names = accessNames(session);
  const rows = session.db
    .prepare(ACCESS_SQL(where))
    .raw()
    .iterate(...params) as IterableIterator<AccessRow>;
  const states = deviceStateReader(session.db);
  try {
    for (const r of rows) yield toAccessEvent(r, names, states.at(r[0], r[5]));
  } finally {
    states.close();
    rows.return?.();
  }
}

/** How access lines are written: JSON lines, or CSV rows over a table's columns. */
export type AccessLineFormat =
  { format: 'jsonl' } | { format: 'csv'; columns: readonly CsvColumn[] };

/**
 * The access events matching a filter, written as UTF-8 in pieces of about `chunkBytes` bytes,
 * each ending at a line's end: each line is exactly `JSON.stringify(record) + '\n'` (JSON lines)
 * or the CSV row of the record over the given columns (as `csvRecord` writes it), but built from
 * the SQLite row without a record object or strings, with device, app, source, category and
 * state texts encoded once. Rows are read one at a time, in the order of `accessEvents`.
 */
export function* accessEventBytes(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkBytes = 64 * 1024,
): Generator<Buffer, void, undefined> {
  const writer = accessSliceWriter(session, filter, how, chunkBytes);
  try {
    yield* writer.slice(null, null);
  } finally {
    writer.close();
  }
}

/** Writes the access events of one range of anchor instants after another (see below). */
export interface AccessSliceWriter {
  /**
   * The lines of the rows whose anchor instant is at or after `fromMs` and before `toMs` (null:
   * no bound), as {@link accessEventBytes} writes them, its last piece ending with the range.
   * Ranges are asked for in ascending order (the device states are swept forward).
   */
  slice(fromMs: number | null, toMs: number | null): Generator<Buffer, void, undefined>;
  close(): void;
}

/**
 * {@link accessEventBytes} a range of anchor instants at a time, the names, device states and
 * encoded texts kept from one range to the next: consecutive ranges give consecutive lines.
 */
export function accessSliceWriter(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkBytes = 64 * 1024,
): AccessSliceWriter {
  const { where, params } = session.queries.sessionFilter(filter);
  const names = accessNames(session);
  const occurrences = anyOccurrences(session);
  const states = deviceStateReader(session.db);
  const out = new ByteText(chunkBytes);
  const line =
    how.format === 'jsonl'
      ? jsonAccessLine(names, states)
      : csvAccessLine(names, how.columns, states);
  // One statement for each kind of range: unbounded, from, to, from and to.
  const statements = new Map<string, Statement>();
  const statement = (range: string): Statement => {
    let st = statements.get(range);
    if (!st) {
      // The filter's terms in parentheses: the range bounds every row whatever they hold.
      const terms = where.replace(/^WHERE /, '');
      const clause =
        range === '' ? where : `WHERE ${terms === '' ? '' : `(${terms}) AND `}${range}`;
      st = session.db.prepare(ACCESS_SQL(clause, occurrences)).raw();
      statements.set(range, st);
    }
    return st;
  };
  return {
    *slice(fromMs, toMs) {
      const range = [
        ...(fromMs === null ? [] : ['s.anchor_ms >= ?']),
        ...(toMs === null ? [] : ['s.anchor_ms < ?']),
      ].join(' AND ');
      const bounds = [...(fromMs === null ? [] : [fromMs]), ...(toMs === null ? [] : [toMs])];
      const rows = statement(range).iterate(...params, ...bounds) as IterableIterator<AccessRow>;
      try {
        for (const r of rows) {
          line(out, r);
          if (out.full()) yield out.take();
        }
        if (out.pos > 0) yield out.take();
      } finally {
        // A range left unfinished leaves nothing behind for the next one.
        out.pos = 0;
        rows.return?.();
      }
    },
    close: () => states.close(),
  };
}

/** {@link accessEventBytes} as text, in pieces of about `chunkChars` bytes of UTF-8. */
export function* accessEventText(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkChars = 64 * 1024,
): Generator<string, void, undefined> {
  for (const chunk of accessEventBytes(session, filter, how, chunkChars))
    yield chunk.toString('utf8');
}

// A bare iOS PowerLog (`*.PLSQL`, SQLite) as a source of device-state records: screen on/off,
// locked/unlocked and the app PowerLog charges the screen to, each an interval with its table and
// row, and the window each table covers. The file is read into memory and opened there
// (formats/powerlog); nothing is written beside the evidence.
import type { AppliedClock } from '../../../contract/records';
import { formatOffset } from '../../../contract/time';
import {
  parsePowerLog,
  PowerLogError,
  type PowerLogInterval,
  type PowerLogStateKind,
  type PowerLogStates,
} from '../../formats/powerlog';
import type { Importer, ImporterManifest, SourceInput } from '../importer';
import type {
  DeviceStateCoverageRecord,
  DeviceStateRecord,
  ImportRecord,
} from '../../model/import-records';
import { AppError } from '../../model/errors';
import {
  captureInstantFromName,
  offsetLookup,
  powerLogZone,
  powerLogZoneRequired,
  type PowerLogZone,
} from './clock';

export const powerLogManifest: ImporterManifest = {
  id: 'ios-powerlog',
  name: 'iOS PowerLog',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'An iOS PowerLog database (*.PLSQL, from a sysdiagnose): when the screen was on or off, when the device was locked, and which app the screen was charged to.',
  proves: [
    'The device itself logged these states (SpringBoard and the screen-state agent), each row with its table and row id.',
    'Within the window a table covers, its states are known; outside it they are unknown, never assumed.',
  ],
  doesNotProve: [
    'Who held the device, or whether the owner was looking at the screen (an always-on display or a second screen is not covered).',
    'That an app not named as in front was idle: it may have run in the background.',
    'What a system surface in front (com.apple.lock-screen, the home screen, the passcode screen) showed; these are kept as named, not as apps.',
    'Camera and location client activity, which PowerLog also records, is not imported yet.',
  ],
};

/** Largest PowerLog read into memory. */
export const MAX_POWERLOG_BYTES = 1024 * 1024 * 1024;
const EARLIEST_CAPTURE_MS = Date.UTC(2007, 0, 1);
const LATEST_CAPTURE_MS = Date.UTC(2100, 0, 1);
/** Records per yielded batch. */
const BATCH = 1000;

const SQLITE_MAGIC = 'SQLite format 3\0';
const POWERLOG_NAME = /(\.plsql$|powerlog)/i;
// Table names of PowerLog's own schema; the schema page often sits in the first bytes.
const POWERLOG_TABLE_HINTS = ['PLStorageOperator_', 'PLSpringBoardAgent_', 'PLScreenStateAgent_'];

const KIND: Partial<Record<PowerLogStateKind, DeviceStateRecord['kind']>> = {
  lock: 'lock',
  screen: 'screen',
  'screen-app': 'foreground',
};

/** The table and row a record comes from, as stored in its locator. */
export function powerLogLocator(table: string, rowid: number): string {
  return `${table} rowid ${rowid}`;
}

export const powerLogImporter: Importer = {
  manifest: powerLogManifest,
  accepts: {
    input: 'file',
    extensions: ['PLSQL', 'plsql'],
    looksFor: 'an iOS PowerLog (a SQLite database named *.PLSQL or powerlog_*)',
  },
  sniff(probe) {
    if (probe.kind !== 'file') return { confidence: 0, reason: 'a folder, not a PowerLog file' };
    const magic = Buffer.from(probe.head.subarray(0, 16)).toString('latin1');
    if (magic !== SQLITE_MAGIC) return { confidence: 0, reason: 'not a SQLite database' };
    if (POWERLOG_NAME.test(probe.name))
      return { confidence: 0.9, reason: `a SQLite database named ${probe.name}` };
    const head = Buffer.from(probe.head.buffer, probe.head.byteOffset, probe.head.length);
    if (POWERLOG_TABLE_HINTS.some((t) => head.includes(t, 0, 'latin1')))
      return { confidence: 0.8, reason: 'a SQLite database with PowerLog table names' };
    // Any other SQLite file: the parse reads its tables and refuses it when none is PowerLog's.
    return { confidence: 0.3, reason: 'a SQLite database that may be a renamed PowerLog' };
  },
  async *parse(source, ctx) {
    const zone = powerLogZone(ctx.timeZone, ctx.hints.timeZone);
    const bytes = await readAll(source, ctx.signal);
    if (typeof bytes === 'string') {
      yield [{ type: 'refusal', message: bytes }];
      return;
    }
    const captureMs = captureInstant(source.name, zone, ctx.hints.capturedAtMs);
    let states: PowerLogStates;
    try {
      states = parsePowerLog(
        bytes,
        {
          maxBytes: MAX_POWERLOG_BYTES,
          ...(captureMs === null ? {} : { untilMs: captureMs.until }),
        },
        source.name,
      );
    } catch (e) {
      if (e instanceof PowerLogError) {
        yield [{ type: 'refusal', message: e.message }];
        return;
      }
      throw e;
    }
    // Only a file that is a PowerLog asks for a zone; anything else was refused above.
    if (zone === null) powerLogZoneRequired();
    yield* powerLogRecords(states, zone, captureMs?.at ?? null, source.name, ctx.hints);
  },
};

/**
 * The capture instant, and how long the last rows are taken to hold. A sysdiagnose name gives the
 * capture to the second with its UTC offset (handed down as a hint); a bare PowerLog's name gives
 * only the local minute, so its rows may run to the end of that minute.
 */
function captureInstant(
  name: string,
  zone: PowerLogZone | null,
  hinted: unknown,
): { at: number; until: number } | null {
  // A hinted instant outside the years a PowerLog can hold is ignored, like a damaged row.
  if (typeof hinted === 'number' && hinted >= EARLIEST_CAPTURE_MS && hinted <= LATEST_CAPTURE_MS)
    return { at: hinted, until: hinted };
  const at = zone === null ? null : captureInstantFromName(name, zone.zone);
  return at === null ? null : { at, until: at + 59_999 };
}

/** The records of a PowerLog read: a clock, warnings, coverage windows, then state intervals. */
export function* powerLogRecords(
  states: PowerLogStates,
  zone: PowerLogZone,
  captureMs: number | null,
  name: string,
  hints: Record<string, unknown> = {},
): Generator<ImportRecord[]> {
  const offsetAt = offsetLookup(zone.zone);
  const offsets = new Set<number>();
  const instant = (ms: number): { ms: number; offsetMin: number } => {
    const offsetMin = offsetAt(ms);
    if (offsets.size < 12) offsets.add(offsetMin);
    return { ms, offsetMin };
  };
  const head: ImportRecord[] = [];
  for (const problem of states.problems)
    head.push({
      type: 'warning',
      warning: { line: null, locator: name, code: 'CAPTURE_NOTE', message: problem },
    });
  const hintedOffset = hints.captureOffsetMin;
  if (
    captureMs !== null &&
    typeof hintedOffset === 'number' &&
    offsetAt(captureMs) !== hintedOffset
  )
    head.push({
      type: 'warning',
      warning: {
        line: null,
        locator: name,
        code: 'CAPTURE_NOTE',
        message: `The sysdiagnose was taken at UTC${formatOffset(hintedOffset)}, but ${zone.zone} was UTC${formatOffset(offsetAt(captureMs))} then; check the time zone chosen for ${name}.`,
      },
    });
  for (const c of states.coverage) {
    const kind = KIND[c.kind];
    if (kind === undefined) continue;
    const cov: DeviceStateCoverageRecord = {
      type: 'device-state-coverage',
      kind,
      basis: 'powerlog',
      fromMs: c.startMs,
      toMs: c.endMs,
    };
    head.push(cov);
  }
  yield head;
  let batch: ImportRecord[] = [];
  for (const iv of states.intervals) {
    const record = stateRecord(iv, instant);
    if (record === null) continue;
    batch.push(record);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  const basisCounts: Record<string, number> = {};
  for (const c of states.changes)
    basisCounts[c.offsetBasis] = (basisCounts[c.offsetBasis] ?? 0) + 1;
  const clock: AppliedClock = {
    zone: zone.zone,
    offsets: [...offsets].sort((a, b) => a - b),
    source: zone.source,
  };
  batch.push({
    type: 'clock',
    clock,
    capturedAtMs: captureMs,
    details: {
      powerlog: {
        timeOffsetRule:
          'Each row is corrected by the PLStorageOperator_EventForward_TimeOffset row in effect at it (the latest at or before its stored timestamp); rows older than every offset row take the earliest one; without offset rows times stay uncorrected.',
        timeOffsetRows: states.timeOffsets.length,
        rowsByOffsetBasis: basisCounts,
        missingTables: states.missingTables,
        captureTimeFromName: captureMs === null ? null : new Date(captureMs).toISOString(),
      },
    },
  });
  yield batch;
}

function stateRecord(
  iv: PowerLogInterval,
  instant: (ms: number) => { ms: number; offsetMin: number },
): DeviceStateRecord | null {
  const kind = KIND[iv.kind];
  if (kind === undefined) return null;
  let value: string;
  if (kind === 'lock') {
    if (typeof iv.value !== 'boolean') return null;
    value = iv.value ? 'locked' : 'unlocked';
  } else {
    // Screen values are 'on'/'off'; foreground values are the bundle id (or system surface) as stored.
    if (typeof iv.value !== 'string' || iv.value === '') return null;
    value = iv.value;
  }
  return {
    type: 'device-state',
    kind,
    value,
    from: instant(iv.startMs),
    to: instant(iv.endMs),
    basis: 'powerlog',
    locator: powerLogLocator(iv.startLocator.table, iv.startLocator.rowid),
  };
}

// The member's bytes, bounded: a PowerLog is opened whole in memory.
async function readAll(source: SourceInput, signal: AbortSignal): Promise<Uint8Array | string> {
  if (source.size > MAX_POWERLOG_BYTES)
    return `${source.name} is ${source.size} bytes, more than the ${MAX_POWERLOG_BYTES} bytes a PowerLog may have here.`;
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source.chunks()) {
    if (signal.aborted) throw new AppError('CANCELLED', 'The import was cancelled.');
    total += chunk.length;
    if (total > MAX_POWERLOG_BYTES)
      return `${source.name} holds more than the ${MAX_POWERLOG_BYTES} bytes a PowerLog may have here.`;
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

// What an Android capture says about itself before its records are read: the Snoopscope adb
// capture's capture.json, getprop's device facts, and the clock its wall-clock times are placed
// with (examiner zone > persist.sys.timezone > capture.json zone > offset derived from the capture
// time and the app-op lines > refusal).
import { readdir } from 'node:fs/promises';
import { isIanaTimeZone } from '../../../contract/time';
import type { DeviceRecord } from '../../model/import-records';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';
import { AppOpsParser } from './appops';
import { MAX_DATE_MS, OffsetVotes, derivedOffsetNote, type Clock } from './clock';
import { GetpropParser, deviceFacts, type DeviceFacts } from './getprop';
import type { AndroidSectionStream } from './input';
import type { SectionSink } from './sections';

/** A Snoopscope adb capture's `capture.json` (only the fields the importer uses). */
export interface CaptureJson {
  format: 'snoopscope-adb-capture';
  serial?: string;
  timeZone?: string | null;
  hostTimeMs?: number;
  /** How the capture ended; absent in a capture.json that does not say. */
  status?: 'complete' | 'failed' | 'cancelled';
  /** What an optional step of the capture did not give, in sentences (at most a few, cut short). */
  warnings?: string[];
}

// capture.json is evidence, not configuration: only a few short warnings are passed on.
const MAX_CAPTURE_WARNINGS = 10;
const MAX_CAPTURE_WARNING_CHARS = 1_000;

/** The folder's `capture.json`, when it is a readable one; why it is not read goes to problems. */
export async function readCaptureJson(
  path: string,
  problems: string[],
): Promise<CaptureJson | null> {
  let text: string;
  try {
    text = (await (await EvidenceFolder.at(path)).read('capture.json')).bytes.toString('utf8');
  } catch (e) {
    // Not there, or not a regular file inside the folder (listing the folder reported that).
    if (e instanceof EvidenceFileError) return null;
    throw e;
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    const c = json as Record<string, unknown>;
    if (c.format !== 'snoopscope-adb-capture') return null;
    // Only fields of the expected types are taken: the file is evidence, not configuration.
    return {
      format: 'snoopscope-adb-capture',
      serial: typeof c.serial === 'string' && c.serial !== '' ? c.serial : undefined,
      timeZone: typeof c.timeZone === 'string' ? c.timeZone : null,
      // Whole milliseconds within the range of dates (it is stored as an integer).
      hostTimeMs:
        typeof c.hostTimeMs === 'number' &&
        Number.isInteger(c.hostTimeMs) &&
        Math.abs(c.hostTimeMs) <= MAX_DATE_MS
          ? c.hostTimeMs
          : undefined,
      status:
        c.status === 'complete' || c.status === 'failed' || c.status === 'cancelled'
          ? c.status
          : undefined,
      warnings: Array.isArray(c.warnings)
        ? c.warnings
            .filter((w): w is string => typeof w === 'string' && w.trim() !== '')
            .slice(0, MAX_CAPTURE_WARNINGS)
            .map((w) => {
              // Control characters (line breaks, escapes) would let the text pose as other notes.
              const flat = w.replace(/\p{Cc}+/gu, ' ');
              return flat.length > MAX_CAPTURE_WARNING_CHARS
                ? `${flat.slice(0, MAX_CAPTURE_WARNING_CHARS)}…`
                : flat;
            })
        : undefined,
    };
  } catch {
    problems.push(
      'capture.json is not valid JSON; the capture time and serial it may hold are not used.',
    );
    return null;
  }
}

/**
 * What an import of a capture that did not finish says: only the outputs that ended with their
 * command were written under their own names; the `.partial` ones are not read.
 */
export async function incompleteCaptureNote(
  folder: string,
  status: 'failed' | 'cancelled',
): Promise<string> {
  const partial = (await readdir(folder)).filter((n) => n.endsWith('.partial')).sort();
  return (
    `capture.json says this capture ${status === 'failed' ? 'failed' : 'was cancelled'}: it is not ` +
    'a complete capture. Only the outputs that ended with their command were read' +
    (partial.length > 0 ? `; the partial outputs ${partial.join(', ')} were not read.` : '.')
  );
}

const NO_SINK: SectionSink = { line: () => {}, end: () => {} };

/**
 * The first read of a capture: getprop's properties, and (when the clock may have to be derived)
 * the offsets the app-op lines point to. Every other line is passed over.
 */
export class ContextPass implements AndroidSectionStream {
  // Its problems are not kept: the first read wants the values; the file's own read reports.
  readonly getprop = new GetpropParser(false);
  readonly votes: OffsetVotes | null;

  constructor(captureMs: number | null) {
    this.votes = captureMs === null ? null : new OffsetVotes(captureMs);
  }

  private seen = new Set<string>();

  /**
   * The first getprop and (when votes are counted) the first app-op section are read, as the
   * import always has; others are passed over.
   */
  open(service: string): SectionSink {
    const first = !this.seen.has(service);
    this.seen.add(service);
    if (service === 'getprop' && first) {
      const p = this.getprop;
      return { line: (text, lineNo) => p.push(text, lineNo), end: () => p.end() };
    }
    const votes = this.votes;
    if (service === 'appops' && votes && first) {
      const parser = new AppOpsParser({
        event: (e) => votes.add(e),
        history: () => {},
        problem: () => {},
      });
      return { line: (t, n) => parser.push(t, n), end: () => parser.end() };
    }
    return NO_SINK;
  }
}

/** What the clock resolution gives: the clock, and a note to show when it was derived. */
export type ClockChoice = { clock: Clock; note: string | null } | null;

/** The capture's clock, in order of trust; null when nothing places its times. */
export function chooseClock(
  examinerZone: string | undefined,
  facts: DeviceFacts,
  capture: CaptureJson | null,
  votes: OffsetVotes | null,
): ClockChoice {
  const zone = examinerZone ?? facts.timeZone ?? capture?.timeZone ?? null;
  if (zone && isIanaTimeZone(zone))
    return {
      clock: {
        kind: 'zone',
        zone,
        source: examinerZone ? 'examiner' : facts.timeZone ? 'persist.sys.timezone' : 'capture',
      },
      note: null,
    };
  const offset = votes?.best() ?? null;
  if (offset === null) return null;
  return {
    clock: { kind: 'offset', offsetMin: offset, source: 'derived from the capture time' },
    note: derivedOffsetNote(offset),
  };
}

/** The phone as the capture describes it, yielded before its records. */
export function deviceRecord(
  facts: DeviceFacts,
  serial: string | null,
  clock: Clock,
): DeviceRecord {
  return {
    type: 'device',
    platform: 'android',
    identity: { column: 'serial', value: serial },
    defaultLabel: facts.model ?? `Android ${serial?.slice(-4) ?? 'phone'}`,
    facts: {
      serial,
      model: facts.model,
      os_version: facts.androidVersion,
      sdk: facts.sdk,
      fingerprint: facts.fingerprint,
      build_version: facts.buildId,
      time_zone: clock.kind === 'zone' ? clock.zone : null,
    },
  };
}

/** The facts getprop gives (or none). */
export function factsOf(pass: ContextPass): DeviceFacts {
  return deviceFacts(pass.getprop.props);
}

// The two ways an Android capture is read into records: a whole input at a path (a bugreport or
// AndroidQF zip, or one dumpsys text: one source), and one member file of a capture folder, fed
// from the bytes the pipeline hands over, with the clock its container resolved.
import { basename } from 'node:path';
import { isIanaTimeZone } from '../../../contract/time';
import { AppError } from '../../model/errors';
import type { ImportWarning } from '../../../contract/warnings';
import type { ImportRecord } from '../../model/import-records';
import type { ParseContext, ParseItem, SourceInput } from '../importer';
import { readLineBatches } from '../line-reader';
import { ContextPass, chooseClock, deviceRecord, factsOf } from './capture-context';
import { TIMEZONE_REQUIRED_MESSAGE, appliedClock, type Clock } from './clock';
import { AndroidInputError, readAndroidInput, type AndroidInput } from './input';
import { pump } from './pump';
import { AndroidRecordBuilder, captureNote } from './records';
import { DumpSplitter, type DumpSection, type DumpSplit } from './sections';

/** Records are handed on in batches of about this many. */
export const BATCH_RECORDS = 1_000;

/** What a capture folder hands each of its members (under `hints.android`). */
export interface AndroidMemberHints {
  clock: Clock;
  captureMs: number | null;
  captureTime: AndroidInput['captureTime'];
  /** The file's name in the capture, as locators name it. */
  origin: string;
  /** The services the file holds that are read. */
  services: string[];
  /** The service the whole file is (a single-command output or JSON file), or null to split it. */
  whole: string | null;
  /**
   * Whether the container's first read went through the file's lines and noted what the line
   * reader found (too-long lines); false when it only listed the file, so its one read notes them.
   */
  linesNoted?: boolean;
  /**
   * Set for a main text its container only listed: its read notes what splitting it finds, takes
   * the capture time from it when `captureTime` is null, and reports both through this.
   */
  mainText?: MainTextReport;
}

/** Where the read of a listed main text tells its container what it found. */
export interface MainTextReport {
  /** The services the text holds that were read, and the capture time its source records. */
  found(services: string[], captureTime: AndroidInput['captureTime']): void;
}

/** The notes a read gives about the whole input: its problems and what it lacks. */
export function inputNotes(input: AndroidInput): string[] {
  const notes = [...input.problems];
  if (input.missing.length > 0) notes.push(lacksNote(input.found, input.missing));
  return notes;
}

/** The note on the core services a capture lacks, after those it holds. */
export function lacksNote(found: readonly string[], missing: readonly string[]): string {
  return (
    `Found ${found.length > 0 ? found.join(', ') : 'no section it reads'}; ` +
    `not found: ${missing.join(', ')}.`
  );
}

function refusal(message: string): ImportRecord {
  return { type: 'refusal', message };
}

/**
 * Throws when the examiner's zone is not one: the examiner must act, as for a capture whose
 * times cannot be placed without a zone.
 */
export function checkExaminerZone(zone: string | undefined): void {
  if (zone !== undefined && !isIanaTimeZone(zone))
    throw new AppError(
      'INVALID_INPUT',
      `Unknown time zone "${zone}"; use an IANA name such as Europe/Lisbon.`,
    );
}

/** Throws TIMEZONE_REQUIRED: nothing places the capture's times, and only the examiner can. */
export function zoneRequired(): never {
  throw new AppError('TIMEZONE_REQUIRED', TIMEZONE_REQUIRED_MESSAGE);
}

/**
 * The record batches of a builder run by `read`, then its clock (with the capture time, asked
 * once the read is over) and line count.
 */
async function* builderBatches(
  builder: AndroidRecordBuilder,
  read: () => Promise<void>,
  captureTime: () => AndroidInput['captureTime'],
): AsyncGenerator<ParseItem[]> {
  yield* pump<ImportRecord>(
    async (pause) => {
      builder.pause = pause;
      await read();
    },
    () => builder.out.length,
    () => {
      const batch = builder.take();
      if (batch.length > 0)
        batch.push({ type: 'progress', lines: builder.lines, bytes: builder.bytes });
      return batch;
    },
    BATCH_RECORDS,
  );
  yield [
    {
      type: 'clock',
      clock: appliedClock(builder.clock),
      capturedAtMs: builder.captureMs,
      details: { sections: builder.sections, clock: builder.clock, captureTime: captureTime() },
    },
    { type: 'progress', lines: builder.lines, bytes: builder.bytes },
  ];
}

/**
 * A whole input at a path as one source: a bugreport or AndroidQF zip, or one dumpsys, getprop
 * or single-command text. A first read takes only getprop (for the phone and its zone), passing
 * the other sections' bytes over unsplit; the second streams every section's records, and the
 * notes about the input as a whole follow them.
 */
export async function* parseWholeInput(
  source: SourceInput,
  ctx: ParseContext,
): AsyncGenerator<ParseItem[]> {
  checkExaminerZone(ctx.timeZone);
  const pass = new ContextPass(null);
  try {
    await readAndroidInput(source.path, { stream: pass, factsOnly: true });
  } catch (e) {
    if (e instanceof AndroidInputError) {
      yield [refusal(e.message)];
      return;
    }
    throw e;
  }
  const facts = factsOf(pass);
  const choice = chooseClock(ctx.timeZone, facts, null, null) ?? zoneRequired();
  const locator = basename(source.path);
  yield [deviceRecord(facts, facts.serial, choice.clock)];
  const builder = new AndroidRecordBuilder(choice.clock, null);
  let input: AndroidInput | null = null;
  let refused: string | null = null;
  yield* builderBatches(
    builder,
    async () => {
      try {
        input = await readAndroidInput(source.path, { stream: builder });
      } catch (e) {
        // What the first read passed over can still refuse the input (the source is then not kept).
        if (!(e instanceof AndroidInputError)) throw e;
        refused = e.message;
      }
    },
    () => input?.captureTime ?? null,
  );
  if (refused !== null) {
    yield [refusal(refused)];
    return;
  }
  const notes = input === null ? [] : inputNotes(input);
  if (notes.length > 0) yield notes.map((m) => captureNote(null, locator, m));
}

/** One file of a capture folder, with the clock and notes its container hands over. */
export async function* parseMember(
  source: SourceInput,
  ctx: ParseContext,
  hints: AndroidMemberHints,
): AsyncGenerator<ParseItem[]> {
  const builder = new AndroidRecordBuilder(hints.clock, hints.captureMs);
  // A capture time the container read elsewhere (AndroidQF's acquisition.json) comes first: in
  // either capture order it outranks every time a main text prints.
  let captureTime = hints.captureTime;
  const read = async (): Promise<void> => {
    const wanted = new Set(hints.services);
    const whole = hints.whole === null ? null : builder.open(hints.whole, hints.origin, 1);
    const splitter =
      whole === null
        ? new DumpSplitter({
            keep: (service) => wanted.has(service),
            stream: (service, startLine) => builder.open(service, hints.origin, startLine),
          })
        : null;
    // Line warnings were noted when the container first read the file's lines, as its notes
    // (too-long lines); a file it only listed notes them here.
    const warn =
      hints.linesNoted === false
        ? (w: ImportWarning) => {
            if (w.code === 'LINE_TOO_LONG') builder.note(w.line, hints.origin, w.message);
          }
        : () => {};
    for await (const batch of readLineBatches(source.chunks(), { warn })) {
      for (const l of batch) {
        if (whole) whole.line(l.text, l.line);
        else splitter!.push(l.text);
      }
      await builder.pause?.();
    }
    if (whole) {
      whole.end();
      return;
    }
    const split = splitter!.finish();
    if (hints.mainText) {
      const printed = noteSplit(split, hints.origin, builder);
      captureTime ??= printed;
      hints.mainText.found([...new Set(keptSections(split).map((x) => x.service))], captureTime);
    }
  };
  yield* builderBatches(builder, read, () => captureTime);
}

function keptSections(split: DumpSplit): DumpSection[] {
  return split.sections.filter((x) => x.kept);
}

/**
 * Notes what splitting a main text found (its problems, services dumped more than once), as a
 * read of the whole input notes them, and returns the capture time it prints: the dumpstate
 * header, else the end line of dumpsys appops, else the first end line naming its own section.
 */
function noteSplit(
  split: DumpSplit,
  origin: string,
  builder: AndroidRecordBuilder,
): AndroidInput['captureTime'] {
  for (const p of split.problems) builder.note(p.line, origin, p.message);
  const headers = new Map<string, number[]>();
  const ends: { service: string; text: string; line: number | null }[] = [];
  for (const s of keptSections(split)) {
    headers.set(s.service, [...(headers.get(s.service) ?? []), s.headerLine]);
    if (s.endMarkerService === s.service && s.endedAt !== null)
      ends.push({ service: s.service, text: s.endedAt, line: s.endMarkerLine });
  }
  for (const [service, at] of headers)
    if (at.length > 1)
      builder.note(
        null,
        origin,
        `${origin} holds ${at.length} "${service}" sections (headers on lines ${at.join(', ')}); all are kept.`,
      );
  const { dumpstateTime, dumpstateLine } = split.header;
  if (dumpstateTime !== null)
    return { text: dumpstateTime, source: `${origin} line ${dumpstateLine}: dumpstate header` };
  const end = ends.find((e) => e.service === 'appops') ?? ends[0];
  return end
    ? { text: end.text, source: `${origin} line ${end.line}: end line of dumpsys ${end.service}` }
    : null;
}

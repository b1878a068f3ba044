// Splits a dumpsys or bugreport main text into per-service sections (android-sources.md §6):
// a line of 79 `-` then `DUMP OF SERVICE [CRITICAL |HIGH ]<name>:` starts a dumpsys section;
// `------ TITLE (command) ------` starts the block of another dumpstate command. Sections are
// split on start markers only: the `--------- 0.053s was the duration of dumpsys X, ending at:
// …` end lines do not reliably belong to the section they follow (assembled or interleaved
// texts), so they are only read, never trusted, to close a section.

/** Priority label of a dumpsys section (Android 9+); unlabelled sections have none. */
export type DumpPriority = 'CRITICAL' | 'HIGH' | 'NORMAL';

/** One section of a main text. */
export interface DumpSection {
  /**
   * The dumpsys service (`appops`, `usagestats`, `package`, `netstats`, …), `getprop` for the
   * `SYSTEM PROPERTIES` block, or `command:<title>` for another dumpstate command block.
   */
  service: string;
  kind: 'dumpsys' | 'command';
  priority: DumpPriority | null;
  /** The body, without header, end marker or trailing blank lines; lines joined by `\n`. */
  text: string;
  /** 1-based line, in the whole text, of the first body line. */
  startLine: number;
  /** Number of lines in `text` (0 when the body is empty). */
  lineCount: number;
  /** 1-based line of the `DUMP OF SERVICE` or `------ TITLE ------` header. */
  headerLine: number;
  /** The raw `ending at:` text of the end marker closing this section, or null. */
  endedAt: string | null;
  /** The service the end marker names (it may differ from `service` in assembled texts). */
  endMarkerService: string | null;
  /** 1-based line of that end marker, or null. */
  endMarkerLine: number | null;
  /** False when the caller chose not to keep this section's text (`text` is then empty). */
  kept: boolean;
}

/** What the bugreport header says about the capture (raw text, device-local, no zone). */
export interface DumpHeader {
  /** From `== dumpstate: 2022-03-29 23:14:27`. */
  dumpstateTime: string | null;
  dumpstateLine: number | null;
  /** From `Build: …`. */
  build: string | null;
  /** From `Build fingerprint: '…'`. */
  buildFingerprint: string | null;
  /** From `Bootloader: …`. */
  bootloader: string | null;
}

export interface DumpProblem {
  line: number | null;
  message: string;
}

export interface DumpSplit {
  header: DumpHeader;
  sections: DumpSection[];
  problems: DumpProblem[];
}

/** Where the lines of a streamed section go. */
export interface SectionSink {
  /** One body line and its 1-based line number in the whole text. */
  line(text: string, lineNo: number): void;
  /** The section ended (its trailing blank lines and end line are not passed on). */
  end(): void;
}

export interface DumpSplitterOptions {
  /** Which sections keep their text (default: all). Others are listed with empty text. */
  keep?: (service: string) => boolean;
  /**
   * Streams a kept section instead of keeping its text: the lines go to the sink returned, as
   * they come (only the last few are held, to cut the trailing blank lines and end line).
   */
  stream?: (service: string, startLine: number) => SectionSink | null;
  /** Most characters of section text kept in total; more throws `DumpTooLargeError`. */
  maxKeptChars?: number;
}

/** The kept section text would exceed the configured bound. */
export class DumpTooLargeError extends Error {
  override readonly name = 'DumpTooLargeError';
}

/** A plain single-command output recognised by its content. */
export type SingleDumpKind = 'appops' | 'usagestats' | 'package' | 'getprop' | 'batterystats';

const RULE = '-'.repeat(79);
const SERVICE_HEADER = /^DUMP OF SERVICE (?:(CRITICAL|HIGH|NORMAL) )?(\S+):\s*$/;
// Matched against lines without their trailing white space: a lazy group followed by `\s*$`
// backtracks quadratically over a long run of spaces inside a line.
const SERVICE_END =
  /^-{9} (\d+(?:\.\d+)?)s was the duration of dumpsys (\S+?)(?:, ending at: (.+))?$/;
// Most lines are not headers: the prefix is checked before the expression.
function isServiceHeader(line: string): boolean {
  return line.startsWith('DUMP OF SERVICE ') && SERVICE_HEADER.test(line);
}
const COMMAND_END = /^------ \d+(?:\.\d+)?s was the duration of '.*' ------\s*$/;
const COMMAND_HEADER = /^------ (.+) ------\s*$/;
const DASHES = /^-+\s*$/;
// Non-kept sections keep only their last lines, enough to find an end marker.
const TAIL_LINES = 64;
const HEADER_SCAN_LINES = 200;

interface OpenSection {
  service: string;
  kind: 'dumpsys' | 'command';
  priority: DumpPriority | null;
  headerLine: number;
  kept: boolean;
  lines: string[];
  total: number;
  /** Where a streamed section's lines go; its `lines` then hold only the last few. */
  sink: SectionSink | null;
  /** Lines already passed to the sink. */
  fed: number;
}

/**
 * Splits a main text fed line by line, so a large bugreport never has to be one string.
 * `push` each line (without its terminator) in order, then `finish`.
 */
export class DumpSplitter {
  private readonly keep: (service: string) => boolean;
  private readonly stream: DumpSplitterOptions['stream'];
  private readonly maxKeptChars: number;
  private keptChars = 0;
  private lineNo = 0;
  private heldRule = false;
  private current: OpenSection | null = null;
  private inPreamble = true;
  private readonly sections: DumpSection[] = [];
  private readonly problems: DumpProblem[] = [];
  private readonly header: DumpHeader = {
    dumpstateTime: null,
    dumpstateLine: null,
    build: null,
    buildFingerprint: null,
    bootloader: null,
  };

  constructor(options: DumpSplitterOptions = {}) {
    this.keep = options.keep ?? (() => true);
    this.stream = options.stream;
    this.maxKeptChars = options.maxKeptChars ?? Number.POSITIVE_INFINITY;
  }

  /** Feeds the next line (its number is the count of lines pushed so far). */
  push(line: string): void {
    this.lineNo += 1;
    if (this.heldRule) {
      this.heldRule = false;
      if (isServiceHeader(line)) {
        this.openService(line);
        return;
      }
      this.append(RULE, this.lineNo - 1);
    }
    if (line === RULE) {
      this.heldRule = true;
      return;
    }
    if (isServiceHeader(line)) {
      this.openService(line);
      return;
    }
    if (line.startsWith('------ ')) {
      if (COMMAND_END.test(line)) {
        // The command that ran the open section has finished: what follows belongs to none.
        this.close();
        return;
      }
      const m = COMMAND_HEADER.exec(line);
      if (m) {
        this.openCommand(m[1]!.trim());
        return;
      }
    }
    this.append(line, this.lineNo);
  }

  /** Closes the last section and returns the split. */
  finish(): DumpSplit {
    if (this.heldRule) {
      this.heldRule = false;
      this.append(RULE, this.lineNo);
    }
    this.close();
    return { header: { ...this.header }, sections: this.sections, problems: this.problems };
  }

  private openService(line: string): void {
    const m = SERVICE_HEADER.exec(line)!;
    this.open(m[2]!, 'dumpsys', (m[1] as DumpPriority | undefined) ?? null);
  }

  private openCommand(title: string): void {
    const name = title.replace(/ \(.*\)$/, '');
    this.open(name === 'SYSTEM PROPERTIES' ? 'getprop' : `command:${name}`, 'command', null);
  }

  private open(service: string, kind: 'dumpsys' | 'command', priority: DumpPriority | null) {
    this.close();
    this.inPreamble = false;
    const kept = this.keep(service);
    this.current = {
      service,
      kind,
      priority,
      headerLine: this.lineNo,
      kept,
      lines: [],
      total: 0,
      sink: kept && this.stream ? this.stream(service, this.lineNo + 1) : null,
      fed: 0,
    };
  }

  private append(line: string, lineNo: number): void {
    const cur = this.current;
    if (cur === null) {
      if (this.inPreamble && lineNo <= HEADER_SCAN_LINES) this.readHeaderLine(line, lineNo);
      return;
    }
    cur.total += 1;
    if (cur.sink) {
      cur.lines.push(line);
      if (cur.lines.length > TAIL_LINES) {
        cur.fed += 1;
        cur.sink.line(cur.lines.shift()!, cur.headerLine + cur.fed);
      }
    } else if (cur.kept) {
      this.keptChars += line.length + 1;
      if (this.keptChars > this.maxKeptChars) {
        throw new DumpTooLargeError(
          `The kept section text exceeds ${this.maxKeptChars} characters (at line ${lineNo}, section "${cur.service}").`,
        );
      }
      cur.lines.push(line);
    } else {
      cur.lines.push(line);
      if (cur.lines.length > TAIL_LINES) cur.lines.shift();
    }
  }

  private readHeaderLine(raw: string, lineNo: number): void {
    // Trailing white space is cut first (see SERVICE_END).
    const line = raw.trimEnd();
    let m: RegExpExecArray | null;
    if ((m = /^== dumpstate: (.+)$/.exec(line)) && this.header.dumpstateTime === null) {
      this.header.dumpstateTime = m[1]!;
      this.header.dumpstateLine = lineNo;
    } else if ((m = /^Build fingerprint: '?(.*?)'?$/.exec(line))) {
      this.header.buildFingerprint ??= m[1]!;
    } else if ((m = /^Build: (.+)$/.exec(line))) {
      this.header.build ??= m[1]!;
    } else if ((m = /^Bootloader: (.+)$/.exec(line))) {
      this.header.bootloader ??= m[1]!;
    }
  }

  private close(): void {
    const cur = this.current;
    if (cur === null) return;
    this.current = null;
    const lines = cur.lines;
    // Lines held, and where the body starts inside them (non-kept sections hold a tail only).
    const firstHeld = cur.total - lines.length;
    let end = lines.length;
    while (end > 0 && (lines[end - 1]!.trim() === '' || DASHES.test(lines[end - 1]!))) end--;
    let endedAt: string | null = null;
    let endMarkerService: string | null = null;
    let endMarkerLine: number | null = null;
    const marker = end > 0 ? SERVICE_END.exec(lines[end - 1]!.trimEnd()) : null;
    if (marker) {
      endMarkerService = marker[2]!;
      endedAt = marker[3] ?? null;
      end -= 1;
      endMarkerLine = cur.headerLine + firstHeld + end + 1;
      if (cur.kind === 'dumpsys' && endMarkerService !== cur.service) {
        this.problems.push({
          line: endMarkerLine,
          message: `The section "${cur.service}" (header on line ${cur.headerLine}) ends with the end line of dumpsys "${endMarkerService}"; the text may be assembled from several captures.`,
        });
      }
    } else {
      end = lines.length;
    }
    while (end > 0 && lines[end - 1]!.trim() === '') end--;
    const lineCount = firstHeld + end;
    if (cur.sink) {
      for (let i = 0; i < end; i++) cur.sink.line(lines[i]!, cur.headerLine + cur.fed + i + 1);
      cur.sink.end();
    } else if (cur.kept) {
      // Trimmed lines no longer count against the bound.
      for (let i = end; i < lines.length; i++) this.keptChars -= lines[i]!.length + 1;
    }
    this.sections.push({
      service: cur.service,
      kind: cur.kind,
      priority: cur.priority,
      text: cur.kept && !cur.sink ? lines.slice(0, end).join('\n') : '',
      startLine: cur.headerLine + 1,
      lineCount,
      headerLine: cur.headerLine,
      endedAt,
      endMarkerService,
      endMarkerLine,
      kept: cur.kept,
    });
  }
}

/**
 * Splits a whole dumpsys or bugreport main text into sections, and reads the bugreport
 * header (`== dumpstate:` time, `Build:`, `Bootloader:`). Text before the first section
 * (the running-services list, the header) belongs to no section.
 */
export function splitDumpsys(text: string, options?: DumpSplitterOptions): DumpSplit {
  const splitter = new DumpSplitter(options);
  forEachLine(text, (line) => splitter.push(line));
  return splitter.finish();
}

/** True when the text carries `DUMP OF SERVICE` markers or a bugreport header. */
export function looksLikeDumpsysText(text: string): boolean {
  return /^(?:DUMP OF SERVICE (?:(?:CRITICAL|HIGH|NORMAL) )?\S+:|== dumpstate: )/m.test(text);
}

const PACKAGE_OPENERS = new Set([
  'Database versions:',
  'Verifiers:',
  'Intent Filter Verifier:',
  'Activity Resolver Table:',
  'Packages:',
]);
const DETECT_LINES = 400;

/**
 * Recognises a plain output of one command (no section markers) by its first non-empty
 * lines: `dumpsys appops`, `dumpsys usagestats`, `dumpsys package`, `dumpsys batterystats`
 * (its history first) or `getprop`. A text with
 * section markers is not a single dump (null): split it with `splitDumpsys`.
 */
export function detectSingleDump(text: string): SingleDumpKind | null {
  if (looksLikeDumpsysText(text)) return null;
  const lines: string[] = [];
  forEachLine(text.replace(/^\ufeff/, ''), (line) => {
    if (line.trim() !== '') lines.push(line.trimEnd());
    return lines.length < DETECT_LINES;
  });
  const first = lines[0];
  if (first === undefined) return null;
  if (first === 'Current AppOps Service state:') return 'appops';
  // `dumpsys batterystats --history` (and the whole dump) opens with its history block.
  if (/^Battery History \(/.test(first)) return 'batterystats';
  if (lines.slice(0, 3).every((l) => /^\[[^\]]+\]: \[/.test(l))) return 'getprop';
  if (
    /^user=\d+$/.test(first) &&
    lines.slice(1, 50).some((l) => /^\s+(?:Last 24 hour events|In-memory )/.test(l))
  ) {
    return 'usagestats';
  }
  if (
    PACKAGE_OPENERS.has(first) ||
    lines.some((l) => /^ {2}Package \[[^\]\s]+\] \([0-9a-f]+\):$/.test(l))
  ) {
    return 'package';
  }
  return null;
}

// Calls `fn` per line (CR of CRLF stripped) until it returns false.
function forEachLine(text: string, fn: (line: string) => boolean | void): void {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      if (start < text.length) fn(stripCr(text.slice(start)));
      return;
    }
    if (fn(stripCr(text.slice(start, nl))) === false) return;
    start = nl + 1;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

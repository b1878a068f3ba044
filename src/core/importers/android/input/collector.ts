// The shapes of an Android input read, and the collector the readers fill (input.ts reads an input
// with them; folder.ts, zip.ts, androidqf.ts and texts.ts read its parts).
import type { ZipLimits } from '../../../formats/zip/index';
import type { DumpHeader, SectionSink } from '../sections';

/** The container an Android input came in. */
export type AndroidInputKind =
  | 'bugreport'
  | 'bugreport-folder'
  | 'androidqf-folder'
  | 'androidqf-zip'
  | 'dumpsys-folder'
  | 'file';

/** One file whose content was used, hashed as stored (a ZIP entry: its uncompressed bytes). */
export interface AndroidInputFile {
  /** Relative path, entry name, or `outer.zip!/entry` for an archive inside a folder. */
  name: string;
  size: number;
  /** Null for a file listed without being read (see `passOver`): whoever reads it hashes it. */
  sha256: string | null;
  /**
   * True for a main text listed without being split (see `passOverMainTexts`): the read of its
   * records splits it, and finds its sections, capture times and notes.
   */
  mainText?: boolean;
}

/** The text of one service or file, with where it came from. */
export interface AndroidInputSection {
  /**
   * `appops`, `usagestats`, `package`, `getprop`, `netstats` (or any service asked for);
   * `packages-json` and `acquisition` for AndroidQF's JSON files; `settings:<ns>` for
   * AndroidQF's `settings_<ns>.txt`.
   */
  service: string;
  text: string;
  /** The file or entry the text was read from (as in `files`). */
  origin: string;
  /** 1-based line of the text's first line within `origin`. */
  startLine: number;
  /** Raw `ending at:` time of the section's end line when it names this service, else null. */
  endedAt: string | null;
}

/** Device facts read from `getprop` (null when absent: never guessed). */
export interface AndroidDeviceProperties {
  sdk: string | null;
  release: string | null;
  fingerprint: string | null;
  manufacturer: string | null;
  model: string | null;
  /** `persist.sys.timezone`; dumpsys times are local to it. */
  timeZone: string | null;
}

export interface AndroidInput {
  kind: AndroidInputKind;
  files: AndroidInputFile[];
  sections: AndroidInputSection[];
  /** Services present in `sections`, in order of first appearance. */
  found: string[];
  /** Which of appops, usagestats, package and getprop are absent. */
  missing: string[];
  /** When the capture was taken, as printed (device-local unless the text says otherwise). */
  captureTime: { text: string; source: string } | null;
  /** The bugreport header of the main text, when there is one. */
  header: DumpHeader | null;
  properties: AndroidDeviceProperties;
  /**
   * Files or entries present but not used (not needed, unknown, unsafe or refused), with the
   * reason in parentheses when there is one; at most 100 are listed.
   */
  ignored: string[];
  problems: string[];
}

export interface AndroidInputOptions {
  /**
   * dumpsys services whose text is kept (default appops, usagestats, package, getprop, netstats,
   * batterystats).
   */
  services?: readonly string[];
  /** Most characters of section text held in memory in total (default 512,000,000). */
  maxSectionChars?: number;
  /** Largest JSON file read whole (default 64 MiB). */
  maxJsonBytes?: number;
  /** Bounds for ZIP containers. */
  zipLimits?: Partial<ZipLimits>;
  /**
   * Streams the sections instead of keeping their text (their `text` is then empty): each wanted
   * section's lines go to the sink `open` returns, as they are read.
   */
  stream?: AndroidSectionStream;
  /**
   * A streamed first read that wants only the capture's facts (getprop): the sections of a main
   * text are passed over unsplit up to its first getprop block, single-command outputs, settings
   * and JSON files other than getprop are not read, and nothing is hashed. Its result lists no
   * sections or files to rely on; a second, full read does.
   */
  factsOnly?: boolean;
  /**
   * In a folder of single-command outputs, the services whose files are only listed (by their
   * first bytes, name and size) and not read: a first read that does not need their lines leaves
   * them to the one read of their records. Their files have no SHA-256 in the result.
   */
  passOver?: readonly string[];
  /**
   * In an extracted bugreport or AndroidQF folder (without a bugreport.zip), a streamed first read
   * that leaves the main text (the bugreport's main text, AndroidQF's `dumpsys.txt`) to the one
   * read of its records: only its first getprop section is streamed, found by searching its bytes,
   * and the file is listed (`mainText`, no SHA-256) with no sections, capture times or notes.
   */
  passOverMainTexts?: boolean;
}

/** Where a streamed read sends the sections' lines. */
export interface AndroidSectionStream {
  /** A section of `origin` starts at `startLine`; returns where its lines go. */
  open(service: string, origin: string, startLine: number): SectionSink;
  /** Called after each batch of lines read, so the receiver can hold the reading back. */
  pause?(): Promise<void>;
}

/** The path is not a recognised Android input, or cannot be read. */
export class AndroidInputError extends Error {
  override readonly name = 'AndroidInputError';
}

export const DEFAULT_ANDROID_SERVICES: readonly string[] = Object.freeze([
  'appops',
  'usagestats',
  'package',
  'getprop',
  'netstats',
  // Its history gives the screen and the app on top (device states, basis batterystats).
  'batterystats',
]);
export const CORE_SERVICES = ['appops', 'usagestats', 'package', 'getprop'] as const;
export const DEFAULT_MAX_SECTION_CHARS = 512_000_000;
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;
export const HEAD_BYTES = 256 * 1024;
export const READ_CHUNK = 64 * 1024;
// AndroidQF file names (mvt-project/androidqf). In a folder, getprop.txt alone is no mark (a
// folder of plain outputs has one too); in a ZIP it is (MVT's own AndroidQF zip holds only it).
export const QF_FOLDER_MARKERS = ['acquisition.json', 'dumpsys.txt', 'packages.json'];
export const QF_MARKERS = [...QF_FOLDER_MARKERS, 'getprop.txt'];
export const MAX_IGNORED_LISTED = 100;
export const QF_SETTINGS = /^settings_([A-Za-z0-9_-]+)\.txt$/;

/** A readable file: on disk or a ZIP entry. */
export interface Source {
  name: string;
  size: number;
  head(bytes: number): Promise<Buffer>;
  chunks(): AsyncIterable<Uint8Array>;
}

export type CaptureSource = 'dumpstate' | 'completed' | 'started' | 'end-line';

export class Collector {
  readonly files: AndroidInputFile[] = [];
  readonly sections: AndroidInputSection[] = [];
  readonly problems: string[] = [];
  readonly ignored: string[] = [];
  header: DumpHeader | null = null;
  readonly capture: { kind: CaptureSource; text: string; source: string }[] = [];
  private used = 0;

  constructor(
    readonly wanted: ReadonlySet<string>,
    readonly maxChars: number,
    readonly maxJsonBytes: number,
    readonly stream: AndroidSectionStream | null = null,
    readonly factsOnly = false,
    readonly passOver: ReadonlySet<string> = new Set(),
    readonly passOverMain = false,
  ) {}

  charge(n: number, origin: string): void {
    this.used += n;
    if (this.used > this.maxChars) {
      throw new AndroidInputError(
        `The section text read so far exceeds the limit of ${this.maxChars} characters (at ${origin}).`,
      );
    }
  }

  remaining(): number {
    return this.maxChars - this.used;
  }

  has(service: string): boolean {
    return this.sections.some((s) => s.service === service);
  }

  missingWanted(): string[] {
    return [...this.wanted].filter((s) => !this.has(s));
  }

  addSection(service: string, text: string, origin: string, startLine = 1): void {
    if (this.stream) {
      const sink = this.stream.open(service, origin, startLine);
      let lineNo = startLine - 1;
      for (const line of text.split('\n')) sink.line(line, ++lineNo);
      sink.end();
      text = '';
    }
    this.sections.push({ service, text, origin, startLine, endedAt: null });
  }
}

/**
 * Reads an Android input: a bugreport zip (or its extracted folder), an AndroidQF output
 * folder or zip, a folder of plain dumpsys/getprop outputs, or one such file. Returns the
 * sections found, every file read with its SHA-256, the capture time when known, and what is
 * missing. Throws `AndroidInputError` naming what the path looks like when it is none of these.
 */

/** An error's message without its final full stop. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
}

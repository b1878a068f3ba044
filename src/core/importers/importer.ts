// The one interface every source format implements. An importer declares itself (manifest),
// recognises its input cheaply (sniff), and streams typed records (parse) without touching
// storage. A container (a backup folder, a bugreport zip, a capture folder, a sysdiagnose
// archive) is an importer too: it yields its members as child sources, each parsed by the
// member's own importer and stored as a source of its own.
import type { Platform } from '../../contract/records';
import type { ImportRecord } from '../model/import-records';

export type {
  AccessEdgeRecord,
  AccessIntervalRecord,
  ImportRecord,
  NetworkRecord,
} from '../model/import-records';

/** What an importer declares about itself and about what its records prove. */
export interface ImporterManifest {
  id: string;
  name: string;
  version: string;
  platform: Platform;
  /** What it reads, in a sentence a user understands. */
  reads: string;
  proves: string[];
  doesNotProve: string[];
}

/** How a user picks the input of an importer that stands on its own (file dialogs, "not recognised"). */
export interface ImporterAccepts {
  /** Whether the input is a file or a folder. */
  input: 'file' | 'folder' | 'file-or-folder';
  /** File name endings a file dialog offers (without the dot), e.g. `ndjson`. Empty: any. */
  extensions: string[];
  /** What the importer looks for, for "not recognised" messages: "a line with "type":"access"". */
  looksFor: string;
}

/** What sniff sees of an input: the first bytes of a file, or the listing of a folder. */
export type SniffProbe =
  | { kind: 'file'; name: string; size: number; head: Uint8Array }
  | { kind: 'folder'; name: string; entries: readonly string[] };

export interface SniffResult {
  /** 0: not this format; 1: certainly this format; between: how sure. */
  confidence: number;
  /** Why, in words: "a JSON line with "type":"access"", or what is missing. */
  reason: string;
}

/** One input of a parse: a file (bytes) or a folder (a path to list), top level or a container member. */
export interface SourceInput {
  kind: 'file' | 'folder';
  /** The evidence path on disk (for a member: the container's path and the member's name). */
  path: string;
  /** The name shown and stored (the file name, or the member's name in its container). */
  name: string;
  /** Size in bytes (0 for a folder). */
  size: number;
  /** Where the member sits in its container, e.g. `Manifest.db HomeDomain Library/TCC/TCC.db`. */
  locator: string | null;
  /** The sha256 when the container already knows it; otherwise the pipeline hashes the bytes read. */
  sha256: string | null;
  /** The bytes, streamed; callable once per parse. Throws for a folder. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** A member of a container, to be parsed by its own importer and stored as its own source. */
export interface MemberRecord {
  type: 'member';
  source: SourceInput;
  /** The importer to use; when absent, every importer is asked to sniff the member. */
  importer?: string;
  /** Facts the member's parse needs from its container (the capture's clock, its time). */
  hints?: Record<string, unknown>;
  /** When the member is stored, its source row also records these (captured_at, details). */
  capturedAtMs?: number | null;
  /** Facts about the member kept in its source row's details (domain, file id, …). */
  details?: Record<string, unknown>;
}

/** What a parse yields: records of the source, or members of a container. */
export type ParseItem = ImportRecord | MemberRecord;

/** A cache that survives between imports in one process (e.g. a backup's unlocked keys). */
export interface ImportCache {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** What a parse may use besides its input. */
export interface ParseContext {
  /** The examiner's IANA time zone for sources that do not record theirs (or to override it). */
  timeZone?: string;
  /** A backup password. */
  password?: string;
  /** Facts handed down by the container. */
  hints: Record<string, unknown>;
  /** Set when the user cancels; a parse stops at its next record batch. */
  signal: AbortSignal;
  cache: ImportCache;
  /** Reports progress of work that yields no records for a while (key derivation). */
  onProgress(fraction: number, detail: string): void;
}

/** An importer: a manifest, a cheap format check, and a streaming parser that never touches SQLite. */
export interface Importer {
  manifest: ImporterManifest;
  accepts: ImporterAccepts;
  /** Cheap and bounded: looks only at the probe. */
  sniff(probe: SniffProbe): SniffResult;
  /** Streams the source as batches of records (never a whole-file array). */
  parse(source: SourceInput, context: ParseContext): AsyncIterable<ParseItem[]>;
  /**
   * The part of a raw line that identifies its record across sources, when a line also prints
   * something that changes between captures of the same event (a time relative to the dump).
   * Two edges with equal match text are one edge seen twice. Default: the whole line.
   */
  matchLine?(rawLine: string): string;
}

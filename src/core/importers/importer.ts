import type { Category } from '../../contract/categories';
import type { Platform } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';

/** What an importer declares about itself and about what its records prove. */
export interface ImporterManifest {
  id: string;
  name: string;
  version: string;
  platform: Platform;
  reads: string;
  proves: string[];
  doesNotProve: string[];
}

/** One edge (begin or end) of an access interval, as read from the source. */
export interface AccessEdgeRecord {
  type: 'access-edge';
  line: number;
  rawLine: string;
  app: string;
  rawCategory: string;
  category: Category;
  intervalKey: string;
  edge: 'begin' | 'end';
  tsMs: number;
  offsetMin: number;
  rawTs: string;
  extra: Record<string, unknown>;
}

/** One network aggregate row of one export snapshot. */
export interface NetworkRecord {
  type: 'network';
  line: number;
  rawLine: string;
  app: string;
  domain: string;
  domainOwner: string | null;
  domainType: number | null;
  initiatedType: string | null;
  context: string | null;
  hits: number | null;
  first: { ms: number; offsetMin: number } | null;
  last: { ms: number; offsetMin: number } | null;
  contextVerificationType: number | null;
  domainClassification: number | null;
  extra: Record<string, unknown>;
}

/** The importer refuses the whole file; nothing of it is kept. */
export interface RefusalRecord {
  type: 'refusal';
  message: string;
}

export interface WarningRecord {
  type: 'warning';
  warning: ImportWarning;
}

export interface ProgressRecord {
  type: 'progress';
  lines: number;
  bytes: number;
}

export type ParsedItem =
  AccessEdgeRecord | NetworkRecord | RefusalRecord | WarningRecord | ProgressRecord;

export interface SniffResult {
  /** True when the importer recognises the format from the first bytes. */
  match: boolean;
  /** What the file looks like, for messages. */
  description: string;
}

/** An importer: a manifest, a cheap format check, and a streaming parser that never touches SQLite. */
export interface Importer {
  manifest: ImporterManifest;
  sniff(head: Uint8Array, fileName: string): SniffResult;
  /** Streams the source as batches of items (never a whole-file array). */
  parse(chunks: AsyncIterable<Uint8Array>): AsyncIterable<ParsedItem[]>;
}

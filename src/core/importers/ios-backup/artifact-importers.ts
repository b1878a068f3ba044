// The importers of the files a backup container hands on as members: TCC.db, DataUsage.sqlite,
// locationd's clients.plist, the daily network baseline and the configuration profiles. Each reads
// the member's bytes (decrypted by the container), opens a database read-only from memory, and
// yields permission, network-usage and profile records with their times placed in the zone the
// container found (or the examiner gave). Nothing here touches the case.
import { tmpdir } from 'node:os';
import type { AppliedClock } from '../../../contract/records';
import type { ImportWarning } from '../../../contract/warnings';
import type { ImportRecord } from '../../model/import-records';
import { describeFileHead } from '../describe-file';
import type {
  Importer,
  ImporterManifest,
  ParseContext,
  ParseItem,
  SniffProbe,
  SniffResult,
  SourceInput,
} from '../importer';
import { ARTIFACTS, artifactFailure, linkNote, type ArtifactSpec } from './artifact-read';
import type { BackupFile } from './backup-files';
import { timePlacer } from './placed-time';

/** Records per batch a parse yields. */
const BATCH = 1000;

/** What a backup container tells the parse of one artifact member (its `hints`). */
export interface ArtifactHints {
  /** The artifact's key among those of its importer (see artifact-read.ts `ARTIFACTS`). */
  artifact: string;
  domain: string;
  relativePath: string;
  fileId: string;
  encrypted: boolean;
  /** The sha256 of the decrypted content (encrypted backups only). */
  plainSha256: string | null;
  /** The file inside the backup folder a link led to, or null. */
  linkTarget: string | null;
  /** The decrypted `-wal` the backup holds beside a SQLite artifact, or null. */
  wal: Uint8Array | null;
  /** Why a `-wal` the index lists could not be read, or null. */
  walProblem: string | null;
  /** The zone the times are placed in (given at import, else the backup's own), or null. */
  timeZone: string | null;
  /** Whether the zone was given by the examiner or recorded by the phone. */
  clockSource: 'examiner' | 'device';
  /** Set when the container could not read the member: the member is refused with this message. */
  refusal?: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The hints of a member, checked; a member sniffed without its container gets what its name says. */
function hintsOf(source: SourceInput, context: ParseContext): ArtifactHints {
  const h = context.hints;
  const fromLocator = source.locator?.match(/^(\S+) (.+)$/) ?? null;
  const timeZone = text(h.timeZone) ?? context.timeZone ?? null;
  return {
    artifact: text(h.artifact) ?? '',
    domain: text(h.domain) ?? fromLocator?.[1] ?? '',
    relativePath: text(h.relativePath) ?? fromLocator?.[2] ?? source.name,
    fileId: text(h.fileId) ?? '',
    encrypted: h.encrypted === true,
    plainSha256: text(h.plainSha256),
    linkTarget: text(h.linkTarget),
    wal: h.wal instanceof Uint8Array ? h.wal : null,
    walProblem: text(h.walProblem),
    timeZone,
    clockSource:
      h.clockSource === 'examiner' || h.clockSource === 'device'
        ? h.clockSource
        : context.timeZone !== undefined
          ? 'examiner'
          : 'device',
    ...(text(h.refusal) !== null ? { refusal: text(h.refusal)! } : {}),
  };
}

/** The artifact of an importer a member is: by the container's key, else by its path. */
function specFor(manifest: ImporterManifest, hints: ArtifactHints): ArtifactSpec | null {
  const own = ARTIFACTS.filter((a) => a.manifest === manifest);
  return (
    own.find((a) => a.key === hints.artifact) ??
    own.find((a) =>
      a.many ? hints.relativePath.startsWith(a.path) : hints.relativePath === a.path,
    ) ??
    own.find((a) => baseName(a.path) === baseName(hints.relativePath) && !a.many) ??
    own.find((a) => a.many && baseName(hints.relativePath).startsWith(baseName(a.path))) ??
    null
  );
}

function baseName(path: string): string {
  return path.split('/').pop() || path;
}

/** Reads a member's bytes, stopping at a cancel. */
async function readAll(source: SourceInput, signal: AbortSignal): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const c of source.chunks()) {
    if (signal.aborted) return null;
    parts.push(c);
    size += c.length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}

function note(locator: string, message: string): ImportWarning {
  return { line: null, locator, code: 'BACKUP_NOTE', message };
}

/** A byte count as the evidence gives it, or null when no count can be (NaN, infinity). */
const count = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null);

/**
 * Parses one artifact member: a refusal when the container could not read it or its bytes are
 * not the artifact; otherwise the clock, the notes, and the records in batches.
 */
async function* parseArtifact(
  manifest: ImporterManifest,
  source: SourceInput,
  context: ParseContext,
): AsyncGenerator<ParseItem[]> {
  const hints = hintsOf(source, context);
  if (hints.refusal !== undefined) {
    yield [{ type: 'refusal', message: hints.refusal }];
    return;
  }
  const where = `${hints.domain} ${hints.relativePath}`.trim();
  const spec = specFor(manifest, hints);
  if (!spec) {
    yield [
      {
        type: 'refusal',
        message: `${where} is not a file the ${manifest.name} importer reads.`,
      },
    ];
    return;
  }
  const bytes = await readAll(source, context.signal);
  if (bytes === null) return;
  const file: BackupFile = {
    domain: hints.domain,
    relativePath: hints.relativePath,
    fileId: hints.fileId,
    diskPath: source.path,
    diskSize: source.size,
    sha256: source.sha256 ?? '',
    encrypted: hints.encrypted,
    plainSha256: hints.plainSha256,
    bytes,
    linkTarget: hints.linkTarget,
  };
  const wal: BackupFile | null = hints.wal && {
    ...file,
    relativePath: `${hints.relativePath}-wal`,
    bytes: hints.wal,
    linkTarget: null,
  };
  let parsed;
  try {
    parsed = await spec.read(file, { file: wal, problem: hints.walProblem }, tmpdir());
  } catch (e) {
    yield [{ type: 'refusal', message: artifactFailure(where, e) }];
    return;
  }
  if (hints.linkTarget !== null) parsed.problems.unshift(linkNote(where, hints.linkTarget));

  // The source row's details come from the container (the member's `details`); a clock is
  // yielded only when a zone placed the times, so that an outcome names no zone it did not use.
  const clock: AppliedClock | null =
    hints.timeZone === null
      ? null
      : { zone: hints.timeZone, offsets: [], source: hints.clockSource };
  let batch: ParseItem[] = [
    ...(clock ? [{ type: 'clock', clock, capturedAtMs: null, details: {} } as const] : []),
    ...parsed.problems.map((m): ImportRecord => ({ type: 'warning', warning: note(where, m) })),
  ];
  const place = timePlacer(hints.timeZone, (m) =>
    batch.push({ type: 'warning', warning: note(where, m) }),
  );
  const at = (ms: number | null, locator: string) => place(ms, locator);
  const flush = (): ParseItem[] | null => {
    if (batch.length < BATCH) return null;
    const full = batch;
    batch = [];
    return full;
  };
  for (const p of parsed.permissions) {
    batch.push({
      type: 'permission',
      app: p.app,
      origin: p.origin,
      raw: p.raw,
      category: p.category,
      status: p.status,
      reason: p.reason,
      time: at(p.timeMs, p.locator),
      locator: p.locator,
      rawFields: p.rawFields,
    });
    const full = flush();
    if (full) yield full;
  }
  for (const u of parsed.usage) {
    batch.push({
      type: 'network-usage',
      app: u.app,
      origin: u.origin,
      process: u.process,
      wifiIn: count(u.wifiIn),
      wifiOut: count(u.wifiOut),
      cellIn: count(u.cellIn),
      cellOut: count(u.cellOut),
      first: at(u.firstMs, u.locator),
      last: at(u.lastMs, u.locator),
      locator: u.locator,
      rawFields: u.rawFields,
    });
    const full = flush();
    if (full) yield full;
  }
  for (const p of parsed.profiles) {
    batch.push({
      type: 'profile',
      identifier: p.identifier,
      displayName: p.displayName,
      organization: p.organization,
      operation: p.operation,
      process: p.process,
      payloadTypes: p.payloadTypes,
      mdm: p.mdm,
      vpn: p.vpn,
      rootCertificate: p.rootCertificate,
      time: at(p.timeMs, p.locator),
      locator: p.locator,
      rawFields: p.rawFields,
    });
    const full = flush();
    if (full) yield full;
  }
  if (batch.length > 0) yield batch;
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** Whether a file head is a property list (binary or XML). */
function isPlistHead(head: Uint8Array): boolean {
  const start = Buffer.from(head.subarray(0, 64)).toString('latin1');
  return start.startsWith('bplist00') || /^(\uFEFF)?\s*<\?xml|^\s*<plist/.test(start);
}

/** Sniffs a file that was taken out of a backup on its own: by its name and its first bytes. */
function sniffArtifact(manifest: ImporterManifest, probe: SniffProbe): SniffResult {
  if (probe.kind !== 'file')
    return { confidence: 0, reason: `a folder, not ${manifest.name.toLowerCase()}` };
  const specs = ARTIFACTS.filter((a) => a.manifest === manifest);
  const name = probe.name;
  const spec = specs.find((a) =>
    a.many ? name.startsWith(baseName(a.path)) : name === baseName(a.path),
  );
  if (!spec)
    return {
      confidence: 0,
      reason: `its name is not ${specs.map((a) => baseName(a.path) + (a.many ? '…' : '')).join(' or ')}`,
    };
  const head = Buffer.from(probe.head.subarray(0, 16)).toString('latin1');
  if (spec.sqlite ? head === SQLITE_HEADER : isPlistHead(probe.head))
    return {
      confidence: 0.6,
      reason: `a file named ${name} that is ${spec.sqlite ? 'a SQLite database' : 'a property list'}`,
    };
  return {
    confidence: 0,
    reason: `a file named ${name}, but it looks like ${describeFileHead(probe.head)}`,
  };
}

/** An importer of one artifact manifest, as a member importer of the backup container. */
function artifactImporter(manifest: ImporterManifest): Importer {
  const specs = ARTIFACTS.filter((a) => a.manifest === manifest);
  return {
    manifest,
    accepts: {
      input: 'file',
      extensions: [],
      looksFor: `${specs
        .map((a) => `${a.path.split('/').pop()}${a.many ? '…' : ''}`)
        .join(' or ')} taken out of an iPhone backup`,
    },
    sniff: (probe) => sniffArtifact(manifest, probe),
    parse: (source, context) => parseArtifact(manifest, source, context),
  };
}

/** The importers of backup artifacts, one per artifact manifest, in the order they are read. */
export const ARTIFACT_IMPORTERS: readonly Importer[] = [
  ...new Set(ARTIFACTS.map((a) => a.manifest)),
].map(artifactImporter);

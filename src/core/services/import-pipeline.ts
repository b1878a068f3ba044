// The one import pipeline: any input path (a file or a folder) is recognised by asking every
// registered importer, parsed as a stream of records, and stored source by source through the one
// writer. A container's members are recognised and parsed by their own importers in turn.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ImportOutcome } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';
import {
  bindDevice,
  emptyOutcome,
  requireDevice,
  storeDevice,
  storeSource,
  type DeviceChoice,
} from '../db/import-writer';
import type { Db } from '../db/open';
import { describeFileHead } from '../importers/describe-file';
import { EvidenceFileError, openRegularFile } from '../importers/evidence-file';
import type {
  ImportCache,
  Importer,
  MemberRecord,
  ParseContext,
  ParseItem,
  SniffProbe,
  SourceInput,
} from '../importers/importer';
import { detect, importerById, notRecognisedMessage } from '../importers/registry';
import { fileSource, folderSource, mapCache } from '../importers/sources';
import type { AppRecord, DeviceRecord, ImportRecord } from '../model/import-records';
import { AppError } from '../model/errors';

/** Bytes of a file's head that sniffing sees. */
export const SNIFF_BYTES = 64 * 1024;
/** Names of a folder's listing that sniffing sees. */
const SNIFF_ENTRIES = 4096;

/** Where an import is, for progress bars. */
export interface PipelineProgress {
  phase: 'reading' | 'pairing' | 'committing' | 'unlocking';
  /** The source being read (a member's name inside its container). */
  name: string;
  /** The name of the format reading it (its importer's manifest name). */
  importer?: string;
  path: string;
  lines: number;
  bytes: number;
  totalBytes: number;
  /** A fraction of work reported by the importer itself (key derivation), when it has one. */
  fraction?: number;
  detail?: string;
}

export interface ImportPathOptions {
  /**
   * The device of sources that do not say which phone they come from (App Privacy Reports): its
   * id, or a function called inside the first stored source's transaction that returns it.
   */
  device?: number | (() => number);
  /** For inputs that name their phone (backups, captures): the examiner's choice of device. */
  choice?: DeviceChoice;
  timeZone?: string;
  password?: string;
  signal?: AbortSignal;
  /** Asked between batches and before each commit, besides the signal (a polled cancel flag). */
  isCancelled?: () => boolean;
  cache?: ImportCache;
  onProgress?: (p: PipelineProgress) => void;
  /** Warnings kept per outcome (all are counted and stored). */
  maxOutcomeWarnings?: number;
}

export interface ImportPathResult {
  /** The device the sources went to (null when nothing was stored and none was named). */
  deviceId: number | null;
  outcomes: ImportOutcome[];
  /** Notes on the input as a whole (a container's warnings), also on its first outcome. */
  notes: ImportWarning[];
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'an input/output error (the disk or the network share failed)',
  EISDIR: 'it is a folder',
  EMFILE: 'too many files are open',
  ENXIO: 'no such device',
  EBUSY: 'it is in use',
};

/** What a path that is not a regular file is, for messages. */
export function describeNonFile(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (st.isSocket()) return 'a socket, not a file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device, not a file';
  return 'not a regular file';
}

/** A plain reason for a file-system error: "permission denied", not `EACCES: …, open '…'`. */
export function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FS_REASONS[code]) return FS_REASONS[code];
  return e instanceof Error ? e.message : String(e);
}

/** A source whose first bytes were read for sniffing, and whose stream still yields them. */
async function peek(source: SourceInput): Promise<{ head: Uint8Array; source: SourceInput }> {
  const it = source.chunks()[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    taken.push(r.value);
    have += r.value.length;
  }
  const head = Buffer.concat(taken).subarray(0, SNIFF_BYTES);
  let used = false;
  return {
    head,
    source: {
      ...source,
      async *chunks() {
        // The first stream goes on where sniffing stopped; a second call reads afresh.
        if (used) {
          yield* source.chunks();
          return;
        }
        used = true;
        yield* taken;
        if (done) return;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      },
    },
  };
}

/** What a path is, and the probe its sniffing sees; or why it cannot be read. */
export async function probePath(
  path: string,
): Promise<{ probe: SniffProbe; input: SourceInput } | { error: string }> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    return { error: `Cannot read ${path}: ${describeFsError(e)}.` };
  }
  if (st.isDirectory()) {
    try {
      const entries = (await readdir(path)).slice(0, SNIFF_ENTRIES);
      const input = folderSource(path);
      return { probe: { kind: 'folder', name: input.name, entries }, input };
    } catch (e) {
      return { error: `Cannot read the folder ${path}: ${describeFsError(e)}.` };
    }
  }
  if (!st.isFile()) return { error: `Cannot read ${path}: it is ${describeNonFile(st)}.` };
  try {
    // Opened without blocking: the path may have become a named pipe since the stat.
    const handle = await openRegularFile(path);
    try {
      const buf = Buffer.alloc(Math.min(SNIFF_BYTES, Math.max(0, st.size)));
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      const input = fileSource(path, st.size);
      return {
        probe: { kind: 'file', name: input.name, size: st.size, head: buf.subarray(0, bytesRead) },
        input,
      };
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof EvidenceFileError && e.errno === null)
      return { error: `Cannot read ${path}: ${e.message}` };
    return {
      error: `Cannot read ${path}: ${describeFsError(e instanceof EvidenceFileError ? { code: e.errno } : e)}.`,
    };
  }
}

/** What an input looks like, for "not recognised". */
function looksLike(probe: SniffProbe): string {
  if (probe.kind === 'folder')
    return `${probe.name} is a folder of ${probe.entries.length} entr${probe.entries.length === 1 ? 'y' : 'ies'} that no importer recognises`;
  return `${probe.name} looks like ${describeFileHead(probe.head)}`;
}

/**
 * Imports what a path holds: recognises it, parses it, and stores every source it yields, each in
 * its own transaction. Never throws for bad input (a refusal is an outcome); throws AppError when
 * the examiner must act (a password, a time zone, a device) or on cancel before anything was read.
 */
export async function importPath(
  db: Db,
  path: string,
  options: ImportPathOptions = {},
): Promise<ImportPathResult> {
  const full = resolve(path);
  if (typeof options.device === 'number') requireDevice(db, options.device);
  const probed = await probePath(full);
  if ('error' in probed)
    return {
      deviceId: null,
      outcomes: [emptyOutcome(full, knownDevice(options), 'refused', probed.error)],
      notes: [],
    };
  const detection = detect(probed.probe);
  if (!detection.chosen)
    return {
      deviceId: null,
      outcomes: [
        emptyOutcome(
          full,
          knownDevice(options),
          'refused',
          notRecognisedMessage(looksLike(probed.probe), detection),
        ),
      ],
      notes: [],
    };
  const run = new PipelineRun(db, options);
  await run.source(probed.input, detection.chosen, {}, null);
  return run.result();
}

function knownDevice(options: ImportPathOptions): number | null {
  return typeof options.device === 'number' ? options.device : (options.choice?.deviceId ?? null);
}

/** One import of one path: the device it binds, and the outcomes of every source stored. */
class PipelineRun {
  private readonly outcomes: ImportOutcome[] = [];
  private readonly notes: ImportWarning[] = [];
  private deviceId: number | null = null;
  private readonly cache: ImportCache;
  private readonly signal: AbortSignal;

  constructor(
    private readonly db: Db,
    private readonly options: ImportPathOptions,
  ) {
    this.cache = options.cache ?? mapCache();
    this.signal = options.signal ?? new AbortController().signal;
    this.deviceId = knownDevice(options);
  }

  result(): ImportPathResult {
    const first = this.outcomes[0];
    if (first && this.notes.length > 0) first.warnings.unshift(...this.notes);
    return { deviceId: this.deviceId, outcomes: this.outcomes, notes: this.notes };
  }

  private context(hints: Record<string, unknown>, input: SourceInput): ParseContext {
    return {
      timeZone: this.options.timeZone,
      password: this.options.password,
      hints,
      signal: this.signal,
      cache: this.cache,
      onProgress: (fraction, detail) =>
        this.options.onProgress?.({
          phase: 'unlocking',
          name: input.name,
          path: input.path,
          lines: 0,
          bytes: 0,
          totalBytes: 0,
          fraction,
          detail,
        }),
    };
  }

  /** The device a record source goes to: bound from its own device record, else the run's. */
  private deviceFor(own: DeviceRecord | null): number | (() => number) | null {
    if (own) return () => (this.deviceId = bindDevice(this.db, this.choice(), own));
    if (this.deviceId !== null) return this.deviceId;
    const given = this.options.device;
    if (typeof given === 'number') return given;
    if (given) return () => (this.deviceId = given());
    return null;
  }

  private choice(): DeviceChoice {
    return this.deviceId !== null ? { deviceId: this.deviceId } : (this.options.choice ?? {});
  }

  /**
   * Parses one source with its importer. Records before its first member are held: evidence
   * makes it a source of its own (stored in one transaction); a member makes it a container
   * (its phone and apps are stored, then each member in turn).
   */
  async source(
    input: SourceInput,
    importer: Importer,
    hints: Record<string, unknown>,
    container: SourceInput | null,
    member: MemberRecord | null = null,
  ): Promise<void> {
    const hash = input.sha256 === null ? createHash('sha256') : null;
    let bytes = 0;
    let complete = false;
    const progress = (phase: PipelineProgress['phase'], lines: number): void =>
      this.options.onProgress?.({
        phase,
        name: input.name,
        importer: importer.manifest.name,
        path: input.path,
        lines,
        bytes,
        totalBytes: input.size,
      });
    const hashed: SourceInput = {
      ...input,
      async *chunks() {
        for await (const c of input.chunks()) {
          hash?.update(c);
          bytes += c.length;
          yield c;
        }
        complete = true;
      },
    };
    const sha256 = async (): Promise<string> => {
      if (input.sha256 !== null) return input.sha256;
      if (complete && hash) return hash.digest('hex');
      // The importer did not read every byte: the source's hash is still of all of them.
      const h = createHash('sha256');
      for await (const c of input.chunks()) h.update(c);
      return h.digest('hex');
    };
    const items = importer.parse(hashed, this.context(hints, input))[Symbol.asyncIterator]();
    const held: ImportRecord[] = [];
    let device: DeviceRecord | null = null;
    const apps: AppRecord[] = [];
    let isContainer = false;
    let pending: ParseItem[] = [];
    const next = async (): Promise<ParseItem | null> => {
      while (pending.length === 0) {
        const r = await items.next();
        if (r.done) return null;
        pending = [...r.value];
      }
      return pending.shift() ?? null;
    };
    let item: ParseItem | null;
    try {
      item = await next();
      while (item !== null && !isContainer) {
        if (item.type === 'member') break;
        if (isEvidence(item)) break;
        if (item.type === 'refusal') break;
        if (item.type === 'device') device = item;
        else if (item.type === 'app') apps.push(item);
        else held.push(item);
        item = await next();
      }
    } catch (e) {
      await items.return?.(undefined);
      throw e;
    }
    if (item !== null && item.type === 'member') isContainer = true;
    if (!isContainer && input.kind === 'folder' && item === null) {
      // A folder importer that found nothing to read: its notes are the outcome.
      this.bindContainerDevice(device, apps, input, importer, held);
      this.notes.push(...warningsOf(held));
      if (this.outcomes.length === 0 && device === null)
        this.outcomes.push(
          emptyOutcome(
            input.path,
            this.deviceId,
            'refused',
            `Nothing to import was found in ${input.path}.`,
          ),
        );
      return;
    }
    if (!isContainer) {
      // A source of records: everything held, then the rest of the stream, in one transaction.
      const before = this.deviceId;
      const deviceFor = this.deviceFor(device);
      if (deviceFor === null) {
        this.outcomes.push(
          emptyOutcome(
            input.path,
            null,
            'refused',
            `${input.name} does not say which phone it comes from; choose the device to import it into.`,
          ),
        );
        await items.return?.(undefined);
        return;
      }
      const first: ImportRecord[] = [...held, ...apps];
      if (item !== null) first.push(item as ImportRecord);
      const rest = async function* (): AsyncGenerator<readonly ImportRecord[]> {
        yield first;
        for (;;) {
          if (pending.length > 0) {
            const batch = pending;
            pending = [];
            yield checkRecords(batch, importer);
          }
          const r = await items.next();
          if (r.done) return;
          pending = [...r.value];
        }
      };
      let outcome: ImportOutcome;
      try {
        outcome = await storeSource(
          this.db,
          {
            importer: importer.manifest,
            matchLine: importer.matchLine,
            path: input.path,
            name: input.name,
            size: input.kind === 'file' ? input.size : 0,
            container: container?.path ?? null,
            locator: input.locator,
            capturedAtMs: member?.capturedAtMs ?? null,
            details: member?.details ?? null,
          },
          rest(),
          {
            device: deviceFor,
            sha256,
            isCancelled: () => this.signal.aborted || this.options.isCancelled?.() === true,
            maxOutcomeWarnings: this.options.maxOutcomeWarnings,
            onProgress: (phase, lines) => progress(phase, lines),
          },
        );
      } finally {
        // A refused or cancelled source stops its parse, which closes what it opened.
        await items.return?.(undefined);
      }
      // A device bound inside a transaction that was rolled back does not exist.
      if (outcome.status === 'imported' || outcome.status === 'already-imported')
        this.deviceId ??= outcome.deviceId;
      else this.deviceId = before;
      this.outcomes.push(outcome);
      return;
    }
    // A container: its phone and apps first, then each member as its own source.
    this.bindContainerDevice(device, apps, input, importer, held);
    this.notes.push(...warningsOf(held));
    try {
      while (item !== null) {
        if (this.signal.aborted || this.options.isCancelled?.() === true) {
          await items.return?.(undefined);
          throw new AppError('CANCELLED', 'The import was cancelled.');
        }
        if (item.type === 'member') await this.member(item, hints, input);
        else if (item.type === 'device') this.bindContainerDevice(item, [], input, importer);
        else if (item.type === 'app') this.bindContainerDevice(null, [item], input, importer);
        else if (item.type === 'warning') this.notes.push(item.warning);
        else if (item.type === 'refusal')
          this.notes.push({
            line: null,
            locator: input.name,
            code: 'CAPTURE_NOTE',
            message: item.message,
          });
        else if (isEvidence(item))
          throw new Error(
            `${importer.manifest.id} yielded ${item.type} records beside its members; a container yields members only.`,
          );
        item = await next();
      }
    } finally {
      await items.return?.(undefined);
    }
  }

  /** Stores a container's phone (and apps) once, binding the run's device. */
  private bindContainerDevice(
    device: DeviceRecord | null,
    apps: readonly AppRecord[],
    input: SourceInput,
    importer: Importer,
    held: readonly ImportRecord[] = [],
  ): void {
    if (device === null && apps.length === 0) return;
    // The container's own facts (its capture time, whether it was encrypted) go into the audit.
    const audit: Record<string, unknown> = {
      path: input.path,
      importer: `${importer.manifest.id}@${importer.manifest.version}`,
    };
    for (const r of held)
      if (r.type === 'clock') {
        Object.assign(audit, r.details);
        if (r.capturedAtMs !== null) audit.capturedAt = r.capturedAtMs;
        audit.clock = r.clock;
      }
    if (device === null) {
      if (this.deviceId === null) return;
      // Apps of a device already bound: recorded under it.
      storeDevice(this.db, { deviceId: this.deviceId }, null, apps, audit);
      return;
    }
    this.deviceId = storeDevice(this.db, this.choice(), device, apps, audit);
  }

  /** Recognises a member (or takes the importer it names) and stores it. */
  private async member(
    m: MemberRecord,
    hints: Record<string, unknown>,
    container: SourceInput,
  ): Promise<void> {
    const childHints = { ...hints, ...(m.hints ?? {}) };
    try {
      if (m.importer !== undefined) {
        const named = importerById(m.importer);
        if (!named) throw new Error(`No importer ${m.importer} is registered.`);
        await this.source(m.source, named, childHints, container, m);
        return;
      }
      let probe: SniffProbe;
      let source = m.source;
      if (source.kind === 'folder') {
        probe = {
          kind: 'folder',
          name: source.name,
          entries: (await readdir(source.path)).slice(0, SNIFF_ENTRIES),
        };
      } else {
        const peeked = await peek(source);
        source = peeked.source;
        probe = { kind: 'file', name: source.name, size: source.size, head: peeked.head };
      }
      const detection = detect(probe);
      if (!detection.chosen) {
        this.outcomes.push({
          ...emptyOutcome(
            m.source.path,
            this.deviceId,
            'refused',
            notRecognisedMessage(looksLike(probe), detection),
          ),
          locator: m.source.locator,
        });
        return;
      }
      await this.source(source, detection.chosen, childHints, container, m);
    } catch (e) {
      if (e instanceof AppError) throw e;
      // A member that cannot be read costs itself only; the others are still read.
      const reason = e instanceof EvidenceFileError ? e.message : describeFsError(e);
      this.outcomes.push({
        ...emptyOutcome(
          m.source.path,
          this.deviceId,
          'refused',
          `${m.source.name} was not read: ${reason}`,
        ),
        locator: m.source.locator,
      });
    }
  }
}

function warningsOf(records: readonly ImportRecord[]): ImportWarning[] {
  return records.flatMap((r) => (r.type === 'warning' ? [r.warning] : []));
}

const CONTROL = new Set(['warning', 'progress', 'lines', 'clock', 'device', 'app', 'refusal']);

function isEvidence(item: ParseItem): boolean {
  return item.type !== 'member' && !CONTROL.has(item.type);
}

/** A record source's later batches: members are refused there (they need their own transaction). */
function checkRecords(batch: readonly ParseItem[], importer: Importer): ImportRecord[] {
  for (const i of batch)
    if (i.type === 'member')
      throw new Error(
        `${importer.manifest.id} yielded a member after its own records; a source is either records or members.`,
      );
  return batch as ImportRecord[];
}

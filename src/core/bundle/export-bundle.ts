import { createReadStream, existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { maskIdentifier } from '../../contract/mask';
import { DEFAULT_NIGHT, type Filter } from '../../contract/filter';
import type { CompareRequest } from '../../contract/records';
import { appendAudit } from '../db/audit';
import { unsafeNameReason } from '../formats/zip/reader';
import {
  deflateToFile,
  ZipWriter,
  type PreparedEntry,
  type WrittenEntry,
} from '../formats/zip/writer';
import { AppError } from '../model/errors';
import type { CaseSession } from '../services/case-service';
import { writeTx } from '../services/case-service';
import { csvColumns, csvTable } from '../services/csv';
import { instantFormatter } from '../services/event-text';
import { networkWhere, whereSql } from '../services/filter-sql';
import { bundleAudit } from './audit-manifest';
import {
  beginSnapshot,
  EventsSplit,
  hashParts,
  type EventsEntry,
  type EventsHelper,
} from './events-entry';
import { sessionCsvBytes, utcFormatter } from './events-csv';
import {
  buildComparison,
  COMPARISON_COLUMNS_CSV,
  COMPARISON_CSV,
  comparisonFiles,
  comparisonManifest,
  type ComparisonManifest,
} from './comparison';
import { createRedactor, type RedactionChoice, type Redactor } from './redaction';
import { exportTimings, type ExportTimings } from './export-timings';
import { installationKey, signBytes, type SigningKey } from './signing-key';

export const BUNDLE_FORMAT = 'snoopscope-evidence-bundle';

/**
 * The manifest's layout: 2 publishes each audit entry with the inputs of its hash; 3 also gives
 * every entry of the zip the signed export instant as its time.
 */
export const BUNDLE_FORMAT_VERSION = 3;

/** Network rows: one per export snapshot (never summed), with provenance. */
export const NETWORK_CSV_COLUMNS = [
  'id',
  'device',
  'app',
  'app_name',
  'domain',
  'domain_owner',
  'profiling',
  'initiated_type',
  'context',
  'hits',
  'first_local',
  'last_local',
  'first_utc',
  'last_utc',
  'source_sha256',
  'locator',
] as const;

const NETWORK_CSV = csvTable(
  csvColumns(NETWORK_CSV_COLUMNS, [
    'profiling',
    'hits',
    'first_local',
    'last_local',
    'first_utc',
    'last_utc',
    'source_sha256',
  ]),
);

/** What a bundle redacts: network contexts, and apps by identifier. */
export type Redaction = RedactionChoice;

/**
 * Why a redaction cannot go with copies of the sources, or null when it can: the copies are the
 * evidence byte for byte and would still hold every redacted app and context.
 */
export function redactionConflict(
  redact: Redaction | undefined,
  includeSources: boolean,
): string | null {
  if (!includeSources || !redact || (!redact.contexts && redact.apps.length === 0)) return null;
  return (
    'A redacted bundle cannot include copies of the sources: they are the original evidence, ' +
    'byte for byte, and would still hold the redacted apps and contexts. Export without the ' +
    'sources, or without the redaction.'
  );
}

export interface BundleOptions {
  out: string;
  filter: Filter;
  version: string;
  redact?: Redaction;
  /** Copies of the original source files under `sources/`. */
  includeSources?: boolean;
  /** Shows device identifiers unmasked in the manifest. */
  unmask?: boolean;
  /** Extra files, each written as given (e.g. findings.csv, report.pdf). */
  extra?: BundleExtra[];
  /**
   * Extra files made inside the export's read transaction (e.g. `bundleExtras`), so they describe
   * the same state of the case as every other file; written after `extra`.
   */
  extras?: () => Promise<BundleExtra[]>;
  /** Writes `events.csv` on another thread meanwhile, from the same state of the case. */
  events?: EventsHelper;
  /** Told why the helper failed, when it did (events.csv is then written by this thread). */
  onHelperFailed?: (e: unknown) => void;
  /**
   * A comparison of devices or periods, recorded in the manifest. Its files come from
   * `bundleExtras` given the same request (so the report and the CSVs show one computation);
   * when the extras do not hold them, they are written here.
   */
  comparison?: CompareRequest;
  key?: SigningKey;
  userDataDir?: string;
  /** The stage clock (by default, stage times on stderr when `SNOOPSCOPE_EXPORT_TIMINGS=1`). */
  timings?: ExportTimings;
}

/** An extra file of a bundle: its name and content. */
export interface BundleExtra {
  name: string;
  content: string | Uint8Array | Iterable<string | Uint8Array>;
}

export interface BundleResult {
  path: string;
  files: WrittenEntry[];
  fingerprint: string;
  events: number;
}

function* networkLines(
  session: CaseSession,
  filter: Filter,
  redactor: Redactor,
): Generator<string> {
  const w = networkWhere(filter);
  const rows = session.db
    .prepare(
      `SELECT n.id, d.label AS device, a.identifier AS app, a.display_name AS appName, n.domain,
              n.domain_owner AS owner, n.domain_type AS type, n.initiated_type AS initiated, n.context,
              n.hits, n.first_ms AS firstMs, n.first_offset AS firstOff, n.last_ms AS lastMs,
              n.last_offset AS lastOff, src.sha256, n.line
       FROM network_observations n JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
       JOIN sources src ON src.id = n.source_id ${whereSql(w)} ORDER BY COALESCE(n.first_ms, n.last_ms), n.id`,
    )
    .iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string;
    appName: string | null;
    domain: string;
    owner: string | null;
    type: number | null;
    initiated: string | null;
    context: string | null;
    hits: number | null;
    firstMs: number | null;
    firstOff: number | null;
    lastMs: number | null;
    lastOff: number | null;
    sha256: string;
    line: number;
  }>;
  const { text, maybe } = redactor;
  // Times as formatInstant and formatUtc write them, without a Date for each.
  const local = instantFormatter();
  const utc = utcFormatter(local);
  yield NETWORK_CSV.header();
  for (const r of rows) {
    yield NETWORK_CSV.row([
      `n:${r.id}`,
      text(r.device),
      text(r.app),
      maybe(r.appName),
      text(r.domain),
      maybe(r.owner),
      r.type === 1,
      maybe(r.initiated),
      maybe(redactor.context(r.context)),
      r.hits,
      r.firstMs === null ? null : local(r.firstMs, r.firstOff ?? 0),
      r.lastMs === null ? null : local(r.lastMs, r.lastOff ?? 0),
      r.firstMs === null ? null : utc(r.firstMs),
      r.lastMs === null ? null : utc(r.lastMs),
      r.sha256,
      `line ${r.line}`,
    ]);
  }
}

/** The page cache of the export's connection, in KiB (as `cache_size` takes a negative value). */
const EXPORT_CACHE_KIB = -8192;

/** The longest name part of a source copy, in UTF-8 bytes: within every file system's 255. */
const SOURCE_NAME_MAX_BYTES = 150;

// Characters a source copy's name must not hold (see `sourceEntryName`).
const UNSAFE_IN_NAME =
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  /[\u0000-\u001f\u007f-\u009f\\:*?"<>|\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/**
 * The entry name of a source's copy: `sources/<id>-<name>`, where `<name>` is the last part of the
 * source's file name with every character the strict zip check refuses (a backslash, a control
 * character), that Windows cannot store in a file name (`: * ? " < > |`), that reorders the text
 * around it (bidirectional controls, which can make `gpj.exe` look like `exe.jpg`) or that has no
 * UTF-8 form (an unpaired surrogate) replaced by `_`, and cut to a length every file system
 * takes. The id keeps the names of two sources apart, whatever their letter case; the manifest
 * keeps the original name.
 */
export function sourceEntryName(id: number, fileName: string): string {
  const last =
    fileName
      .split('/')
      .filter((p) => p !== '')
      .pop() ?? '';
  let safe = '';
  let bytes = 0;
  for (const ch of last.replace(UNSAFE_IN_NAME, '_')) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > SOURCE_NAME_MAX_BYTES) break;
    safe += ch;
  }
  const name = safe === '' ? `sources/${id}` : `sources/${id}-${safe}`;
  // What is left is one name under sources/; the check stays as a guard.
  return unsafeNameReason(name) === null ? name : `sources/${id}`;
}

// The share of the sessions left (by time) that the export's thread writes once its other files
// are done. A little over half: after its part, the worker also hashes the tail, inflated again,
// which took a ninth of the time the tail took to write (10M sessions: 3.2 s against 28.9 s).
const TAIL_SHARE = 0.53;

/** The sessions of `events.csv` from an instant on, written by the export's thread. */
interface EventsTail {
  prepared: PreparedEntry;
  rows: number;
  fromMs: number;
}

/**
 * Writes the tail of `events.csv` into `path`: the sessions from the instant {@link TAIL_SHARE} of
 * the way back (in time) from the last session to where the worker is, once `split` has set it;
 * null when the worker has ended or too little is left. The worker is told when the tail is
 * written (or abandoned).
 */
async function writeEventsTail(
  session: CaseSession,
  filter: Filter,
  redactor: Redactor,
  split: EventsSplit,
  path: string,
): Promise<EventsTail | null> {
  const { where, params } = session.queries.sessionFilter(filter);
  const edge = (order: 'ASC' | 'DESC'): number | null =>
    (session.db
      .prepare(
        `SELECT s.anchor_ms FROM access_sessions s ${where} ORDER BY s.anchor_ms ${order} LIMIT 1`,
      )
      .pluck()
      .get(...params) as number | undefined) ?? null;
  const last = edge('DESC');
  if (last === null) return null;
  const fromMs = split.request((atMs) => {
    const at = Number.isFinite(atMs) ? atMs : edge('ASC');
    if (at === null || !(last > at)) return null;
    return at + Math.floor((last - at) * (1 - TAIL_SHARE)) + 1;
  });
  if (fromMs === null) return null;
  try {
    const counter = { rows: 0 };
    const prepared = await deflateToFile(
      path,
      'events.csv',
      sessionCsvBytes(session, filter, DEFAULT_NIGHT, redactor.text, counter, undefined, {
        fromMs,
        header: false,
      }),
      // The whole entry is hashed in order after the worker's part: by the worker, or by this
      // thread from both parts when the worker failed.
      { hash: false },
    );
    split.tailDone(true);
    return { prepared, rows: counter.rows, fromMs };
  } catch (e) {
    split.tailDone(false);
    throw e;
  }
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  for await (const c of createReadStream(path)) yield c as Buffer;
}

/**
 * Writes an evidence bundle: one zip holding `events.csv`, `network.csv`, any extra files, a
 * `manifest.json` (tool, case, devices, sources, filter, export time, redaction, the sha256 of
 * every other file, the audit log and its check), the manifest's Ed25519 signature and the
 * signer's public key. Device identifiers are masked unless asked otherwise, and a redaction
 * rewrites every free-text value of every file (see `createRedactor`); audit entries that mention
 * what is redacted publish their payload's hash instead. A redaction with copies of the sources is
 * refused (INVALID_INPUT). The zip is written to a temporary name and renamed when complete; the
 * export is recorded in the audit log.
 */
export async function exportBundle(session: CaseSession, o: BundleOptions): Promise<BundleResult> {
  const out = resolve(o.out);
  const redact: Redaction = o.redact ?? { contexts: false, apps: [] };
  const conflict = redactionConflict(redact, o.includeSources ?? false);
  if (conflict) throw new AppError('INVALID_INPUT', conflict);
  if (existsSync(out)) throw new AppError('CONFLICT', `${out} exists; choose a new file name.`);
  const key = o.key ?? installationKey(o.userDataDir);
  const clock = o.timings ?? exportTimings();
  const unmask = o.unmask ?? false;
  // Redacted apps become `redacted-app-N` and identifiers are masked in every free-text value.
  const redactor = createRedactor(session.db, redact, { unmask });
  const tmp = `${out}.partial`;
  const eventsTmp = `${out}.events.partial`;
  const tailTmp = `${out}.events-tail.partial`;
  // The export reads the case through once, in order: a small page cache does, and keeps the
  // memory for the report and the worker writing events.csv.
  const cache = session.db.pragma('cache_size', { simple: true }) as number;
  session.db.pragma(`cache_size = ${EXPORT_CACHE_KIB}`);
  await rm(tmp, { force: true });
  await rm(eventsTmp, { force: true });
  await rm(tailTmp, { force: true });
  // events.csv split between the worker and this thread, when a worker writes it.
  const split = o.events ? new EventsSplit() : null;
  // One instant for the manifest and every entry's time in the zip, which verify compares.
  const exportedAt = new Date();
  const zip = await ZipWriter.create(tmp, exportedAt);
  const files: WrittenEntry[] = [];
  let events = 0;
  let comparisonRecord: ComparisonManifest | null = null;
  try {
    // One read transaction: every file describes the same state of the case, events.csv too
    // when a helper writes it.
    const snapshot = await beginSnapshot(session, o.events, {
      filter: o.filter,
      redact,
      unmask,
      path: eventsTmp,
      ...(split ? { split: { shared: split.shared, tailPath: tailTmp } } : {}),
    });
    try {
      const extra = [...(o.extra ?? []), ...(o.extras ? await o.extras() : [])];
      const extraNames = new Set(extra.map((x) => x.name));
      const comparisonGiven =
        extraNames.has(COMPARISON_CSV) || extraNames.has(COMPARISON_COLUMNS_CSV);
      // A comparison file the manifest could not describe would leave the reader without its
      // request.
      if (comparisonGiven && !o.comparison)
        throw new AppError(
          'INTERNAL',
          'The bundle was given comparison files without the comparison request they come from.',
        );
      // events.csv from this thread's connection, when no worker writes it.
      const writeEventsHere = async (): Promise<WrittenEntry> => {
        const counter = { rows: 0 };
        const written = await zip.add(
          'events.csv',
          sessionCsvBytes(session, o.filter, DEFAULT_NIGHT, redactor.text, counter),
        );
        events = counter.rows;
        return written;
      };
      if (snapshot.events === null) files.push(await clock.stage('events.csv', writeEventsHere));
      files.push(
        await clock.stage('network.csv', () =>
          zip.add('network.csv', networkLines(session, o.filter, redactor)),
        ),
      );
      // The extras come from `bundleExtras` given the same redaction: they are written as given.
      for (const x of extra)
        files.push(await clock.stage(x.name, () => zip.add(x.name, x.content)));
      if (o.comparison && !comparisonGiven) {
        const comparison = buildComparison(session, o.comparison, { redactor });
        for (const f of comparisonFiles(comparison)) files.push(await zip.add(f.name, f.content));
      }
      const sources = session.sources();
      // Each copied source's entry name, for its manifest entry.
      const copies = new Map<number, string>();
      if (o.includeSources) {
        for (const s of sources) {
          if (!existsSync(s.path) || !statSync(s.path).isFile()) continue;
          const entry = await zip.add(sourceEntryName(s.id, s.fileName), fileChunks(s.path));
          files.push(entry);
          copies.set(s.id, entry.name);
          if (entry.sha256 !== s.sha256)
            throw new AppError(
              'IO_ERROR',
              `${s.path} no longer matches the sha256 recorded at import; it was not copied as evidence.`,
            );
        }
      }
      clock.mark('comparison and sources');
      if (snapshot.events !== null) {
        const done = snapshot.events;
        // This thread's files are done: it writes the sessions from an instant on while the
        // worker writes those before it.
        const tail = split
          ? await clock.stage('events.csv (its tail, here)', () =>
              writeEventsTail(session, o.filter, redactor, split, tailTmp),
            )
          : null;
        // The worker's part, copied once written while the worker hashes the tail after it.
        const head =
          tail && split
            ? await clock.stage('events.csv (its part written meanwhile)', () =>
                split.headPart(done),
              )
            : null;
        // The worker's result, or null when it failed (told to `onHelperFailed`); a cancel ends
        // the export.
        const workerOutcome = async (): Promise<EventsEntry | null> => {
          try {
            return await done;
          } catch (failure) {
            if (failure instanceof AppError && failure.code === 'CANCELLED') throw failure;
            o.onHelperFailed?.(failure);
            return null;
          }
        };
        const entry = await clock.stage('events.csv (written meanwhile)', async () => {
          if (tail && head && (head.lastAnchorMs === null || head.lastAnchorMs < tail.fromMs)) {
            const part: PreparedEntry = {
              path: eventsTmp,
              size: head.size,
              compressed: head.compressed,
              crc: head.crc,
              sha256: '',
              final: false,
            };
            const written = await zip.addPrepared('events.csv', [part, tail.prepared]);
            // A worker that failed while hashing the tail leaves both parts written: this thread
            // hashes them instead.
            const e = await workerOutcome();
            if (
              e !== null &&
              (!e.split ||
                e.rows !== head.rows ||
                e.prepared.compressed !== head.compressed ||
                e.prepared.crc !== head.crc)
            )
              throw new AppError(
                'INTERNAL',
                'The worker writing events.csv ended with another part than the one it said it had written.',
              );
            const sha256 = e?.sha256 ?? (await hashParts([eventsTmp, tailTmp]));
            await o.events?.stop();
            events = head.rows + tail.rows;
            return { ...written, sha256 };
          }
          // A worker that failed (out of memory, crashed) leaves events.csv to this connection,
          // which reads the same state of the case: it is written here, as it would have been.
          const e = await workerOutcome();
          // Its worker's memory goes back before the copy.
          await o.events?.stop();
          // The worker's part must end before the tail begins; it does by the split's agreement.
          const joined =
            e !== null &&
            e.split === (tail !== null) &&
            (tail === null || e.lastAnchorMs === null || e.lastAnchorMs < tail.fromMs);
          if (e !== null && !joined)
            o.onHelperFailed?.(
              new Error('The worker writing events.csv did not stop where its tail began.'),
            );
          if (e === null || !joined) {
            await rm(eventsTmp, { force: true });
            await rm(tailTmp, { force: true });
            return writeEventsHere();
          }
          events = e.rows + (tail?.rows ?? 0);
          return zip.addPrepared(
            'events.csv',
            tail ? [e.prepared, tail.prepared] : e.prepared,
            e.sha256,
          );
        });
        // Listed first in the manifest, as when it is written first.
        files.unshift(entry);
      }
      const info = session.info();
      comparisonRecord = o.comparison
        ? comparisonManifest(session, o.comparison, { redactor })
        : null;
      const mask = (v: string | null): string | null => (unmask ? v : maskIdentifier(v));
      const audit = bundleAudit(session.db, redactor);
      const manifest = {
        format: BUNDLE_FORMAT,
        formatVersion: BUNDLE_FORMAT_VERSION,
        tool: { name: 'Snoopscope', version: o.version },
        exportedAt: exportedAt.toISOString(),
        case: {
          name: redactor.text(info.name),
          createdAt: new Date(info.createdAt).toISOString(),
        },
        filter: redactor.deep(o.filter),
        comparison: comparisonRecord,
        redaction: {
          contexts: redact.contexts,
          apps: redactor.apps,
          identifiersMasked: !unmask,
          auditEntriesRedacted: audit.redactedEntries.length,
          ...(o.includeSources && !unmask
            ? {
                sourcesNote:
                  'The copies under sources/ are the original files, byte for byte: device identifiers in them are not masked.',
              }
            : {}),
        },
        devices: info.devices.map((d) => ({
          label: redactor.text(d.label),
          platform: d.platform,
          model: redactor.maybe(d.model),
          osVersion: redactor.maybe(d.osVersion),
          timeZone: d.timeZone,
          identifiers: {
            udid: mask(d.identifiers.udid),
            serial: mask(d.identifiers.serial),
            imei: mask(d.identifiers.imei),
            phoneNumber: mask(d.identifiers.phoneNumber),
          },
        })),
        sources: sources.map((s) => ({
          id: s.id,
          name: redactor.text(s.fileName),
          size: s.size,
          sha256: s.sha256,
          importer: s.importer,
          importerVersion: s.importerVersion,
          importedAt: new Date(s.importedAt).toISOString(),
          ...(copies.has(s.id) ? { entry: copies.get(s.id) } : {}),
        })),
        files: files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })),
        signer: { algorithm: 'Ed25519', fingerprint: key.fingerprint },
        audit,
      };
      const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
      await zip.add('manifest.json', bytes);
      await zip.add('manifest.sig', signBytes(key, bytes) + '\n');
      await zip.add('signer.pub.pem', key.publicPem);
      clock.mark('manifest');
    } finally {
      session.db.exec('COMMIT');
      await o.events?.stop();
      await rm(eventsTmp, { force: true });
      await rm(tailTmp, { force: true });
    }
    await zip.finish();
    clock.mark('zip directory');
  } catch (e) {
    await zip.abort();
    await o.events?.stop();
    await rm(tmp, { force: true });
    await rm(eventsTmp, { force: true });
    await rm(tailTmp, { force: true });
    throw e;
  } finally {
    session.db.pragma(`cache_size = ${cache}`);
  }
  await rename(tmp, out);
  writeTx(session.db, () =>
    appendAudit(session.db, 'bundle-export', {
      path: out,
      files: files.map((f) => ({ name: f.name, sha256: f.sha256 })),
      filter: o.filter,
      // As the manifest states it: the audit log travels in later bundles' manifests.
      ...(comparisonRecord ? { comparison: comparisonRecord.request } : {}),
      fingerprint: key.fingerprint,
    }),
  );
  return { path: out, files, fingerprint: key.fingerprint, events };
}

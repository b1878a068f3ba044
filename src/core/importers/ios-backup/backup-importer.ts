// The iPhone backup container: a Finder or iTunes backup folder. Its parse reads the root plists
// (the phone and its apps), opens the index (decrypting it with the password, or with the keys
// unlocked by an earlier import of the same backup), and hands each artifact file it finds to
// that artifact's importer as a member. It never touches the case.
import { basename, join } from 'node:path';
import { isIanaTimeZone } from '../../../contract/time';
import type { ImportWarning } from '../../../contract/warnings';
import type { ClassKeys } from '../../formats/ios-backup-crypto';
import { AppError } from '../../model/errors';
import type { DeviceRecord, ImportRecord } from '../../model/import-records';
import type {
  Importer,
  ImporterManifest,
  ParseContext,
  ParseItem,
  SniffProbe,
  SniffResult,
  SourceInput,
} from '../importer';
import type { ArtifactHints } from './artifact-importers';
import { ARTIFACTS, artifactFailure, artifactRows, lookupWal } from './artifact-read';
import { BackupFiles, type BackupFile } from './backup-files';
import { collectApps, openIndex, type OpenedIndex } from './backup-index';
import { readBackupInfo, readRootPlists, type BackupInfo } from './discover';
import { classKeysCacheKey } from './key-cache';
import { appsFromDomains, ManifestError, timeZoneFromManifest } from './manifest';
import { marketingName } from './product-types';

export const iosBackupManifest: ImporterManifest = {
  id: 'ios-backup',
  name: 'iPhone backup (Finder or iTunes)',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'A Finder or iTunes backup folder of iOS 10 or later, plain or encrypted (with its password): ' +
    'Info.plist, Manifest.plist and Status.plist for the phone and its apps, and Manifest.db to find ' +
    'the artifact files, each read by its own importer. Backups made by iOS 9 or earlier ' +
    '(Manifest.mbdb) are recognised and refused.',
  proves: [
    'The phone the backup was made from (UDID, model, iOS version, serial number, IMEI, phone number), as its root plists record it.',
    'The apps the backup lists as installed, with the names and versions of their App Store metadata.',
  ],
  doesNotProve: [
    'That an app was used: being installed says nothing of when or how it ran.',
    'Anything the backup leaves out: a backup holds what iOS chose to back up, not the whole phone.',
    'That the time zone the phone recorded at backup time was in force when each artifact was written.',
  ],
};

/** The note of a backup whose times cannot be placed: it records no zone and none was given. */
export const NO_ZONE_NOTE =
  'The backup does not record the time zone; give it (the time-zone field of the import, or --timezone IANA on the command line) to place its times.';

const INDEX_NAMES = ['Manifest.db', 'Manifest.mbdb'];
const PLIST_NAMES = ['Info.plist', 'Manifest.plist', 'Status.plist'];

/** Recognises a backup folder by its listing: the index and the root plists. */
function sniffBackup(probe: SniffProbe): SniffResult {
  if (probe.kind !== 'folder')
    return { confidence: 0, reason: 'a file; an iPhone backup is a folder' };
  const names = new Set(probe.entries);
  const plists = PLIST_NAMES.filter((n) => names.has(n));
  const with_ = plists.length > 0 ? ` with ${plists.join(', ')}` : '';
  if (names.has('Manifest.db'))
    return {
      confidence: plists.length > 0 ? 0.95 : 0.8,
      reason: `a folder holding a backup index (Manifest.db)${with_}`,
    };
  if (names.has('Manifest.mbdb'))
    return {
      confidence: 0.9,
      reason: `a backup made by iOS 9 or earlier (Manifest.mbdb)${with_}; such backups are recognised but not imported`,
    };
  if (names.has('Manifest.plist') || names.has('Info.plist'))
    return {
      confidence: 0.6,
      reason: `a folder${with_} but no backup index (Manifest.db)`,
    };
  return {
    confidence: 0,
    reason: `no ${[...INDEX_NAMES, ...PLIST_NAMES].join(', ')} in the folder`,
  };
}

function note(message: string): ImportRecord {
  const warning: ImportWarning = { line: null, locator: 'backup', code: 'BACKUP_NOTE', message };
  return { type: 'warning', warning };
}

const cancelled = (): AppError => new AppError('CANCELLED', 'Cancelled; nothing was imported.');

// Each member is stored in its own transaction: a cancel between members keeps those stored.
const cancelledAfterMembers = (): AppError =>
  new AppError(
    'CANCELLED',
    'Cancelled; the phone, its apps and the artifacts read before the cancel were kept, and the rest of the backup was not read.',
  );

/** A member whose bytes are already in memory. */
function memberSource(
  path: string,
  name: string,
  size: number,
  locator: string,
  sha256: string | null,
  bytes: Uint8Array,
): SourceInput {
  return {
    kind: 'file',
    path,
    name,
    size,
    locator,
    sha256,
    async *chunks() {
      if (bytes.length > 0) yield bytes;
    },
  };
}

/** A member the container could not read: its importer refuses it with the container's message. */
function refusedMember(
  importer: string,
  path: string,
  locator: string,
  message: string,
  hints: Record<string, unknown> = {},
): ParseItem {
  return {
    type: 'member',
    importer,
    source: memberSource(path, basename(path), 0, locator, null, new Uint8Array()),
    hints: { ...hints, refusal: message },
  };
}

/** The member of one artifact file read from the backup, with what its parse needs. */
function artifactMember(
  importer: string,
  artifact: string,
  file: BackupFile,
  wal: { file: BackupFile | null; problem: string | null },
  sqlite: boolean,
  timeZone: string | null,
  clockSource: ArtifactHints['clockSource'],
): ParseItem {
  const locator = `${file.domain} ${file.relativePath}`;
  const hints: ArtifactHints = {
    artifact,
    domain: file.domain,
    relativePath: file.relativePath,
    fileId: file.fileId,
    encrypted: file.encrypted,
    plainSha256: file.plainSha256,
    linkTarget: file.linkTarget,
    wal: wal.file?.bytes ?? null,
    walProblem: wal.problem,
    timeZone,
    clockSource,
  };
  return {
    type: 'member',
    importer,
    source: memberSource(
      file.diskPath,
      file.relativePath.split('/').pop() || file.relativePath,
      file.diskSize,
      locator,
      file.sha256,
      file.bytes,
    ),
    hints: { ...hints },
    details: {
      domain: file.domain,
      relativePath: file.relativePath,
      fileId: file.fileId,
      encrypted: file.encrypted,
      plainSha256: file.plainSha256,
      // A -wal is replayed when it holds bytes; a member whose -wal cannot be opened is refused.
      wal: !sqlite ? 'not-sqlite' : wal.file && wal.file.bytes.length > 0 ? 'applied' : 'none',
    },
  };
}

/**
 * The UDID of a backup that can be imported; throws the refusal of one that cannot be at all
 * (made by iOS 9 or earlier, or naming no phone).
 */
export function importableUdid(info: BackupInfo): string {
  if (info.format === 'manifest-mbdb')
    throw new AppError(
      'UNSUPPORTED',
      'This backup was made by iOS 9 or earlier (Manifest.mbdb index); such backups are recognised but not imported.',
    );
  if (!info.udid)
    throw new AppError(
      'IMPORT_REFUSED',
      `${info.path} does not name its phone (no UDID in Info.plist or Manifest.plist).`,
    );
  return info.udid;
}

/**
 * Parses a backup folder: the phone (a `device` record), its apps, the notes, then one member per
 * artifact file. A backup that cannot be imported at all (iOS 9 or earlier, no UDID, an unknown
 * zone given, a missing or wrong password, a cancel) throws the AppError that says why; an index
 * that cannot be used still records the phone and its apps, and is refused as a member of its own.
 */
async function* parseBackup(
  source: SourceInput,
  context: ParseContext,
): AsyncGenerator<ParseItem[]> {
  if (typeof context.hints.refusal === 'string') {
    yield [{ type: 'refusal', message: context.hints.refusal }];
    return;
  }
  if (source.kind !== 'folder') {
    yield [
      {
        type: 'refusal',
        message: `${source.path} is a file; an iPhone backup is a folder holding Manifest.db, Info.plist and Manifest.plist.`,
      },
    ];
    return;
  }
  const info = await readBackupInfo(source.path);
  const dir = info.path;
  const udid = importableUdid(info);
  const given = context.timeZone;
  if (given !== undefined && !isIanaTimeZone(given)) {
    throw new AppError(
      'INVALID_INPUT',
      `Unknown time zone "${given}"; use an IANA name such as Europe/Zurich.`,
    );
  }
  const problems = [...info.problems];
  const { info: infoPlist, manifest: manifestPlist } = await readRootPlists(dir, []);
  const detail = 'Deriving the backup keys from the password';
  let opened: OpenedIndex | null = null;
  let indexRefusal: string | null = null;
  try {
    opened = await openIndex(dir, info, manifestPlist, {
      password: context.password,
      cached: (keybag) => {
        const keys = context.cache.get(classKeysCacheKey(keybag));
        return keys instanceof Map ? (keys as ClassKeys) : null;
      },
      remember: (keybag, keys) => context.cache.set(classKeysCacheKey(keybag), keys),
      onProgress: (fraction) => context.onProgress(fraction, detail),
      signal: context.signal,
    });
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    // The phone, its apps and the notes are still recorded; the index is refused on its own.
    indexRefusal = e.message;
  }
  try {
    let timeZone: string | null = given ?? null;
    let domains: string[] = [];
    if (opened) {
      problems.push(...opened.index.problems);
      try {
        timeZone ??= timeZoneFromManifest(opened.index, problems);
        domains = appsFromDomains(opened.index);
      } catch (e) {
        problems.push(
          `Manifest.db could not be searched for the time zone and the app domains (${(e as Error).message}).`,
        );
      }
    }
    if (context.signal.aborted) throw cancelled();
    if (!timeZone) problems.push(NO_ZONE_NOTE);
    const clockSource = given !== undefined ? 'examiner' : 'device';
    const apps = collectApps(infoPlist, manifestPlist, domains);
    const device: DeviceRecord = {
      type: 'device',
      platform: 'ios',
      identity: { column: 'udid', value: udid },
      defaultLabel: info.deviceName ?? `iPhone ${udid.slice(-4)}`,
      // The phone's name is its default label: the case has no device_name column to record it in.
      facts: {
        model: marketingName(info.productType),
        product_type: info.productType,
        os_version: info.iosVersion,
        build_version: info.buildVersion,
        serial: info.serial,
        imei: info.imei,
        phone_number: info.phoneNumber,
        time_zone: timeZone,
      },
    };
    yield [
      device,
      {
        type: 'clock',
        clock: { zone: timeZone, offsets: [], source: clockSource },
        capturedAtMs: info.lastBackup?.getTime() ?? null,
        details: {
          udid,
          productType: info.productType,
          iosVersion: info.iosVersion,
          lastBackup: info.lastBackup?.toISOString() ?? null,
          encrypted: info.encrypted,
          timeZone,
          apps: apps.size,
        },
      },
      ...[...apps].map(([identifier, facts]): ImportRecord => ({
        type: 'app',
        identifier,
        name: facts.name,
        version: facts.version,
        installed: true,
      })),
      ...problems.map(note),
    ];
    if (indexRefusal !== null) {
      yield [
        refusedMember(
          iosBackupManifest.id,
          join(dir, 'Manifest.db'),
          'Manifest.db',
          `${indexRefusal} No artifact of the backup was read; the phone and its apps were recorded from Info.plist and Manifest.plist.`,
        ),
      ];
    }
    if (!opened) return;
    const files = new BackupFiles(dir, opened.index, opened.classKeys);
    for (const spec of ARTIFACTS) {
      if (context.signal.aborted) throw cancelledAfterMembers();
      const { rows, note: missing } = artifactRows(files, spec);
      if (missing !== null) yield [note(missing)];
      for (const row of rows) {
        if (context.signal.aborted) throw cancelledAfterMembers();
        const where = `${row.domain} ${row.relativePath}`;
        let member: ParseItem;
        try {
          const file = await files.read(row);
          const wal = spec.sqlite ? await lookupWal(files, file) : { file: null, problem: null };
          member = artifactMember(
            spec.manifest.id,
            spec.key,
            file,
            wal,
            spec.sqlite,
            timeZone,
            clockSource,
          );
        } catch (e) {
          member = refusedMember(
            spec.manifest.id,
            join(dir, row.fileId.slice(0, 2), row.fileId),
            where,
            artifactFailure(where, e),
            { domain: row.domain, relativePath: row.relativePath, fileId: row.fileId },
          );
        }
        // One member per batch: its bytes can go once it is stored, before the next is read.
        yield [member];
      }
    }
  } finally {
    opened?.index.close();
  }
}

export const iosBackupImporter: Importer = {
  manifest: iosBackupManifest,
  accepts: {
    input: 'folder',
    extensions: [],
    looksFor: 'an iPhone backup folder (Manifest.db, Info.plist, Manifest.plist)',
  },
  sniff: sniffBackup,
  parse: parseBackup,
};

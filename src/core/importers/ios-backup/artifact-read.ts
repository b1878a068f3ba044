import Database from 'better-sqlite3';
import { parsePlist, type PlistValue } from '../../formats/plist';
import type {
  NetworkUsageRecord,
  PermissionRecord,
  ProfileRecord,
} from '../../model/import-records';
import type { ImporterManifest } from '../importer';
import { readAddaily, osanalyticsAddailyManifest } from './artifacts/osanalytics-addaily';
import { dataUsageManifest, readDataUsage } from './artifacts/data-usage';
import { locationClientsManifest, readLocationClients } from './artifacts/location-clients';
import { profilesManifest, readProfile, readProfileEvents } from './artifacts/profiles';
import { readTccDb, tccManifest } from './artifacts/tcc';
import {
  BackupFileError,
  SqliteArtifactError,
  openSqliteArtifact,
  type BackupFile,
  type BackupFiles,
} from './backup-files';
import type { ManifestRow } from './manifest';

/**
 * The records an artifact yields, as read: times are instants not placed in a zone yet (the
 * backup's zone is applied when the records are yielded).
 */
export type PermissionRow = Omit<PermissionRecord, 'type' | 'origin' | 'time'> & {
  origin: 'tcc' | 'location-clients';
  timeMs: number | null;
};

export type UsageRow = Omit<NetworkUsageRecord, 'type' | 'first' | 'last'> & {
  firstMs: number | null;
  lastMs: number | null;
};

export type ProfileRow = Omit<ProfileRecord, 'type' | 'time'> & { timeMs: number | null };

/** One artifact file read from a backup: its records, and what could not be read. */
export interface ArtifactRead {
  manifest: ImporterManifest;
  file: BackupFile;
  permissions: PermissionRow[];
  usage: UsageRow[];
  profiles: ProfileRow[];
  problems: string[];
  /** How the artifact's write-ahead log was handled (SQLite artifacts). */
  wal: 'applied' | 'none' | 'not-sqlite';
}

/** A value of a parsed row as JSON can hold it (binary as hex, big integers as text). */
export function jsonSafe(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

const PROFILE_DOMAIN = 'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles';

/** The `-wal` a backup holds beside a SQLite artifact: read, absent, or unreadable (a problem). */
export interface WalLookup {
  file: BackupFile | null;
  /** Why the `-wal` listed in the index could not be read, or null. */
  problem: string | null;
}

/** What reading one artifact file gives, before it is tied to its manifest and file. */
export type ParsedArtifact = Omit<ArtifactRead, 'manifest' | 'file'>;

/** One artifact the importers know: where a backup keeps it, and how its bytes are read. */
export interface ArtifactSpec {
  manifest: ImporterManifest;
  /** Names the spec among those of one manifest (a container hands it to the member's parse). */
  key: string;
  /** A short name for progress and notes. */
  name: string;
  domain: string;
  /** One path, or a prefix when `many`. */
  path: string;
  many?: boolean;
  /** Whether the artifact is a SQLite database (its `-wal` is read beside it). */
  sqlite: boolean;
  read(file: BackupFile, wal: WalLookup, tempRoot: string): Promise<ParsedArtifact>;
}

function empty(): Pick<ArtifactRead, 'permissions' | 'usage' | 'profiles' | 'problems'> {
  return { permissions: [], usage: [], profiles: [], problems: [] };
}

function plistOf(file: BackupFile): PlistValue {
  return parsePlist(file.bytes);
}

/** Opens a SQLite artifact with the `-wal` the backup may hold beside it. */
async function withSqlite<T>(
  file: BackupFile,
  wal: WalLookup,
  tempRoot: string,
  fn: (db: Database.Database) => T,
): Promise<{ value: T; wal: 'applied' | 'none'; problems: string[] }> {
  const problems: string[] = wal.problem === null ? [] : [wal.problem];
  const opened = await openSqliteArtifact(file, wal.file, tempRoot);
  problems.push(...opened.problems);
  try {
    if (opened.wal === 'applied')
      problems.push(
        `The backup holds ${file.relativePath}-wal; its changes were applied (in a private temporary copy).`,
      );
    return { value: fn(opened.db), wal: opened.wal, problems };
  } finally {
    await opened.close();
  }
}

/** Every artifact the importers read from a backup, in the order they are read. */
export const ARTIFACTS: readonly ArtifactSpec[] = [
  {
    manifest: tccManifest,
    key: 'tcc',
    name: 'TCC.db (permissions)',
    domain: 'HomeDomain',
    path: 'Library/TCC/TCC.db',
    sqlite: true,
    async read(file, wal, tempRoot) {
      const { value, problems, ...opened } = await withSqlite(file, wal, tempRoot, readTccDb);
      return {
        ...empty(),
        wal: opened.wal,
        problems: [...problems, ...value.problems],
        permissions: value.records.map((r) => ({
          app: r.client,
          origin: 'tcc',
          raw: r.service,
          category: r.category,
          status: r.status,
          reason: r.reason,
          timeMs: r.lastModifiedMs,
          locator: `access rowid ${r.rowid}`,
          rawFields: jsonSafe({
            service: r.service,
            client: r.client,
            client_type: r.clientTypeCode,
            auth_value: r.statusCode,
            auth_reason: r.reasonCode,
            last_modified: r.lastModifiedMs === null ? null : r.lastModifiedMs / 1000,
            ...r.extra,
          }) as Record<string, unknown>,
        })),
      };
    },
  },
  {
    manifest: dataUsageManifest,
    key: 'data-usage',
    name: 'DataUsage.sqlite (network usage)',
    domain: 'WirelessDomain',
    path: 'Library/Databases/DataUsage.sqlite',
    sqlite: true,
    async read(file, wal, tempRoot) {
      const { value, problems, ...opened } = await withSqlite(file, wal, tempRoot, readDataUsage);
      return {
        ...empty(),
        wal: opened.wal,
        problems: [...problems, ...value.problems],
        usage: value.records.map((r) => ({
          app: r.bundleId,
          origin: 'data-usage',
          process: r.process ?? r.executable ?? '(unnamed process)',
          wifiIn: r.wifiIn,
          wifiOut: r.wifiOut,
          cellIn: r.cellIn,
          cellOut: r.cellOut,
          firstMs: r.firstSeenMs,
          lastMs: r.lastSeenMs,
          locator: r.locator,
          rawFields: jsonSafe(r) as Record<string, unknown>,
        })),
      };
    },
  },
  {
    manifest: locationClientsManifest,
    key: 'location-clients',
    name: 'clients.plist (location clients)',
    domain: 'RootDomain',
    path: 'Library/Caches/locationd/clients.plist',
    sqlite: false,
    async read(file) {
      const { records, problems } = readLocationClients(plistOf(file));
      return {
        ...empty(),
        wal: 'not-sqlite',
        problems,
        permissions: records.map((r) => {
          const last = r.lastUse.reduce<number | null>(
            (m, u) => (m === null || u.ms > m ? u.ms : m),
            null,
          );
          return {
            app: r.bundleId ?? r.client,
            origin: 'location-clients',
            raw: 'locationd',
            category: 'location',
            // locationd's Authorization numbers have no documented meaning: kept raw, status unknown.
            status: 'unknown',
            reason: r.authorization === null ? null : `Authorization ${r.authorization}`,
            timeMs: last,
            locator: r.locator,
            rawFields: jsonSafe(r) as Record<string, unknown>,
          };
        }),
      };
    },
  },
  {
    manifest: osanalyticsAddailyManifest,
    key: 'addaily',
    name: 'addaily (daily network baseline)',
    domain: 'HomeDomain',
    path: 'Library/Preferences/com.apple.osanalytics.addaily.plist',
    sqlite: false,
    async read(file) {
      const { records, problems } = readAddaily(plistOf(file));
      return {
        ...empty(),
        wal: 'not-sqlite',
        problems,
        usage: records.map((r) => ({
          app: null,
          origin: 'addaily',
          process: r.process,
          wifiIn: r.wifiIn,
          wifiOut: r.wifiOut,
          cellIn: r.cellIn,
          cellOut: r.cellOut,
          firstMs: r.dateMs,
          lastMs: r.dateMs,
          locator: r.locator,
          rawFields: jsonSafe(r) as Record<string, unknown>,
        })),
      };
    },
  },
  {
    manifest: profilesManifest,
    key: 'profile-events',
    name: 'MCProfileEvents.plist (profile events)',
    domain: PROFILE_DOMAIN,
    path: 'Library/ConfigurationProfiles/MCProfileEvents.plist',
    sqlite: false,
    async read(file) {
      const { events, problems } = readProfileEvents(plistOf(file));
      return {
        ...empty(),
        wal: 'not-sqlite',
        problems,
        profiles: events.map((e) => ({
          identifier: e.identifier,
          displayName: null,
          organization: null,
          operation: e.operation,
          process: e.process,
          payloadTypes: [],
          mdm: false,
          vpn: false,
          rootCertificate: false,
          timeMs: e.timestampMs,
          locator: e.locator,
          rawFields: jsonSafe(e) as Record<string, unknown>,
        })),
      };
    },
  },
  {
    manifest: profilesManifest,
    key: 'profiles',
    name: 'configuration profiles',
    domain: PROFILE_DOMAIN,
    path: 'Library/ConfigurationProfiles/profile-',
    many: true,
    sqlite: false,
    async read(file) {
      const { profile, problems } = readProfile(plistOf(file));
      const name = file.relativePath.split('/').pop() ?? file.relativePath;
      return {
        ...empty(),
        wal: 'not-sqlite',
        problems,
        profiles: profile
          ? [
              {
                identifier: profile.identifier ?? profile.uuid ?? name,
                displayName: profile.displayName,
                organization: profile.organization,
                operation: 'installed',
                process: null,
                payloadTypes: profile.payloadTypes,
                mdm: profile.flags.mdm,
                vpn: profile.flags.vpn,
                rootCertificate: profile.flags.rootCertificate,
                timeMs: profile.installedMs,
                locator: name,
                rawFields: jsonSafe(profile) as Record<string, unknown>,
              },
            ]
          : [],
      };
    },
  },
];

/** The importers of backup artifacts, for listings (each states what its records prove). */
export const ARTIFACT_MANIFESTS: readonly ImporterManifest[] = [
  ...new Set(ARTIFACTS.map((a) => a.manifest)),
];

/** The message of an artifact that could not be read or parsed, naming the file and the reason. */
export function artifactFailure(where: string, e: unknown): string {
  if (e instanceof BackupFileError || e instanceof SqliteArtifactError) return e.message;
  if (e instanceof Database.SqliteError)
    return `${where} cannot be read as a SQLite database (${e.message}).`;
  return `${where} cannot be read: ${e instanceof Error ? e.message : String(e)}`;
}

/** The note of a file reached through a link that stays inside the backup folder. */
export function linkNote(where: string, linkTarget: string): string {
  return `${where} is stored as a symbolic link to ${linkTarget} inside the backup folder; the link's target was read.`;
}

/** The `-wal` the index lists beside a SQLite artifact (read and decrypted), or why it is not read. */
export async function lookupWal(files: BackupFiles, file: BackupFile): Promise<WalLookup> {
  try {
    return { file: await files.readPath(file.domain, `${file.relativePath}-wal`), problem: null };
  } catch (e) {
    if (!(e instanceof BackupFileError)) throw e;
    return {
      file: null,
      problem: `${e.message} Changes it may hold that were not checkpointed into the database are not read.`,
    };
  }
}

/** The index rows of one artifact, or the note saying why none is read. */
export function artifactRows(
  files: BackupFiles,
  spec: ArtifactSpec,
): { rows: ManifestRow[]; note: string | null } {
  let rows: ManifestRow[];
  try {
    rows = spec.many
      ? files.list(spec.domain, spec.path)
      : [files.row(spec.domain, spec.path)].filter((r): r is ManifestRow => r !== null);
  } catch (e) {
    // The index itself failed while being searched: this artifact cannot be found.
    return {
      rows: [],
      note: `${spec.name}: Manifest.db could not be searched for ${spec.domain} ${spec.path} (${(e as Error).message}); nothing was read.`,
    };
  }
  if (rows.length === 0 && !spec.many)
    return {
      rows,
      note: `${spec.name}: not in this backup (${spec.domain} ${spec.path}); nothing to read.`,
    };
  return { rows, note: null };
}

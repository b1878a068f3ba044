import Database from 'better-sqlite3';
import { CORE_DATA_EPOCH_MS } from '../importers/ios-backup/artifacts/core-data-time';
import { writeBinaryPlist, writeXmlPlist } from '../formats/plist/writer';
import type { PlistValue } from '../formats/plist/types';
import { writeSyntheticBackup, type BackupFile } from './ios-backup-fixture';

// A generated backup with one of each artifact the importers read, shaped like the schemas in
// reference ios-backup.md §10. Tests, end-to-end specs and the benchmark share it.

export const DEMO_UDID = '00008110-000A1B2C3D4E5F60';
export const DEMO_ZONE = 'Europe/Zurich';

/** 2024-05-10 22:15:00 UTC (00:15 in Zurich): WeChat's Photos grant last changed. */
export const DEMO_PHOTOS_GRANT_MS = Date.UTC(2024, 4, 10, 22, 15);

const unix = (ms: number): number => Math.floor(ms / 1000);
const coreData = (ms: number): number => (ms - CORE_DATA_EPOCH_MS) / 1000;

/** TCC.db, modern schema. */
export function demoTccDb(
  rows: Array<[service: string, client: string, authValue: number, reason: number, ms: number]>,
): Uint8Array {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE access (
    service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL,
    auth_value INTEGER NOT NULL, auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL,
    csreq BLOB, policy_id INTEGER, indirect_object_identifier_type INTEGER,
    indirect_object_identifier TEXT NOT NULL DEFAULT 'UNUSED', indirect_object_code_identity BLOB,
    flags INTEGER, last_modified INTEGER NOT NULL,
    PRIMARY KEY (service, client, client_type, indirect_object_identifier))`);
  const ins = db.prepare(
    'INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES (?, ?, 0, ?, ?, 1, ?)',
  );
  for (const [service, client, value, reason, ms] of rows)
    ins.run(service, client, value, reason, unix(ms));
  const bytes = db.serialize();
  db.close();
  return bytes;
}

/** DataUsage.sqlite (Core Data): processes and their live usage rows. */
export function demoDataUsageDb(
  processes: Array<{
    procName: string;
    bundle: string | null;
    firstMs: number;
    usage: Array<{ ms: number; wifiIn: number; wifiOut: number; cellIn: number; cellOut: number }>;
  }>,
): Uint8Array {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP,
      ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
    CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER,
      ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT);`);
  const p = db.prepare(
    'INSERT INTO ZPROCESS (ZFIRSTTIMESTAMP, ZTIMESTAMP, ZBUNDLENAME, ZPROCNAME) VALUES (?, ?, ?, ?)',
  );
  const u = db.prepare(
    'INSERT INTO ZLIVEUSAGE (ZKIND, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT) VALUES (0, ?, ?, ?, ?, ?, ?)',
  );
  for (const proc of processes) {
    const last = Math.max(proc.firstMs, ...proc.usage.map((x) => x.ms));
    const pk = p.run(
      coreData(proc.firstMs),
      coreData(last),
      proc.bundle,
      proc.procName,
    ).lastInsertRowid;
    for (const x of proc.usage) u.run(pk, coreData(x.ms), x.wifiIn, x.wifiOut, x.cellIn, x.cellOut);
  }
  const bytes = db.serialize();
  db.close();
  return bytes;
}

export interface DemoBackupOptions {
  udid?: string;
  deviceName?: string;
  password?: string;
  /** Leaves out these artifacts (by relative path suffix, e.g. `TCC.db`). */
  omit?: string[];
  /** Extra processes in DataUsage.sqlite (for larger generated backups). */
  extraProcesses?: number;
  /** Extra Manifest.db rows without payload (AppDomain directory rows), for index-size tests. */
  extraDomains?: number;
  /** Extra directory rows in Manifest.db, to size the index like a real backup. */
  fillerRows?: number;
}

/** The artifact files of the demo backup. */
export function demoBackupFiles(o: DemoBackupOptions = {}): BackupFile[] {
  const day = Date.UTC(2024, 4, 10);
  const tcc = demoTccDb([
    ['kTCCServicePhotos', 'com.tencent.xin', 2, 2, DEMO_PHOTOS_GRANT_MS],
    ['kTCCServiceCamera', 'com.tencent.xin', 0, 2, day + 9 * 3_600_000],
    ['kTCCServiceMicrophone', 'com.tencent.xin', 2, 2, day + 9 * 3_600_000 + 60_000],
    ['kTCCServicePhotos', 'com.example.notes', 3, 3, day + 14 * 3_600_000],
  ]);
  const processes: Parameters<typeof demoDataUsageDb>[0] = [
    {
      procName: '1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.tencent.xin',
      bundle: 'com.tencent.xin',
      firstMs: day - 30 * 86_400_000,
      usage: [
        {
          ms: day + 23 * 3_600_000,
          wifiIn: 52_428_800,
          wifiOut: 3_145_728,
          cellIn: 1_048_576,
          cellOut: 65_536,
        },
      ],
    },
    {
      procName: 'mDNSResponder',
      bundle: null,
      firstMs: day - 60 * 86_400_000,
      usage: [
        { ms: day + 12 * 3_600_000, wifiIn: 204_800, wifiOut: 102_400, cellIn: 0, cellOut: 0 },
      ],
    },
  ];
  for (let i = 0; i < (o.extraProcesses ?? 0); i += 1) {
    processes.push({
      procName: `proc${i}`,
      bundle: `com.example.gen${i}`,
      firstMs: day - i * 60_000,
      usage: [{ ms: day + i * 1000, wifiIn: i * 10, wifiOut: i, cellIn: 0, cellOut: 0 }],
    });
  }
  const clients: { [k: string]: PlistValue } = {
    'com.tencent.xin': {
      BundleId: 'com.tencent.xin',
      Authorization: 2,
      Registered: '/var/containers/Bundle/Application/ABC/WeChat.app',
      LocationTimeStopped: coreData(day + 21 * 3_600_000),
      BackgroundLocationTimeStopped: coreData(day + 2 * 3_600_000),
    },
  };
  const addaily = {
    netUsageBaseline: {
      WeChat: [new Date(day), 73_400_320, 4_194_304, 2_097_152, 131_072],
    },
  };
  const profile = {
    PayloadType: 'Configuration',
    PayloadIdentifier: 'com.acme.mdm.enrollment',
    PayloadDisplayName: 'Acme Device Management',
    PayloadOrganization: 'Acme Corp',
    PayloadUUID: '6F1C1A52-0D4B-4F0B-9E43-61E1B3E2C9A0',
    InstallDate: new Date(day - 5 * 86_400_000),
    PayloadContent: [
      { PayloadType: 'com.apple.mdm', PayloadIdentifier: 'com.acme.mdm' },
      { PayloadType: 'com.apple.security.root', PayloadIdentifier: 'com.acme.root' },
    ],
  };
  const events = {
    ProfileEvents: [
      {
        'com.acme.mdm.enrollment': {
          timestamp: new Date(day - 5 * 86_400_000),
          operation: 'install',
          process: 'profiled',
        },
      },
    ],
  };
  const profiles = 'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles';
  const files: BackupFile[] = [
    { domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: tcc },
    {
      domain: 'WirelessDomain',
      relativePath: 'Library/Databases/DataUsage.sqlite',
      data: demoDataUsageDb(processes),
    },
    {
      domain: 'RootDomain',
      relativePath: 'Library/Caches/locationd/clients.plist',
      data: writeBinaryPlist(clients),
    },
    {
      domain: 'HomeDomain',
      relativePath: 'Library/Preferences/com.apple.osanalytics.addaily.plist',
      data: writeBinaryPlist(addaily),
    },
    {
      domain: profiles,
      relativePath: 'Library/ConfigurationProfiles/profile-6f1c1a52.stub',
      data: new TextEncoder().encode(writeXmlPlist(profile)),
    },
    {
      domain: profiles,
      relativePath: 'Library/ConfigurationProfiles/MCProfileEvents.plist',
      data: writeBinaryPlist(events),
    },
  ];
  return files.filter((f) => !(o.omit ?? []).some((s) => f.relativePath.endsWith(s)));
}

/**
 * Writes "Ana's iPhone" (iPhone 13, iOS 17.5.1, Europe/Zurich) with WeChat and a notes app, whose
 * artifacts hold: TCC (WeChat Photos granted, Camera denied, Microphone granted; notes Photos
 * limited), DataUsage (WeChat and mDNSResponder), a location client (WeChat), an addaily baseline
 * (WeChat) and one MDM profile with its install event.
 */
export function writeDemoBackup(dir: string, o: DemoBackupOptions = {}): void {
  writeSyntheticBackup(dir, {
    udid: o.udid ?? DEMO_UDID,
    deviceName: o.deviceName ?? "Ana's iPhone",
    productType: 'iPhone14,5',
    iosVersion: '17.5.1',
    timeZone: DEMO_ZONE,
    password: o.password,
    storeApps: {
      'com.tencent.xin': { name: 'WeChat', version: '8.0.49' },
      'com.example.notes': { name: 'Notes Plus', version: '2.1' },
    },
    domainApps: Array.from({ length: o.extraDomains ?? 0 }, (_, i) => `com.example.gen${i}`),
    files: demoBackupFiles(o),
    fillerRows: o.fillerRows,
  });
}

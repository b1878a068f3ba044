import type {
  NetworkUsageItem,
  PermissionItem,
  ProfileItem,
  RecordDetails,
  TimelineMark,
} from '../../contract/api';
import { toCategory } from '../../contract/categories';
import type { Filter } from '../../contract/filter';
import type { PermissionStatus } from '../../contract/records';
import { tccServiceLabel } from '../../contract/tcc-services';
import type { Db } from '../db/open';
import { androidManifest } from '../importers/android/manifest';
import { ARTIFACT_MANIFESTS } from '../importers/ios-backup/artifact-read';
import { AppError } from '../model/errors';
import { recordWhere, whereSql, type SqlParam } from './filter-sql';
import { storedJson, storedStrings } from '../model/json';

// Queries over records read from backup artifacts: permission states, per-process network usage
// and configuration profiles. Ids are `p:<rowid>`, `u:<rowid>` and `m:<rowid>`.

export const PERMISSION_SQL = (where: string): string => `
SELECT r.id, r.device_id AS deviceId, d.label AS device, a.identifier AS app, a.display_name AS appName,
       r.origin, r.raw, r.category, r.status, r.reason, r.time_ms AS timeMs, r.time_offset AS offsetMin,
       r.source_id AS sourceId, r.locator, src.sha256, src.locator AS sourceLocator
FROM permission_records r JOIN devices d ON d.id = r.device_id JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${where}
ORDER BY d.label, a.identifier, r.raw, r.id`;

export const USAGE_SQL = (where: string): string => `
SELECT r.id, r.device_id AS deviceId, d.label AS device, a.identifier AS app, a.display_name AS appName,
       r.origin, r.process, r.wifi_in AS wifiIn, r.wifi_out AS wifiOut, r.cell_in AS cellIn,
       r.cell_out AS cellOut, r.first_ms AS firstMs, r.last_ms AS lastMs, r.time_offset AS offsetMin,
       r.source_id AS sourceId, r.locator, src.sha256, src.locator AS sourceLocator
FROM network_usage_records r JOIN devices d ON d.id = r.device_id LEFT JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${where}
ORDER BY d.label, COALESCE(r.last_ms, r.first_ms), r.id`;

export const PROFILE_SQL = (where: string): string => `
SELECT r.id, r.device_id AS deviceId, d.label AS device, r.identifier, r.display_name AS displayName,
       r.organization, r.operation, r.process, r.payload_types AS payloadTypes, r.mdm, r.vpn,
       r.root_certificate AS rootCertificate, r.time_ms AS timeMs, r.time_offset AS offsetMin,
       r.source_id AS sourceId, r.locator, src.sha256, src.locator AS sourceLocator
FROM profile_records r JOIN devices d ON d.id = r.device_id JOIN sources src ON src.id = r.source_id
${where}
ORDER BY d.label, COALESCE(r.time_ms, 0), r.id`;

type WithSource<T> = T & { sha256: string; sourceLocator: string | null };

export type PermissionRowOut = WithSource<
  Omit<PermissionItem, 'id' | 'label' | 'category'> & { id: number; category: string }
>;
export type UsageRowOut = WithSource<Omit<NetworkUsageItem, 'id'> & { id: number }>;
export type ProfileRowOut = WithSource<
  Omit<ProfileItem, 'id' | 'payloadTypes' | 'mdm' | 'vpn' | 'rootCertificate'> & {
    id: number;
    payloadTypes: string;
    mdm: number;
    vpn: number;
    rootCertificate: number;
  }
>;

/** Where-clauses of the three record kinds for a filter. */
export function permissionFilter(filter: Filter): { where: string; params: SqlParam[] } {
  const w = recordWhere(filter, 'r.time_ms', { apps: true, categories: true, kind: 'permission' });
  return { where: whereSql(w), params: w.params };
}

export function usageFilter(filter: Filter): { where: string; params: SqlParam[] } {
  const w = recordWhere(filter, 'COALESCE(r.last_ms, r.first_ms)', {
    kind: 'network-usage',
    apps: true,
    categories: false,
  });
  return { where: whereSql(w), params: w.params };
}

export function profileFilter(filter: Filter): { where: string; params: SqlParam[] } {
  const w = recordWhere(filter, 'r.time_ms', { apps: false, categories: false, kind: 'profile' });
  return { where: whereSql(w), params: w.params };
}

export function toPermissionItem(r: PermissionRowOut): PermissionItem {
  const { sha256: _s, sourceLocator: _l, ...rest } = r;
  return {
    ...rest,
    id: `p:${r.id}`,
    category: toCategory(r.category),
    status: r.status,
    label:
      r.origin === 'tcc'
        ? tccServiceLabel(r.raw)
        : r.origin === 'location-clients'
          ? 'Location (locationd)'
          : r.raw.replace(/^android\.permission\./, ''),
  };
}

export function toUsageItem(r: UsageRowOut): NetworkUsageItem {
  const { sha256: _s, sourceLocator: _l, ...rest } = r;
  return { ...rest, id: `u:${r.id}` };
}

export function toProfileItem(r: ProfileRowOut): ProfileItem {
  const { sha256: _s, sourceLocator: _l, ...rest } = r;
  return {
    ...rest,
    id: `m:${r.id}`,
    payloadTypes: storedStrings(r.payloadTypes, () => `The payload types of profile m:${r.id}`),
    mdm: r.mdm === 1,
    vpn: r.vpn === 1,
    rootCertificate: r.rootCertificate === 1,
  };
}

/** Permission, network-usage and profile records of a case. */
export class RecordQueries {
  constructor(private readonly db: Db) {}

  permissions(filter: Filter): PermissionItem[] {
    const { where, params } = permissionFilter(filter);
    return (this.db.prepare(PERMISSION_SQL(where)).all(...params) as PermissionRowOut[]).map(
      toPermissionItem,
    );
  }

  networkUsage(filter: Filter): NetworkUsageItem[] {
    const { where, params } = usageFilter(filter);
    return (this.db.prepare(USAGE_SQL(where)).all(...params) as UsageRowOut[]).map(toUsageItem);
  }

  profiles(filter: Filter): ProfileItem[] {
    const { where, params } = profileFilter(filter);
    return (this.db.prepare(PROFILE_SQL(where)).all(...params) as ProfileRowOut[]).map(
      toProfileItem,
    );
  }

  /** Earliest and latest dated permission record of the devices (for the timeline's extent). */
  extent(devices?: number[]): { fromMs: number; toMs: number } | null {
    const dev =
      devices && devices.length > 0 ? `AND device_id IN (${devices.map(() => '?').join(',')})` : '';
    const r = this.db
      .prepare(
        `SELECT MIN(time_ms) AS a, MAX(time_ms) AS b FROM permission_records WHERE time_ms IS NOT NULL ${dev}`,
      )
      .get(...(devices ?? [])) as { a: number | null; b: number | null };
    return r.a === null || r.b === null ? null : { fromMs: r.a, toMs: r.b };
  }

  /**
   * Dated permission records in a time range as timeline marks, and the lanes (device:app keys)
   * they fall on; `laneSearch` narrows apps as it does for sessions.
   */
  marks(
    filter: Filter,
    range: { fromMs: number; toMs: number },
    laneSearch: { sql: string[]; params: SqlParam[] },
  ): {
    marks: TimelineMark[];
    lanes: { key: string; deviceId: number; appId: number; count: number }[];
  } {
    const w = recordWhere(filter, 'r.time_ms', {
      apps: true,
      categories: true,
      kind: 'permission',
    });
    const where = whereSql(w, [
      'r.time_ms >= ?',
      'r.time_ms < ?',
      ...laneSearch.sql.map((c) => `r.${c}`),
    ]);
    const rows = this.db
      .prepare(
        `SELECT r.id, r.device_id AS deviceId, r.app_id AS appId, r.category, r.status, r.time_ms AS atMs,
                COALESCE(r.time_offset, 0) AS offsetMin
         FROM permission_records r ${where} ORDER BY r.time_ms, r.id LIMIT 20000`,
      )
      .all(...w.params, range.fromMs, range.toMs, ...laneSearch.params) as {
      id: number;
      deviceId: number;
      appId: number;
      category: string;
      status: PermissionStatus;
      atMs: number;
      offsetMin: number;
    }[];
    const lanes = new Map<
      string,
      { key: string; deviceId: number; appId: number; count: number }
    >();
    const marks = rows.map((r) => {
      const key = `${r.deviceId}:${r.appId}`;
      const lane = lanes.get(key) ?? { key, deviceId: r.deviceId, appId: r.appId, count: 0 };
      lane.count += 1;
      lanes.set(key, lane);
      return {
        id: `p:${r.id}`,
        lane: key,
        kind: 'permission' as const,
        category: toCategory(r.category),
        status: r.status,
        atMs: r.atMs,
        offsetMin: r.offsetMin,
      };
    });
    return { marks, lanes: [...lanes.values()] };
  }

  /** One record with its source, raw fields and what its importer says it proves. */
  record(id: string): RecordDetails {
    const m = /^([pum]):(\d+)$/.exec(id);
    if (!m) throw new AppError('INVALID_INPUT', `Not a record id: ${id}`);
    const rowid = Number(m[2]);
    const table =
      m[1] === 'p'
        ? 'permission_records'
        : m[1] === 'u'
          ? 'network_usage_records'
          : 'profile_records';
    const one = `WHERE r.id = ?`;
    let fields: Record<string, unknown>;
    let base: { deviceId: number; device: string; sourceId: number; locator: string } | undefined;
    if (m[1] === 'p') {
      const r = this.db.prepare(PERMISSION_SQL(one)).get(rowid) as PermissionRowOut | undefined;
      base = r;
      fields = r ? { ...toPermissionItem(r) } : {};
    } else if (m[1] === 'u') {
      const r = this.db.prepare(USAGE_SQL(one)).get(rowid) as UsageRowOut | undefined;
      base = r;
      fields = r ? { ...toUsageItem(r) } : {};
    } else {
      const r = this.db.prepare(PROFILE_SQL(one)).get(rowid) as ProfileRowOut | undefined;
      base = r;
      fields = r ? { ...toProfileItem(r) } : {};
    }
    if (!base) throw new AppError('NOT_FOUND', `No record ${id} in this case.`);
    const raw = this.db.prepare(`SELECT raw_fields FROM ${table} WHERE id = ?`).get(rowid) as {
      raw_fields: string;
    };
    const src = this.db
      .prepare(
        'SELECT id, file_name AS fileName, sha256, original_path AS path, importer_id AS importer, locator FROM sources WHERE id = ?',
      )
      .get(base.sourceId) as {
      id: number;
      fileName: string;
      sha256: string;
      path: string;
      importer: string;
      locator: string | null;
    };
    const manifest = [...ARTIFACT_MANIFESTS, androidManifest].find((x) => x.id === src.importer);
    return {
      id,
      kind: m[1] === 'p' ? 'permission' : m[1] === 'u' ? 'network-usage' : 'profile',
      deviceId: base.deviceId,
      device: base.device,
      fields,
      raw: storedJson<Record<string, unknown>>(raw.raw_fields, () => `The raw fields of ${id}`),
      locator: `${src.locator ?? src.fileName} › ${base.locator}`,
      source: {
        id: src.id,
        fileName: src.fileName,
        sha256: src.sha256,
        path: src.path,
        importer: src.importer,
      },
      proves: manifest?.proves ?? [],
      doesNotProve: manifest?.doesNotProve ?? [],
    };
  }
}

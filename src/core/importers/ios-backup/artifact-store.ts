import { join } from 'node:path';
import type { ImportOutcome } from '../../../contract/records';
import type { ImportWarning } from '../../../contract/warnings';
import { appendAudit } from '../../db/audit';
import type { Db } from '../../db/open';
import { AppResolver } from '../../db/queries/apps';
import type { ArtifactRead, ArtifactResult } from './artifact-read';
import { MAX_DATE_MS, zoneOffsets } from './placed-time';

const NO_COUNTS = { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 };

function note(locator: string, message: string): ImportWarning {
  return { line: null, locator, code: 'BACKUP_NOTE', message };
}

/** The outcome of an artifact that was not stored (already in the case, or unreadable). */
function outcomeOf(
  path: string,
  importer: string,
  status: ImportOutcome['status'],
  fields: Partial<ImportOutcome>,
): ImportOutcome {
  return {
    path,
    sha256: null,
    importer,
    status,
    counts: { ...NO_COUNTS },
    duplicateLines: 0,
    alreadyStored: 0,
    warnings: [],
    error: null,
    sourceId: null,
    deviceId: null,
    locator: null,
    ...fields,
  };
}

/**
 * Stores one artifact read from a backup as a source of the device with its records (inside the
 * caller's transaction). A file whose bytes are already a source of the case is not stored again.
 */
function storeRead(
  db: Db,
  deviceId: number,
  backupDir: string,
  r: ArtifactRead,
  timeZone: string | null,
): ImportOutcome {
  const f = r.file;
  const locator = `${f.domain} ${f.relativePath}`;
  const existing = db
    .prepare('SELECT id, device_id FROM sources WHERE sha256 = ?')
    .get(f.sha256) as { id: number; device_id: number } | undefined;
  if (existing) {
    return outcomeOf(f.diskPath, r.manifest.id, 'already-imported', {
      locator,
      sha256: f.sha256,
      sourceId: existing.id,
      deviceId: existing.device_id,
      warnings: [
        note(locator, `${locator} is already in the case (same sha256); not stored again.`),
      ],
    });
  }
  const offset = zoneOffsets(timeZone);
  const warnings = r.problems.map((m) => note(locator, m));
  // Times and byte counts come from the evidence as they are: one that no date or count can be
  // (1e308 seconds, NaN) is stored as unknown with a warning, so that it costs its field only.
  const time = (ms: number | null, where: string): number | null => {
    if (ms === null) return null;
    if (Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS) return Math.round(ms);
    warnings.push(
      note(
        locator,
        `${where}: the time is outside the range of dates (${String(ms)} ms from 1970); it is stored as unknown.`,
      ),
    );
    return null;
  };
  const bytes = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null);
  const permissionRows = r.permissions.map((p) => ({ ...p, timeMs: time(p.timeMs, p.locator) }));
  const usageRows = r.usage.map((u) => ({
    ...u,
    firstMs: time(u.firstMs, u.locator),
    lastMs: time(u.lastMs, u.locator),
    wifiIn: bytes(u.wifiIn),
    wifiOut: bytes(u.wifiOut),
    cellIn: bytes(u.cellIn),
    cellOut: bytes(u.cellOut),
  }));
  const profileRows = r.profiles.map((p) => ({ ...p, timeMs: time(p.timeMs, p.locator) }));
  // A running minimum and maximum: Math.min(...times) overflows the stack on a large artifact.
  let from: number | null = null;
  let to: number | null = null;
  const span = (t: number | null): void => {
    if (t === null) return;
    if (from === null || t < from) from = t;
    if (to === null || t > to) to = t;
  };
  for (const p of permissionRows) span(p.timeMs);
  for (const u of usageRows) {
    span(u.firstMs);
    span(u.lastMs);
  }
  for (const p of profileRows) span(p.timeMs);
  const records = permissionRows.length + usageRows.length + profileRows.length;
  const sourceId = Number(
    db
      .prepare(
        `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256,
           imported_at, lines, warning_count, data_from, data_to, container, locator, record_rows, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deviceId,
        r.manifest.id,
        r.manifest.version,
        f.diskPath,
        f.relativePath.split('/').pop() || f.relativePath,
        f.diskSize,
        f.sha256,
        Date.now(),
        records,
        warnings.length,
        from,
        to,
        backupDir,
        locator,
        records,
        JSON.stringify({
          domain: f.domain,
          relativePath: f.relativePath,
          fileId: f.fileId,
          encrypted: f.encrypted,
          plainSha256: f.plainSha256,
          wal: r.wal,
        }),
      ).lastInsertRowid,
  );
  const apps = new AppResolver(db, deviceId);
  const perm = db.prepare(
    `INSERT INTO permission_records (device_id, app_id, source_id, origin, raw, category, status, reason,
       time_ms, time_offset, locator, raw_fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of permissionRows) {
    perm.run(
      deviceId,
      apps.idFor(p.app),
      sourceId,
      p.origin,
      p.raw,
      p.category,
      p.status,
      p.reason,
      p.timeMs,
      offset(p.timeMs),
      p.locator,
      JSON.stringify(p.rawFields),
    );
  }
  const usage = db.prepare(
    `INSERT INTO network_usage_records (device_id, app_id, source_id, origin, process, wifi_in, wifi_out,
       cell_in, cell_out, first_ms, last_ms, time_offset, locator, raw_fields)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const u of usageRows) {
    usage.run(
      deviceId,
      u.app === null ? null : apps.idFor(u.app),
      sourceId,
      u.origin,
      u.process,
      u.wifiIn,
      u.wifiOut,
      u.cellIn,
      u.cellOut,
      u.firstMs,
      u.lastMs,
      offset(u.lastMs ?? u.firstMs),
      u.locator,
      JSON.stringify(u.rawFields),
    );
  }
  const profile = db.prepare(
    `INSERT INTO profile_records (device_id, source_id, identifier, display_name, organization, operation,
       process, payload_types, mdm, vpn, root_certificate, time_ms, time_offset, locator, raw_fields)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of profileRows) {
    profile.run(
      deviceId,
      sourceId,
      p.identifier,
      p.displayName,
      p.organization,
      p.operation,
      p.process,
      JSON.stringify(p.payloadTypes),
      p.mdm ? 1 : 0,
      p.vpn ? 1 : 0,
      p.rootCertificate ? 1 : 0,
      p.timeMs,
      offset(p.timeMs),
      p.locator,
      JSON.stringify(p.rawFields),
    );
  }
  const warn = db.prepare(
    'INSERT INTO source_warnings (source_id, line, locator, code, message) VALUES (?, NULL, ?, ?, ?)',
  );
  for (const w of warnings) warn.run(sourceId, w.locator, w.code, w.message);
  appendAudit(db, 'import', {
    sourceId,
    deviceId,
    importer: r.manifest.id,
    importerVersion: r.manifest.version,
    path: f.diskPath,
    backup: backupDir,
    locator,
    sha256: f.sha256,
    size: f.diskSize,
    encrypted: f.encrypted,
    records,
  });
  return outcomeOf(f.diskPath, r.manifest.id, 'imported', {
    locator,
    sha256: f.sha256,
    sourceId,
    deviceId,
    counts: { ...NO_COUNTS, lines: records, records },
    warnings,
  });
}

/**
 * Stores what was read from a backup's artifacts (inside the caller's transaction): one outcome per
 * artifact file read or unreadable. Artifacts the backup does not hold come back as notes.
 */
export function storeArtifacts(
  db: Db,
  deviceId: number,
  backupDir: string,
  results: readonly ArtifactResult[],
  timeZone: string | null,
): { outcomes: ImportOutcome[]; notes: string[] } {
  const outcomes: ImportOutcome[] = [];
  const notes: string[] = [];
  for (const r of results) {
    switch (r.kind) {
      case 'read':
        outcomes.push(storeRead(db, deviceId, backupDir, r.read, timeZone));
        break;
      case 'missing':
        notes.push(r.note);
        break;
      case 'failed':
        outcomes.push(
          outcomeOf(
            join(backupDir, r.row.fileId.slice(0, 2), r.row.fileId),
            r.manifest.id,
            'refused',
            {
              deviceId,
              error: r.message,
            },
          ),
        );
        break;
      default: {
        const never: never = r;
        throw new Error(`Unhandled artifact result ${JSON.stringify(never)}`);
      }
    }
  }
  return { outcomes, notes };
}

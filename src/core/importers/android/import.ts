import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  androidOpCategory,
  androidPermissionCategory,
  androidUidState,
} from '../../../contract/android-ops';
import type { AppliedClock, Device, ImportOutcome } from '../../../contract/records';
import { isIanaTimeZone } from '../../../contract/time';
import type { ImportWarning } from '../../../contract/warnings';
import { appendAudit } from '../../db/audit';
import { EvidenceFileError, EvidenceFolder, openRegularFile } from '../evidence-file';
import type { Db } from '../../db/open';
import { AppResolver } from '../../db/queries/apps';
import { bindPhoneDevice } from '../../db/queries/bind-device';
import type { SessionState } from '../../db/session-stats';
import { AppError } from '../../model/errors';
import type { CaseSession } from '../../services/case-service';
import { writeTx } from '../../services/case-service';
import { STATE_SQL } from '../../services/filter-sql';
import { StoreWriter } from '../../db/edge-writer';
import { unreadOutcome } from '../../services/import-run';
import { eventState } from '../../db/session-state';
import { parseAppOps } from './appops';
import { androidManifest } from './manifest';
import { deviceFacts, parseGetprop } from './getprop';
import { AndroidInputError, readAndroidInput, type AndroidInput } from './input';
import { parseLocalTime, zonedInstant } from './local-time';
import { parsePackages, parsePackagesJson } from './packages';
import { inferAndroidStates } from '../../db/state-inference';
import type { AppOpEvent } from './types';
import { parseUsageStats } from './usagestats';

export interface AndroidImportOptions {
  /** The device label to bind the phone to (created when new). */
  label?: string;
  /** An existing device to import into (the app's device choice). */
  deviceId?: number;
  /** The phone's IANA time zone, when the capture does not say or to override it. */
  timeZone?: string;
  signal?: AbortSignal;
  onProgress?: (p: { phase: string; fraction: number; detail?: string }) => void;
}

export interface AndroidImportResult {
  device: Device;
  outcomes: ImportOutcome[];
  problems: string[];
  added: { access: number; reject: number; usage: number; permission: number; history: number };
}

/** A Snoopscope adb capture's `capture.json` (only the fields the importer uses). */
interface CaptureJson {
  format: 'snoopscope-adb-capture';
  serial?: string;
  timeZone?: string | null;
  hostTimeMs?: number;
  /** How the capture ended; absent in a capture.json that does not say. */
  status?: 'complete' | 'failed' | 'cancelled';
}

/** The capture's `capture.json`, when it is a readable one; why it is not read goes to problems. */
async function readCaptureJson(path: string, problems: string[]): Promise<CaptureJson | null> {
  let text: string;
  try {
    text = (await (await EvidenceFolder.at(path)).read('capture.json')).bytes.toString('utf8');
  } catch (e) {
    // Not there, or not a regular file inside the folder (listing the folder reported that).
    if (e instanceof EvidenceFileError) return null;
    throw e;
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    const c = json as Record<string, unknown>;
    if (c.format !== 'snoopscope-adb-capture') return null;
    // Only fields of the expected types are taken: the file is evidence, not configuration.
    return {
      format: 'snoopscope-adb-capture',
      serial: typeof c.serial === 'string' && c.serial !== '' ? c.serial : undefined,
      timeZone: typeof c.timeZone === 'string' ? c.timeZone : null,
      // Whole milliseconds within the range of dates (it is stored as an integer).
      hostTimeMs:
        typeof c.hostTimeMs === 'number' &&
        Number.isInteger(c.hostTimeMs) &&
        Math.abs(c.hostTimeMs) <= MAX_DATE_MS
          ? c.hostTimeMs
          : undefined,
      status:
        c.status === 'complete' || c.status === 'failed' || c.status === 'cancelled'
          ? c.status
          : undefined,
    };
  } catch {
    problems.push(
      'capture.json is not valid JSON; the capture time and serial it may hold are not used.',
    );
    return null;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await openRegularFile(path);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false }))
      hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** A wall-clock time made absolute: in the phone's zone, or at a fixed offset derived from the capture. */
export type Clock =
  | { kind: 'zone'; zone: string; source: string }
  | { kind: 'offset'; offsetMin: number; source: string };

/** How the import summary names a capture's clock: the zone or offset, and where it came from. */
export function appliedClock(clock: Clock): AppliedClock {
  if (clock.kind === 'offset') return { zone: null, offsets: [clock.offsetMin], source: 'derived' };
  const source =
    clock.source === 'examiner'
      ? 'examiner'
      : clock.source === 'persist.sys.timezone'
        ? 'device'
        : 'capture';
  return { zone: clock.zone, offsets: [], source };
}

/**
 * What an import of a capture that did not finish says: only the outputs that ended with their
 * command were written under their own names; the `.partial` ones are not read.
 */
async function incompleteCaptureNote(
  folder: string,
  status: 'failed' | 'cancelled',
): Promise<string> {
  const partial = (await readdir(folder)).filter((n) => n.endsWith('.partial')).sort();
  return (
    `capture.json says this capture ${status === 'failed' ? 'failed' : 'was cancelled'}: it is not ` +
    'a complete capture. Only the outputs that ended with their command were read' +
    (partial.length > 0 ? `; the partial outputs ${partial.join(', ')} were not read.` : '.')
  );
}

/** The largest distance from the epoch a Date can hold (ECMAScript's time range), in ms. */
const MAX_DATE_MS = 8.64e15;

// Offsets of wall-clock quarter hours already placed (zone rules only change on such marks).
const offsetCache = new Map<string, number>();

function instant(clock: Clock, wallMs: number): { ms: number; offsetMin: number } {
  if (clock.kind === 'offset')
    return { ms: wallMs - clock.offsetMin * 60_000, offsetMin: clock.offsetMin };
  const key = `${clock.zone}\n${Math.floor(wallMs / 900_000)}`;
  const known = offsetCache.get(key);
  if (known !== undefined) return { ms: wallMs - known * 60_000, offsetMin: known };
  const z = zonedInstant(wallMs, clock.zone);
  // A skipped or repeated wall time is resolved each time, never cached.
  if (!z.ambiguous && !z.skipped) {
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, z.offsetMin);
  }
  return { ms: z.ms, offsetMin: z.offsetMin };
}

/** Most frequent offset (minutes) between printed wall time and capture instant − relative time. */
function derivedOffset(events: AppOpEvent[], captureMs: number): number | null {
  const counts = new Map<number, number>();
  for (const e of events) {
    if (!e.time || e.relativeMs === null) continue;
    const off = Math.round((e.time.wallMs - (captureMs - e.relativeMs)) / 60_000 / 15) * 15;
    counts.set(off, (counts.get(off) ?? 0) + 1);
  }
  let best: number | null = null;
  let n = 0;
  for (const [off, c] of counts) if (c > n) [best, n] = [off, c];
  return best;
}

/** The same line of a capture whatever its time relative to the dump: `(-1d2h…)` removed. */
export function withoutRelativeTime(line: string): string {
  // The white space before the mark is cut by hand: `\s*\(-…\)` backtracks quadratically over
  // a long run of spaces that is not followed by the mark.
  const mark = /\(-[0-9dhms]+\)/.exec(line);
  if (mark === null) return line.trimEnd();
  const before = line.slice(0, mark.index).trimEnd();
  return (before + line.slice(mark.index + mark[0].length)).trimEnd();
}

// A section's app ops, parsed once per import (the time-zone derivation reads them too).
const parsedAppOps = new WeakMap<
  AndroidInput['sections'][number],
  ReturnType<typeof parseAppOps>
>();
function appOpsOf(section: AndroidInput['sections'][number]): ReturnType<typeof parseAppOps> {
  let parsed = parsedAppOps.get(section);
  if (!parsed) {
    parsed = parseAppOps(section.text);
    parsedAppOps.set(section, parsed);
  }
  return parsed;
}

interface SourceGroup {
  /** The evidence file: the zip, the single file, or one file of a folder. */
  path: string;
  name: string;
  sha256: string;
  size: number;
  sections: AndroidInput['sections'];
}

/** One source per evidence file: a container file is one source; a folder gives one per file read. */
async function sourceGroups(path: string, st: Stats, input: AndroidInput): Promise<SourceGroup[]> {
  if (st.isFile()) {
    return [
      {
        path,
        name: basename(path),
        sha256: await sha256File(path),
        size: st.size,
        sections: input.sections,
      },
    ];
  }
  const groups: SourceGroup[] = [];
  for (const f of input.files) {
    const sections = input.sections.filter((s) => s.origin === f.name);
    if (sections.length === 0) continue;
    groups.push({
      path: join(path, f.name),
      name: f.name,
      sha256: f.sha256,
      size: f.size,
      sections,
    });
  }
  return groups;
}

function bindDevice(
  db: Db,
  options: AndroidImportOptions,
  facts: ReturnType<typeof deviceFacts>,
  serial: string | null,
  zone: string | null,
): number {
  const id = bindPhoneDevice(db, {
    platform: 'android',
    column: 'serial',
    value: serial,
    label: options.label,
    deviceId: options.deviceId,
    defaultLabel: facts.model ?? `Android ${serial?.slice(-4) ?? 'phone'}`,
  });
  db.prepare(
    `UPDATE devices SET platform = 'android', serial = COALESCE(?, serial), model = COALESCE(?, model),
       os_version = COALESCE(?, os_version), sdk = COALESCE(?, sdk), fingerprint = COALESCE(?, fingerprint),
       build_version = COALESCE(?, build_version), time_zone = COALESCE(?, time_zone)
     WHERE id = ?`,
  ).run(
    serial,
    facts.model,
    facts.androidVersion,
    facts.sdk,
    facts.fingerprint,
    facts.buildId,
    zone,
    id,
  );
  return id;
}

interface Added {
  access: number;
  reject: number;
  usage: number;
  permission: number;
  history: number;
}

/** Stores the records of one evidence file (inside the caller's transaction). */
function storeGroup(
  db: Db,
  deviceId: number,
  group: SourceGroup,
  clock: Clock,
  captureMs: number | null,
  captureTime: AndroidInput['captureTime'],
  added: Added,
): ImportOutcome {
  const outcome = unreadOutcome(group.path, deviceId, 'imported');
  outcome.importer = androidManifest.id;
  outcome.sha256 = group.sha256;
  const existing = db
    .prepare('SELECT id, device_id FROM sources WHERE sha256 = ?')
    .get(group.sha256) as { id: number; device_id: number } | undefined;
  if (existing) {
    outcome.status = 'already-imported';
    outcome.sourceId = existing.id;
    outcome.deviceId = existing.device_id;
    return outcome;
  }
  const sourceId = Number(
    db
      .prepare(
        `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256,
           imported_at, captured_at, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        deviceId,
        androidManifest.id,
        androidManifest.version,
        group.path,
        group.name,
        group.size,
        group.sha256,
        Date.now(),
        captureMs,
        JSON.stringify({
          sections: group.sections.map((s) => ({
            service: s.service,
            origin: s.origin,
            line: s.startLine,
          })),
          clock,
          captureTime,
        }),
      ).lastInsertRowid,
  );
  outcome.sourceId = sourceId;
  const warnings: ImportWarning[] = [];
  const warn = (w: ImportWarning): void => {
    warnings.push(w);
  };
  const note = (line: number | null, origin: string, message: string): void =>
    warn({
      line,
      locator: line === null ? origin : `${origin} line ${line}`,
      code: 'CAPTURE_NOTE',
      message,
    });
  const writer = new StoreWriter(
    db,
    deviceId,
    sourceId,
    warn,
    (a, b) => withoutRelativeTime(a) === withoutRelativeTime(b),
  );
  const apps = new AppResolver(db, deviceId);
  const sessionColumns: {
    key: string;
    e: AppOpEvent;
    lineOffset: number;
    linked: { e: AppOpEvent; line: number } | null;
  }[] = [];
  const insertReject = db.prepare(
    `INSERT OR IGNORE INTO reject_records (device_id, app_id, source_id, record_key, op, category, time_ms,
       time_offset, state, raw_state, attribution_tag, proxy, line, raw_line)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertHistory = db.prepare(
    `INSERT OR IGNORE INTO op_history_records (device_id, app_id, source_id, record_key, op, category,
       attribution_tag, state, raw_state, begin_ms, end_ms, time_offset, access_count, reject_count,
       duration_ms, line, raw_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertUsage = db.prepare(
    `INSERT OR IGNORE INTO usage_records (device_id, app_id, source_id, record_key, type, class_name,
       instance_id, time_ms, time_offset, line, raw_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPermission = db.prepare(
    `INSERT INTO permission_records (device_id, app_id, source_id, origin, raw, category, status, reason,
       time_ms, time_offset, locator, raw_fields) VALUES (?, ?, ?, 'android-package', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let lines = 0;
  let records = 0;
  for (const section of group.sections) {
    const at = (line: number): number => section.startLine + line - 1;
    lines += section.text.split('\n').length;
    if (section.service === 'appops') {
      const parsed = appOpsOf(section);
      for (const h of parsed.history) {
        const b = h.begin ? instant(clock, h.begin.wallMs) : null;
        const en = h.end ? instant(clock, h.end.wallMs) : null;
        const rawState = h.uidState === null ? null : `${h.uidState}${h.flag ? `-${h.flag}` : ''}`;
        const r = insertHistory.run(
          deviceId,
          h.packageName ? apps.idFor(h.packageName) : null,
          sourceId,
          `hist:${h.packageName ?? h.uid ?? ''}:${h.op}:${h.attributionTag ?? ''}:${rawState ?? ''}:${h.begin?.text ?? ''}:${h.end?.text ?? ''}`,
          h.op,
          androidOpCategory(h.op),
          h.attributionTag,
          androidUidState(h.uidState),
          rawState,
          b?.ms ?? null,
          en?.ms ?? null,
          b?.offsetMin ?? en?.offsetMin ?? null,
          h.accessCount,
          h.rejectCount,
          h.durationMs,
          at(h.line),
          h.rawLine,
        );
        added.history += r.changes;
        records += 1;
      }
      for (const p of parsed.problems)
        note(p.line === null ? null : at(p.line), section.origin, p.message);
      const events = parsed.records;
      // A proxied access is printed twice with the same time: under the app it was blamed on
      // (flag tpd/upd, with proxy details) and under the proxy app (flag tp/up). The proxy's own
      // line is linked to the blamed app's session and not counted again.
      const proxyLines = new Map<string, AppOpEvent>();
      for (const e of events)
        if (e.kind === 'access' && e.time && (e.flag === 'tp' || e.flag === 'up'))
          proxyLines.set(`${e.packageName}\n${e.op}\n${e.time.text}`, e);
      const consumed = new Set<AppOpEvent>();
      for (const e of events) {
        if (e.kind !== 'access' || !e.time || !e.proxy?.packageName) continue;
        if (e.flag !== 'tpd' && e.flag !== 'upd') continue;
        const partner = proxyLines.get(`${e.proxy.packageName}\n${e.op}\n${e.time.text}`);
        if (partner) consumed.add(partner);
      }
      for (const e of events) {
        if (consumed.has(e)) continue;
        let start: { ms: number; offsetMin: number };
        if (e.time) start = instant(clock, e.time.wallMs);
        else if (e.relativeMs !== null && captureMs !== null) {
          const ms = captureMs - e.relativeMs;
          if (Math.abs(ms) > MAX_DATE_MS) {
            note(
              at(e.line),
              section.origin,
              `${e.packageName} ${e.op}: the capture time less the time before the dump is no date; skipped.`,
            );
            continue;
          }
          const probe = instant(clock, ms);
          start = { ms, offsetMin: probe.offsetMin };
        } else {
          note(
            at(e.line),
            section.origin,
            `${e.packageName} ${e.op}: only a time relative to the dump is printed and the capture time is unknown; skipped.`,
          );
          continue;
        }
        const state = androidUidState(e.uidState);
        const rawState = e.uidState === null ? null : `${e.uidState}${e.flag ? `-${e.flag}` : ''}`;
        const key = `aop:${e.origin}:${e.packageName}:${e.op}:${e.attributionTag ?? ''}:${rawState ?? ''}:${e.time?.text ?? start.ms}`;
        const category = androidOpCategory(e.op);
        if (e.kind === 'reject') {
          const r = insertReject.run(
            deviceId,
            apps.idFor(e.packageName),
            sourceId,
            key,
            e.op,
            category,
            start.ms,
            start.offsetMin,
            state,
            rawState,
            e.attributionTag,
            e.proxy ? JSON.stringify(e.proxy) : null,
            at(e.line),
            e.rawLine,
          );
          added.reject += r.changes;
          records += 1;
          continue;
        }
        const duration = e.running ? null : e.durationMs;
        const base = {
          type: 'access-edge' as const,
          line: at(e.line),
          rawLine: e.rawLine,
          app: e.packageName,
          rawCategory: e.op,
          category,
          intervalKey: key,
          rawTs: e.time?.text ?? `-${e.relativeMs}ms`,
          extra: {},
        };
        writer.addEdge({ ...base, edge: 'begin', tsMs: start.ms, offsetMin: start.offsetMin });
        writer.addEdge({
          ...base,
          edge: 'end',
          tsMs: start.ms + (duration ?? 0),
          offsetMin: start.offsetMin,
        });
        const partner =
          e.proxy?.packageName && e.time
            ? (proxyLines.get(`${e.proxy.packageName}\n${e.op}\n${e.time.text}`) ?? null)
            : null;
        sessionColumns.push({
          key,
          e,
          lineOffset: section.startLine - 1,
          linked: partner ? { e: partner, line: at(partner.line) } : null,
        });
        records += 1;
      }
    } else if (section.service === 'usagestats') {
      const parsed = parseUsageStats(section.text);
      for (const p of parsed.problems)
        note(p.line === null ? null : at(p.line), section.origin, p.message);
      for (const u of parsed.records) {
        const t = instant(clock, u.time.wallMs);
        const r = insertUsage.run(
          deviceId,
          u.packageName ? apps.idFor(u.packageName) : null,
          sourceId,
          `${u.type}:${u.packageName ?? ''}:${u.className ?? ''}:${u.instanceId ?? ''}:${u.time.text}`,
          u.type,
          u.className,
          u.instanceId,
          t.ms,
          t.offsetMin,
          at(u.line),
          u.rawLine,
        );
        added.usage += r.changes;
        records += 1;
      }
    } else if (section.service === 'package') {
      const parsed = parsePackages(section.text);
      for (const p of parsed.problems)
        note(p.line === null ? null : at(p.line), section.origin, p.message);
      const setVersion = db.prepare(
        'UPDATE apps SET version = COALESCE(?, version), inventory = 1 WHERE device_id = ? AND identifier = ?',
      );
      for (const pkg of parsed.records) {
        const appId = apps.idFor(pkg.packageName);
        setVersion.run(pkg.versionName, deviceId, pkg.packageName);
        for (const perm of pkg.permissions) {
          if (perm.kind === 'requested') continue;
          const category = androidPermissionCategory(perm.name);
          if (perm.kind === 'install' && category === 'other') continue;
          const changed = pkg.lastUpdateTime ? instant(clock, pkg.lastUpdateTime.wallMs) : null;
          insertPermission.run(
            deviceId,
            appId,
            sourceId,
            perm.name,
            category,
            perm.granted === true ? 'granted' : perm.granted === false ? 'denied' : 'unknown',
            perm.kind === 'runtime'
              ? `runtime permission${perm.flags.length > 0 ? ` (${perm.flags.join(', ')})` : ''}`
              : 'install-time permission',
            changed?.ms ?? null,
            changed?.offsetMin ?? null,
            `${section.origin} line ${at(pkg.line)}`,
            JSON.stringify({
              ...perm,
              packageName: pkg.packageName,
              versionName: pkg.versionName,
              installer: pkg.installer,
              firstInstallTime: pkg.firstInstallTime?.text ?? null,
              lastUpdateTime: pkg.lastUpdateTime?.text ?? null,
            }),
          );
          added.permission += 1;
          records += 1;
        }
      }
    } else if (section.service === 'packages-json') {
      const setInventory = db.prepare(
        'UPDATE apps SET inventory = 1 WHERE device_id = ? AND identifier = ?',
      );
      let packages: ReturnType<typeof parsePackagesJson> = [];
      try {
        packages = parsePackagesJson(section.text);
      } catch (e) {
        // A damaged packages.json costs its own app list only; the rest of the capture is read.
        const why = (e as Error).message.replace(/^packages\.json /, '').replace(/\.$/, '');
        note(null, section.origin, `${section.origin} ${why}; its app list is not imported.`);
      }
      for (const pkg of packages) {
        apps.idFor(pkg.name);
        setInventory.run(deviceId, pkg.name);
      }
    }
  }
  // The state changes below are applied with the sessions' own changes, in one pass.
  writer.finishPairing(false);
  const setColumns = db.prepare(
    `UPDATE access_sessions SET state = ?, state_source = ?, raw_state = ?, attribution_tag = ?, proxy = ?,
       duration_known = ? WHERE id = ?`,
  );
  // The row's stats cell and app state before the change, so the session stats follow it.
  const sessionOf = db.prepare(
    `SELECT s.id, s.app_id AS appId, s.category, s.local_day AS localDay,
            s.inferred_state AS inferredState, ${STATE_SQL} AS state
     FROM access_sessions s WHERE s.device_id = ? AND s.interval_key = ?`,
  );
  const insertProxyLine = db.prepare(
    'INSERT OR IGNORE INTO proxy_lines (session_id, source_id, line, app, raw_line) VALUES (?, ?, ?, ?, ?)',
  );
  for (const c of sessionColumns) {
    const s = sessionOf.get(deviceId, c.key) as
      | {
          id: number;
          appId: number;
          category: string;
          localDay: number;
          inferredState: 'foreground' | 'background' | null;
          state: SessionState;
        }
      | undefined;
    if (!s) continue;
    const state = androidUidState(c.e.uidState);
    const stateSource = c.e.uidState === null ? null : 'reported';
    setColumns.run(
      state,
      stateSource,
      c.e.uidState === null ? null : `${c.e.uidState}${c.e.flag ? `-${c.e.flag}` : ''}`,
      c.e.attributionTag,
      c.e.proxy ? JSON.stringify(c.e.proxy) : null,
      c.e.durationMs !== null && !c.e.running ? 1 : 0,
      s.id,
    );
    writer.changeState(
      s.appId,
      s.category,
      s.localDay,
      s.state,
      eventState({ state, stateSource, inferredState: s.inferredState }).state,
    );
    if (c.linked)
      insertProxyLine.run(
        s.id,
        sourceId,
        c.linked.line,
        c.linked.e.packageName,
        c.linked.e.rawLine,
      );
  }
  writer.applySummaries();
  const counts = writer.countSessions();
  added.access += writer.accessRows / 2;
  outcome.counts = {
    lines,
    access: writer.accessRows / 2,
    network: 0,
    sessions: counts.sessions,
    openSessions: counts.open,
    records,
  };
  outcome.duplicateLines = writer.duplicateLines / 2;
  outcome.alreadyStored = writer.alreadyStored / 2;
  outcome.warnings = warnings;
  const storeWarning = db.prepare(
    'INSERT INTO source_warnings (source_id, line, locator, code, message) VALUES (?, ?, ?, ?, ?)',
  );
  for (const w of warnings.slice(0, 10_000))
    storeWarning.run(sourceId, w.line, w.locator, w.code, w.message);
  db.prepare(
    `UPDATE sources SET lines = ?, access_rows = ?, duplicate_lines = ?, already_stored = ?, sessions = ?,
       open_sessions = ?, warning_count = ?, data_from = ?, data_to = ?, record_rows = ? WHERE id = ?`,
  ).run(
    lines,
    writer.accessRows / 2,
    writer.duplicateLines / 2,
    writer.alreadyStored / 2,
    counts.sessions,
    counts.open,
    warnings.length,
    writer.dataFrom,
    writer.dataTo,
    records,
    sourceId,
  );
  appendAudit(db, 'import', {
    sourceId,
    deviceId,
    path: group.path,
    fileName: group.name,
    size: group.size,
    sha256: group.sha256,
    importer: `${androidManifest.id}@${androidManifest.version}`,
    sections: group.sections.map((s) => s.service),
    counts: outcome.counts,
    clock:
      clock.kind === 'zone'
        ? clock.zone
        : `UTC${clock.offsetMin >= 0 ? '+' : ''}${clock.offsetMin / 60}`,
  });
  return outcome;
}

/**
 * Imports an Android capture (bugreport zip, AndroidQF folder or zip, dumpsys folder or file, or
 * a Snoopscope adb capture) into a device: app-op accesses become access sessions with their
 * reported state, rejects, usage events and package permissions their own records. Times are
 * device-local without a zone: the zone comes from the examiner, then `persist.sys.timezone`,
 * then the offset derived from the capture time; otherwise the import is refused, never guessed.
 * The whole input is one transaction.
 */
export async function importAndroid(
  session: CaseSession,
  path: string,
  options: AndroidImportOptions = {},
): Promise<AndroidImportResult> {
  const r = await importAndroidInto(session.db, path, options);
  return {
    device: session.device(r.deviceId),
    outcomes: r.outcomes,
    problems: r.problems,
    added: r.added,
  };
}

/** `importAndroid` on a bare connection (the import worker's). */
export async function importAndroidInto(
  db: Db,
  path: string,
  options: AndroidImportOptions = {},
): Promise<Omit<AndroidImportResult, 'device'> & { deviceId: number }> {
  try {
    return await importAndroidUnguarded(db, path, options);
  } catch (e) {
    if (e instanceof AppError) throw e;
    // A defect, not the input: the import is refused by name, and the cause keeps the stack.
    throw new AppError(
      'INTERNAL',
      `${resolve(path)} could not be imported because of an unexpected error (${e instanceof Error ? e.message : String(e)}); nothing was imported from it.`,
      { cause: e },
    );
  }
}

async function importAndroidUnguarded(
  db: Db,
  path: string,
  options: AndroidImportOptions,
): Promise<Omit<AndroidImportResult, 'device'> & { deviceId: number }> {
  const full = resolve(path);
  if (options.timeZone !== undefined && !isIanaTimeZone(options.timeZone))
    throw new AppError(
      'INVALID_INPUT',
      `Unknown time zone "${options.timeZone}"; use an IANA name such as Europe/Lisbon.`,
    );
  options.onProgress?.({ phase: 'reading', fraction: 0, detail: basename(full) });
  let input: AndroidInput;
  try {
    input = await readAndroidInput(full);
  } catch (e) {
    if (e instanceof AndroidInputError) throw new AppError('IMPORT_REFUSED', e.message);
    throw e;
  }
  if (options.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled; nothing was imported.');
  const problems = [...input.problems];
  if (input.missing.length > 0)
    problems.push(
      `Found ${input.found.length > 0 ? input.found.join(', ') : 'no section it reads'}; ` +
        `not found: ${input.missing.join(', ')}.`,
    );

  const st = await stat(full);
  const capture = st.isDirectory() ? await readCaptureJson(full, problems) : null;
  if (capture?.status === 'failed' || capture?.status === 'cancelled')
    problems.push(await incompleteCaptureNote(full, capture.status));
  const getprop = input.sections.find((s) => s.service === 'getprop');
  const facts = deviceFacts(getprop ? parseGetprop(getprop.text).props : new Map());
  const serial = capture?.serial ?? facts.serial;

  let clock: Clock | null = null;
  const zone = options.timeZone ?? facts.timeZone ?? capture?.timeZone ?? null;
  if (zone && isIanaTimeZone(zone))
    clock = {
      kind: 'zone',
      zone,
      source: options.timeZone ? 'examiner' : facts.timeZone ? 'persist.sys.timezone' : 'capture',
    };
  const captureMs = capture?.hostTimeMs ?? null;
  if (!clock && captureMs !== null) {
    const appops = input.sections.find((s) => s.service === 'appops');
    const offset = appops ? derivedOffset(appOpsOf(appops).records, captureMs) : null;
    if (offset !== null) {
      clock = { kind: 'offset', offsetMin: offset, source: 'derived from the capture time' };
      problems.push(
        `The capture does not name the phone's time zone; times use the offset UTC${offset >= 0 ? '+' : '−'}${Math.abs(offset / 60)} derived from the capture time (daylight-saving changes inside the capture are not known).`,
      );
    }
  }
  if (!clock)
    throw new AppError(
      'TIMEZONE_REQUIRED',
      "The capture does not record the phone's time zone (no persist.sys.timezone) and its capture " +
        "time is unknown, so its device-local times cannot be placed; give the phone's time zone " +
        '(the time-zone field of the import, or --timezone IANA on the command line, e.g. ' +
        'Europe/Lisbon). Nothing was imported.',
    );
  const groups = await sourceGroups(full, st, input);
  if (options.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled; nothing was imported.');
  const added: Added = { access: 0, reject: 0, usage: 0, permission: 0, history: 0 };
  const outcomes: ImportOutcome[] = [];
  const activeClock = clock;
  const deviceId = writeTx(db, () => {
    const id = bindDevice(
      db,
      options,
      facts,
      serial,
      activeClock.kind === 'zone' ? activeClock.zone : null,
    );
    groups.forEach((g, i) => {
      options.onProgress?.({ phase: 'storing', fraction: i / groups.length, detail: g.name });
      outcomes.push(storeGroup(db, id, g, activeClock, captureMs, input.captureTime, added));
    });
    inferAndroidStates(db, id);
    return id;
  });
  for (const o of outcomes) if (o.status === 'imported') o.timeZone = appliedClock(activeClock);
  if (problems.length > 0 && outcomes[0])
    outcomes[0].warnings.unshift(
      ...problems.map((message) => ({
        line: null,
        locator: basename(full),
        code: 'CAPTURE_NOTE' as const,
        message,
      })),
    );
  return { deviceId, outcomes, problems, added };
}

/** Parses a printed local time (re-exported for callers that show capture times). */
export { parseLocalTime };

import type { CoreHandlers } from '../contract/api';
import type { EventEnvelope } from '../contract/bridge';
import type { BridgeEvents } from '../contract/events';
import type { CoreApp, CoreOptions } from './app';
import { listAudit, verifyAudit } from './db/audit';
import { deviceStateAt, deviceStateBands, unknownDeviceState } from './db/queries/device-state';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { DeviceBackupService } from './acquire/device-backup';
import { listBackups } from './importers/ios-backup/discover';
import { defaultBackupRoots } from './importers/ios-backup/locations';
import { AppError } from './model/errors';
import { logLine } from './log-line';
import { verifyBundle } from './bundle/verify-bundle';
import {
  FindingsPendingError,
  resolveParams,
  ruleInfos,
  servedByStoredFindings,
  serveStoredFindingsOnly,
  setStoredFindingParams,
  whenDerivedDropped,
  storedFindingParams,
} from './findings';
import { suggestAppPairings } from './catalog/pairing-suggestions';
import { renameApp } from './catalog/rename-app';
import { AndroidCaptureService } from './services/android-capture-service';
import { annotate, listAnnotations } from './services/annotations';
import { compareResult, listPairings, setPairing } from './services/compare-request';
import { BackupImportService } from './services/backup-import-service';
import { CaseSession } from './services/case-service';
import { CaseUpgradeService, UpgradeWorkerClient, upgradeNeed } from './services/case-upgrade';
import {
  findingEvidencePage,
  findingListItem,
  queryFindingsList,
  queryKeyFindings,
} from './services/findings-service';
import { ImportService } from './services/import-service';
import { RecentCases } from './services/recent-cases';
import { FindingsQueries } from './services/findings-queries';
import { FindingsRefreshService } from './services/findings-refresh';
import { derivedStale } from './services/refresh-derived';
import {
  ImportWorkerClient,
  runInOwnWorker,
  type WorkerCall,
  type WorkerCallResults,
} from './services/worker-call';

/**
 * Builds the core behind the bridge: one open case at a time, imports in a worker, and the
 * query services. Main and the dev server wrap these handlers with `dispatch`.
 */
export function createCoreApp(options: CoreOptions): CoreApp {
  const listeners = new Set<(e: EventEnvelope) => void>();
  const emit = <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E]): void => {
    for (const l of listeners) l({ event, payload });
  };
  const log =
    options.log ??
    ((message: string, error?: unknown): void => {
      console.error(`[snoopscope] ${logLine(message, error)}`);
    });
  const recent = new RecentCases(options.userDataDir);
  const imports = new ImportService(emit, log, options.workerUrl);
  const backups = new BackupImportService(emit, log, options.workerUrl);
  const acquisitions = new DeviceBackupService(emit, {});
  const captures = new AndroidCaptureService(emit, log, { workerUrl: options.workerUrl });
  const refresh = new FindingsRefreshService(
    emit,
    log,
    (casePath) => new ImportWorkerClient(casePath, options.workerUrl),
    () => (current ? generation(current) : ''),
  );
  // A case written by an earlier version is upgraded in a worker of its own before it is opened.
  const upgrades = new CaseUpgradeService(
    emit,
    (casePath) => new UpgradeWorkerClient(casePath, options.workerUrl),
  );
  const findingsQueries = new FindingsQueries(
    emit,
    log,
    (casePath) => new ImportWorkerClient(casePath, options.workerUrl),
  );
  // The state of the case a computed answer holds for: commits of other connections (the
  // workers) change SQLite's data_version, this connection's own writes each emit a change.
  let edits = 0;
  const generation = (c: CaseSession): string =>
    `${String(c.db.pragma('data_version', { simple: true }))}:${edits}`;
  let current: CaseSession | null = null;

  const need = (): CaseSession => {
    if (!current)
      throw new AppError('NO_CASE_OPEN', 'No case is open; create or open a case first.');
    return current;
  };
  // Source moves and removals run in a worker of their own (pairing and rollups are recomputed:
  // seconds at millions of sessions); one at a time, and none during an import.
  let editing = false;
  const notUpgrading = (what: string): void => {
    if (upgrades.busy)
      throw new AppError(
        'CONFLICT',
        `Cannot ${what} while a case is being upgraded for this version of Snoopscope; wait for the upgrade to finish or cancel it.`,
      );
  };
  const notBusy = (what: string): void => {
    notUpgrading(what);
    if (imports.busy || backups.busy || captures.busy)
      throw new AppError('CONFLICT', `Cannot ${what} while an import is running.`);
    if (editing)
      throw new AppError('CONFLICT', `Cannot ${what} while a source is being moved or removed.`);
  };
  const notEditing = (): void => {
    if (editing)
      throw new AppError(
        'CONFLICT',
        'A source is being moved or removed; import once that has finished.',
      );
  };
  // Runs one call on the open case in a worker of its own (work that would hold this thread).
  const inOwnWorker = <F extends WorkerCall['fn']>(
    call: Extract<WorkerCall, { fn: F }>,
  ): Promise<WorkerCallResults[F]> => runInOwnWorker(need().path, options.workerUrl, call);
  const edit = async <F extends 'moveSource' | 'removeSource'>(
    call: Extract<WorkerCall, { fn: F }>,
    reason: string,
  ): Promise<WorkerCallResults[F]> => {
    need();
    editing = true;
    try {
      const r = await inOwnWorker(call);
      changed(reason);
      refreshStoredFindings(reason);
      return r;
    } finally {
      editing = false;
    }
  };
  const changed = (reason: string): void => {
    edits += 1;
    emit('onCaseChanged', { reason });
  };
  // The stored findings of the devices whose data or parameters changed are computed again in
  // the import worker, so the Findings view reads a table and this thread stays free; until they
  // are, queries that read them answer that they are being computed.
  const refreshStoredFindings = (reason: string): void => {
    const c = current;
    if (c) refresh.request(c.path, storedFindingParams(c.db), reason);
  };
  // A query met stale stored findings: they are computed in the worker unless that is under way
  // or failed (the examiner then asks again, after reading why).
  const pendingFindings = (): void => {
    const c = current;
    if (c) refresh.ensure(c.path, storedFindingParams(c.db));
  };
  const imported = (): void => {
    changed('import-finished');
    // The import's worker brings them up to date itself; when that failed, its refresh is tried
    // again in a worker, never here.
    const c = current;
    if (c && !refresh.busy && derivedStale(c.db)) refreshStoredFindings('findings-computed');
  };
  const closeCurrent = (): boolean => {
    void refresh.stop();
    void findingsQueries.stop();
    const was = current !== null;
    current?.close();
    current = null;
    return was;
  };
  const swap = (next: CaseSession): void => {
    void refresh.stop();
    void findingsQueries.stop();
    current?.close();
    serveStoredFindingsOnly(next.db);
    // A stored finding this connection found damaged was made stale here: a change of the case
    // (so a refresh that settled before it is not taken as the last word), computed in the worker.
    whenDerivedDropped(next.db, () => {
      edits += 1;
      refreshStoredFindings('findings-computed');
    });
    current = next;
    recent.touch(next.path, next.meta('name') ?? undefined);
  };
  // Runs a query that reads the stored findings; stale ones are computed in the worker meanwhile.
  const whenStored = <T>(query: () => T): T => {
    try {
      return query();
    } catch (e) {
      if (e instanceof FindingsPendingError) pendingFindings();
      throw e;
    }
  };

  const handlers: CoreHandlers = {
    getAppInfo: () => ({ name: 'Snoopscope', version: options.version, host: options.host }),
    createCase: ({ path }) => {
      notBusy('switch cases');
      swap(CaseSession.create(path));
      return need().info();
    },
    openCase: async ({ path }) => {
      notBusy('switch cases');
      const full = resolve(path);
      const wanted = upgradeNeed(full);
      if (wanted.steps > 0) {
        // No case stays open while another is upgraded: a cancel or failure leaves none open.
        if (closeCurrent()) emit('onCaseChanged', { reason: 'case-closed' });
        await upgrades.run(full, wanted);
      }
      // Up to date now: this thread only opens it, and refuses (never runs) another upgrade.
      swap(CaseSession.open(full, { upgrade: 'refuse' }));
      return need().info();
    },
    closeCase: () => {
      notBusy('close the case');
      closeCurrent();
      return null;
    },
    getCase: () => current?.info() ?? null,
    getCaseUpgrade: () => upgrades.status(),
    cancelCaseUpgrade: () => ({ cancelled: upgrades.cancel() }),
    listRecentCases: () => recent.list(),
    forgetRecentCase: ({ path }) => {
      recent.forget(path);
      return null;
    },
    listDevices: () => need().devices(),
    createDevice: (input) => {
      const d = need().createDevice(input);
      changed('device-created');
      return d;
    },
    renameDevice: ({ deviceId, label }) => {
      const d = need().renameDevice(deviceId, label);
      changed('device-renamed');
      return d;
    },
    listSources: ({ deviceId }) => need().sources(deviceId),
    getSourceWarnings: ({ sourceId }) => need().sourceWarnings(sourceId),
    moveSource: ({ sourceId, deviceId }) => {
      notBusy('move a source');
      return edit({ fn: 'moveSource', sourceId, deviceId }, 'source-moved');
    },
    removeSource: ({ sourceId }) => {
      notBusy('remove a source');
      return edit({ fn: 'removeSource', sourceId }, 'source-removed');
    },
    startImport: ({ paths, deviceId, timeZone }) => {
      notUpgrading('import');
      const c = need();
      notEditing();
      if (backups.busy)
        throw new AppError('CONFLICT', 'A backup import is running; wait for it to finish.');
      c.device(deviceId);
      const importId = imports.start(c.path, paths, deviceId, imported, timeZone);
      return { importId };
    },
    cancelImport: ({ importId }) => ({
      cancelled: imports.cancel(importId) || backups.cancel(importId),
    }),
    listBackups: ({ folders }) =>
      listBackups([
        ...defaultBackupRoots(process.platform, process.env, homedir()),
        ...(folders ?? []),
      ]),
    inspectBackup: ({ path }) => backups.inspect(current, path),
    startBackupImport: (input) => {
      notUpgrading('import');
      const c = need();
      notEditing();
      if (imports.busy)
        throw new AppError('CONFLICT', 'An import is already running; wait for it to finish.');
      const importId = backups.start(c, input, imported);
      return { importId };
    },
    listConnectedDevices: () => acquisitions.list(),
    startDeviceBackup: ({ udid, folder }) => ({ backupId: acquisitions.start(udid, folder) }),
    cancelDeviceBackup: ({ backupId }) => ({ cancelled: acquisitions.cancel(backupId) }),
    listAndroidDevices: () => captures.list(),
    startAndroidCapture: async (input) => {
      notUpgrading('capture');
      const c = need();
      notEditing();
      if (imports.busy || backups.busy)
        throw new AppError('CONFLICT', 'An import is running; wait for it to finish.');
      if (input.deviceId !== undefined) c.device(input.deviceId);
      return { captureId: await captures.start(c, input, imported) };
    },
    stopAndroidCapture: ({ captureId }) => ({ stopped: captures.stop(captureId) }),
    queryTimeline: (input) => need().queries.timeline(input),
    queryTimeOfDay: (input) => need().queries.timeOfDay(input),
    getSession: ({ id }) => {
      const c = need();
      const s = c.queries.session(id);
      const deviceState =
        s.startMs === null ? unknownDeviceState() : deviceStateAt(c.db, s.deviceId, s.startMs);
      return { ...s, deviceState };
    },
    querySummary: ({ filter, night }) => need().queries.summary(filter, night),
    queryHeatmap: ({ filter }) => need().queries.heatmap(filter),
    queryNetwork: ({ filter, snapshots }) => need().queries.network(filter, snapshots),
    queryNetworkGroups: ({ filter, snapshots }) => need().queries.networkGroups(filter, snapshots),
    queryNetworkRows: (input) => need().queries.networkRows(input),
    listApps: ({ deviceIds }) => need().queries.apps(deviceIds),
    queryPermissions: ({ filter }) => need().queries.records.permissions(filter),
    queryNetworkUsage: ({ filter }) => need().queries.records.networkUsage(filter),
    queryProfiles: ({ filter }) => need().queries.records.profiles(filter),
    getRecord: ({ id }) => need().queries.records.record(id),
    queryDeviceStates: ({ deviceIds, fromMs, toMs }) =>
      deviceStateBands(need().db, deviceIds, fromMs, toMs),
    queryCompare: (input) => compareResult(need().db, input),
    listPairings: () => listPairings(need().db),
    pairApps: ({ a, b, remove }) => {
      if (a === b) throw new AppError('INVALID_INPUT', 'An app cannot be paired with itself.');
      const c = setPairing(need().db, a, b, remove ?? false);
      if (c) changed('app-pairing');
      return { changed: c };
    },
    suggestPairings: () => suggestAppPairings(need().db),
    renameApp: ({ identifier, name, deviceId }) => {
      const named = renameApp(need().db, {
        identifier,
        name,
        ...(deviceId === undefined ? {} : { deviceId }),
      });
      changed('app-renamed');
      return named;
    },
    listFindingRules: () => ruleInfos(),
    queryFindings: ({ filter, params, rules, evidenceLimit, list }) => {
      const c = need();
      const db = c.db;
      const p = params ?? storedFindingParams(db);
      // Parameters that do not read are refused here, not by the worker.
      resolveParams(p);
      if (!servedByStoredFindings(db, filter, p)) {
        // Computed from the records, in a worker: seconds at millions of sessions.
        const a = findingsQueries.answer(c.path, generation(c), {
          fn: 'queryFindings',
          filter,
          params: p,
          rules,
          evidenceLimit,
        });
        if (a.state === 'ready')
          return { findings: list ? a.value.map(findingListItem) : a.value, pending: null };
        const message = a.state === 'failed' ? a.message : null;
        return { findings: [], pending: { state: a.state, params: p, done: 0, total: 0, message } };
      }
      try {
        const findings = queryFindingsList(db, filter, p, rules, { evidenceLimit, list });
        return { findings, pending: null };
      } catch (e) {
        if (!(e instanceof FindingsPendingError)) throw e;
        pendingFindings();
        return { findings: [], pending: refresh.status() };
      }
    },
    queryKeyFindings: ({ deviceIds }) => whenStored(() => queryKeyFindings(need().db, deviceIds)),
    getFindingEvidence: (input) => {
      const c = need();
      const params = input.params ?? storedFindingParams(c.db);
      resolveParams(params);
      if (servedByStoredFindings(c.db, input.filter, params))
        return whenStored(() => findingEvidencePage(c.db, input));
      const a = findingsQueries.answer(c.path, generation(c), {
        fn: 'findingEvidence',
        ...input,
        params,
      });
      if (a.state === 'ready') return a.value;
      throw new AppError(
        'CASE_BUSY',
        a.state === 'failed'
          ? a.message
          : "This finding's evidence is being read from the records; it is listed when ready.",
      );
    },
    getFindingParams: () => storedFindingParams(need().db),
    setFindingParams: ({ params }) => {
      const p = setStoredFindingParams(need().db, params);
      changed('finding-parameters');
      refreshStoredFindings('finding-parameters');
      return p;
    },
    getFindingsStatus: () => {
      need();
      return refresh.status();
    },
    refreshFindings: () => {
      findingsQueries.forgetFailures();
      refreshStoredFindings('findings-computed');
      return refresh.status();
    },
    annotate: (input) => {
      const a = annotate(need().db, input);
      changed('annotation');
      return a;
    },
    listAnnotations: (input) => listAnnotations(need().db, input),
    // Every session of the filter is read: in a worker of its own, as the bundle is.
    exportSessionsCsv: (input) =>
      inOwnWorker({ fn: 'exportSessionsCsv', input, version: options.version }),
    exportBundle: async (input) => {
      // Reading every session and drawing the report of a large case take tens of seconds, which
      // would hold this thread. Stale stored findings are computed there too, on the worker's
      // connection.
      const r = await inOwnWorker({
        fn: 'exportBundle',
        input,
        userDataDir: options.userDataDir,
        version: options.version,
        workerHref: options.workerUrl?.href,
      });
      changed('bundle-exported');
      return r;
    },
    verifyBundle: ({ path, fingerprint }) => verifyBundle(path, fingerprint),
    listAudit: ({ limit }) => listAudit(need().db, limit),
    verifyAudit: () => verifyAudit(need().db),
  };

  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      await upgrades.stop();
      await refresh.stop();
      await findingsQueries.stop();
      await imports.dispose();
      backups.dispose();
      await acquisitions.dispose();
      await captures.dispose();
      current?.close();
      current = null;
      listeners.clear();
    },
  };
}

// The app's evidence bundle, written where the import worker runs: reading every session of a
// large case and drawing its report take tens of seconds, which the app's main thread must not.
import type { ApiInput, ApiOutput } from '../../contract/api';
import { exportBundle } from '../bundle/export-bundle';
import type { EventsHelper } from '../bundle/events-entry';
import { bundleExtras } from '../bundle/extras';
import { exportTimings } from '../bundle/export-timings';
import { installationKey } from '../bundle/signing-key';
import type { CaseSession } from './case-service';

/** What the app asks of an export: the bridge's request, its user data folder and version. */
export interface BundleExportRequest {
  input: ApiInput<'exportBundle'>;
  /** Where the installation's signing key is kept (created on the first export). */
  userDataDir: string;
  version: string;
  /** The import worker's script, for the worker that writes events.csv meanwhile. */
  workerHref?: string;
}

/**
 * Writes the signed bundle of the request from `session` (a connection of its own), with the
 * report and the other files the app adds, events.csv by `events` meanwhile when given; the
 * answer the bridge returns.
 */
export async function exportBundleFor(
  session: CaseSession,
  { input, userDataDir, version }: BundleExportRequest,
  events?: EventsHelper,
): Promise<ApiOutput<'exportBundle'>> {
  const key = installationKey(userDataDir);
  const redact = { contexts: input.redactContexts ?? false, apps: input.redactApps ?? [] };
  const unmask = input.unmask ?? false;
  // Each stage's time on stderr when SNOOPSCOPE_EXPORT_TIMINGS asks for it.
  const timings = exportTimings();
  const r = await exportBundle(session, {
    out: input.path,
    filter: input.filter,
    version,
    redact,
    includeSources: input.includeSources ?? false,
    unmask,
    key,
    comparison: input.comparison,
    events,
    timings,
    extras: () =>
      bundleExtras(session, input.filter, {
        version,
        fingerprint: key.fingerprint,
        unmask,
        redaction: { contexts: redact.contexts, apps: redact.apps },
        examiner: input.examiner || undefined,
        comparison: input.comparison,
        timings,
      }),
  });
  timings.total();
  return {
    path: r.path,
    fingerprint: r.fingerprint,
    events: r.events,
    files: r.files,
    ...(key.created && key.file
      ? { keyCreated: { path: key.file, fingerprint: key.fingerprint } }
      : {}),
  };
}

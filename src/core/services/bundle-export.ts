// The app's evidence bundle, written where the import worker runs: reading every session of a
// large case and drawing its report take tens of seconds, which the app's main thread must not.
import type { ApiInput, ApiOutput } from '../../contract/api';
import { exportBundle } from '../bundle/export-bundle';
import { bundleExtras } from '../bundle/extras';
import { installationKey } from '../bundle/signing-key';
import type { CaseSession } from './case-service';

/** What the app asks of an export: the bridge's request, its user data folder and version. */
export interface BundleExportRequest {
  input: ApiInput<'exportBundle'>;
  /** Where the installation's signing key is kept (created on the first export). */
  userDataDir: string;
  version: string;
}

/**
 * Writes the signed bundle of the request from `session` (a connection of its own), with the
 * report and the other files the app adds; the answer the bridge returns.
 */
export async function exportBundleFor(
  session: CaseSession,
  { input, userDataDir, version }: BundleExportRequest,
): Promise<ApiOutput<'exportBundle'>> {
  const key = installationKey(userDataDir);
  const redact = { contexts: input.redactContexts ?? false, apps: input.redactApps ?? [] };
  const unmask = input.unmask ?? false;
  const r = await exportBundle(session, {
    out: input.path,
    filter: input.filter,
    version,
    redact,
    includeSources: input.includeSources ?? false,
    unmask,
    key,
    comparison: input.comparison,
    extra: await bundleExtras(session, input.filter, {
      version,
      fingerprint: key.fingerprint,
      unmask,
      redaction: { contexts: redact.contexts, apps: redact.apps },
      examiner: input.examiner || undefined,
      comparison: input.comparison,
    }),
  });
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

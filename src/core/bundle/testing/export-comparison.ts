import type { CompareRequest } from '../../../contract/records';
import type { CaseSession } from '../../services/case-service';
import { exportBundle, type BundleResult, type Redaction } from '../export-bundle';
import { bundleExtras } from '../extras';
import type { SigningKey } from '../signing-key';

/**
 * Exports the whole case with a comparison, and a redaction when given, its extra files computed
 * from the same request as the export command computes them.
 */
export async function exportWithComparison(
  session: CaseSession,
  o: { out: string; key: SigningKey; comparison: CompareRequest; redaction?: Redaction },
): Promise<BundleResult> {
  const { out, key, comparison, redaction } = o;
  return exportBundle(session, {
    out,
    filter: {},
    version: '1',
    key,
    ...(redaction ? { redact: redaction } : {}),
    comparison,
    extra: await bundleExtras(
      session,
      {},
      {
        version: '1',
        fingerprint: key.fingerprint,
        unmask: false,
        redaction: redaction ?? { contexts: false, apps: [] },
        comparison,
      },
    ),
  });
}

import type { ApiOutput } from '../../../contract/api';

export type VerifyResult = ApiOutput<'verifyBundle'>;
export type FileStatus = VerifyResult['files'][number]['status'];

const STATUS_LABELS: Record<FileStatus, string> = {
  ok: 'Matches',
  changed: 'CHANGED',
  missing: 'MISSING',
  unlisted: 'ADDED (not in manifest)',
  ambiguous: 'AMBIGUOUS (other zip tools may read other content)',
};

/** The status of one file in words, so the result never depends on colour alone. */
export function fileStatusLabel(status: FileStatus): string {
  return STATUS_LABELS[status];
}

/** Files with a problem first, then the rest, each group by name. */
export function sortFiles(files: VerifyResult['files']): VerifyResult['files'] {
  return [...files].sort(
    (a, b) => Number(a.status === 'ok') - Number(b.status === 'ok') || a.name.localeCompare(b.name),
  );
}

/** How many files have each status. */
export function countStatuses(files: VerifyResult['files']): Record<FileStatus, number> {
  const out: Record<FileStatus, number> = {
    ok: 0,
    changed: 0,
    missing: 0,
    unlisted: 0,
    ambiguous: 0,
  };
  for (const f of files) out[f.status] += 1;
  return out;
}

/** The headline of a verification: intact or not, and a one-line reason. */
export function verdict(result: VerifyResult): { intact: boolean; title: string; detail: string } {
  if (result.ok) {
    const n = result.files.length;
    return {
      intact: true,
      title: 'Intact',
      detail: `The signature is valid and all ${n} listed file${n === 1 ? '' : 's'} match the manifest.`,
    };
  }
  const c = countStatuses(result.files);
  const parts: string[] = [];
  if (c.changed > 0) parts.push(`${c.changed} changed`);
  if (c.missing > 0) parts.push(`${c.missing} missing`);
  if (c.unlisted > 0) parts.push(`${c.unlisted} added`);
  if (c.ambiguous > 0) parts.push(`${c.ambiguous} ambiguous`);
  const n = result.problems.length;
  return {
    intact: false,
    title: 'NOT intact',
    detail:
      `${n} problem${n === 1 ? '' : 's'} found` +
      (parts.length > 0 ? ` (files: ${parts.join(', ')})` : '') +
      '. Do not rely on this bundle.',
  };
}

/** Why no signer is shown: the bundle was not read at all, or its key was refused. */
export function missingSignerNote(result: VerifyResult): string {
  return result.files.length === 0 && result.problems.length > 0
    ? 'The bundle could not be checked, so no signer was read (see the problems above).'
    : 'No valid Ed25519 signer key was found in the bundle (see the problems above): nothing shows who signed it.';
}

/** A fingerprint as typed (spaces, colons, case ignored), for comparison. */
export function normaliseFingerprint(text: string): string {
  return text.toLowerCase().replace(/[^0-9a-f]/g, '');
}

/** Whether a typed expected fingerprint looks complete: 64 hex digits once normalised. */
export function fingerprintLooksValid(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(normaliseFingerprint(text));
}

import { createHash, createPublicKey } from 'node:crypto';
import { withZip } from '../formats/zip';
import { BUNDLE_FORMAT } from './export-bundle';
import { fingerprint, normaliseFingerprint, verifyBytes } from './signing-key';

export interface BundleCheck {
  /** True when every file matches the manifest, nothing is missing or added, and the signature holds. */
  ok: boolean;
  /** The signer's key fingerprint, to compare with one obtained separately. */
  fingerprint: string | null;
  /** Each problem in words, naming the file. */
  problems: string[];
  files: { name: string; status: 'ok' | 'changed' | 'missing' | 'unlisted' }[];
}

const SIGNATURE_FILES = new Set(['manifest.json', 'manifest.sig', 'signer.pub.pem']);

/**
 * Checks an evidence bundle: the manifest's signature with the public key it carries (and, when
 * given, that the key's fingerprint is the expected one), the sha256 of every file the manifest
 * lists, and that no file is missing or added.
 */
export async function verifyBundle(
  path: string,
  expectedFingerprint?: string,
): Promise<BundleCheck> {
  const problems: string[] = [];
  const files: BundleCheck['files'] = [];
  let signer: string | null = null;
  try {
    await withZip(path, async (zip) => {
      const text = async (name: string): Promise<Buffer | null> => {
        const e = zip.findEntry(name);
        return e ? Buffer.from(await zip.readEntry(e, { maxBytes: 512 * 1024 * 1024 })) : null;
      };
      const manifestBytes = await text('manifest.json');
      const sig = await text('manifest.sig');
      const pub = await text('signer.pub.pem');
      if (!manifestBytes || !sig || !pub) {
        for (const [name, v] of [
          ['manifest.json', manifestBytes],
          ['manifest.sig', sig],
          ['signer.pub.pem', pub],
        ] as const)
          if (!v) problems.push(`${name} is missing: this is not a complete Snoopscope bundle.`);
        return;
      }
      try {
        signer = fingerprint(createPublicKey(pub.toString('utf8')));
      } catch {
        problems.push('signer.pub.pem is not a public key.');
      }
      if (!verifyBytes(pub.toString('utf8'), manifestBytes, sig.toString('utf8').trim()))
        problems.push(
          'manifest.json does not match its signature (manifest.sig): it was changed after signing, or signed by another key.',
        );
      if (
        signer &&
        expectedFingerprint !== undefined &&
        normaliseFingerprint(signer) !== normaliseFingerprint(expectedFingerprint)
      )
        problems.push(
          `The bundle was signed by ${signer}, not by the expected key ${expectedFingerprint}.`,
        );
      let manifest: { format?: string; files?: { name: string; sha256: string }[] };
      try {
        manifest = JSON.parse(manifestBytes.toString('utf8')) as typeof manifest;
      } catch {
        problems.push('manifest.json is not valid JSON.');
        return;
      }
      if (manifest.format !== BUNDLE_FORMAT)
        problems.push(
          `manifest.json is not a Snoopscope bundle manifest (format ${String(manifest.format)}).`,
        );
      const listed = new Map((manifest.files ?? []).map((f) => [f.name, f.sha256]));
      for (const [name, sha] of listed) {
        const e = zip.findEntry(name);
        if (!e) {
          files.push({ name, status: 'missing' });
          problems.push(`${name} is listed in the manifest but missing from the bundle.`);
          continue;
        }
        const hash = createHash('sha256');
        try {
          for await (const c of zip.openEntryStream(e)) hash.update(c);
        } catch (err) {
          files.push({ name, status: 'changed' });
          problems.push(`${name} cannot be read: ${(err as Error).message}`);
          continue;
        }
        const actual = hash.digest('hex');
        if (actual !== sha) {
          files.push({ name, status: 'changed' });
          problems.push(`${name} was changed: its sha256 is ${actual}, the manifest says ${sha}.`);
        } else files.push({ name, status: 'ok' });
      }
      for (const e of zip.entries) {
        if (SIGNATURE_FILES.has(e.name) || listed.has(e.name)) continue;
        files.push({ name: e.name, status: 'unlisted' });
        problems.push(`${e.name} is in the bundle but not in the manifest (added after export).`);
      }
    });
  } catch (e) {
    problems.push(`The bundle cannot be read as a zip: ${(e as Error).message}`);
  }
  return { ok: problems.length === 0, fingerprint: signer, problems, files };
}

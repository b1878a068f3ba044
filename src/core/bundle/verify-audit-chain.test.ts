import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support';
import { verifyAudit } from '../db/audit';
import { withZip } from '../formats/zip';
import { buildZip } from '../formats/zip/testing/write-zip';
import { annotate } from '../services/annotations';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import { rewriteAuditAsScheme1 } from '../testing/legacy-audit';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportBundle } from './export-bundle';
import type { ManifestAuditEntry } from './audit-manifest';
import { fingerprint, signBytes, type SigningKey } from './signing-key';
import { attackableEd25519 } from './testing/forge-keys';
import { runDocChainScript } from './testing/doc-chain-script';
import { verifyBundle } from './verify-bundle';

// Each bundle below is the examiner's real bundle with one audit entry edited and the manifest
// re-signed with the examiner's own key: the signature, the fingerprint and every file hash hold,
// so only recomputing the audit chain can catch the edit. The script of docs/evidence-bundle.md
// must give the same answer as verify.

const SECRET = 'com.example.secret';

interface Manifest {
  formatVersion: number;
  exportedAt: string;
  redaction: { auditEntriesRedacted: number };
  audit: {
    total: number;
    check: { intact: boolean; firstBroken: number | null };
    entries: ManifestAuditEntry[];
    redactedEntries: number[];
    unverifiableEntries: number[];
  };
}

let t: TempCase;
let examiner: SigningKey;
let original: [string, Buffer][];
let counter = 0;

beforeAll(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({
      app: SECRET,
      category: 'camera',
      id: 'A1',
      ms: Date.UTC(2024, 4, 1, 23),
      durationMs: 60_000,
    }),
    ...accessPair({
      app: 'com.example.maps',
      category: 'location',
      id: 'B1',
      ms: Date.UTC(2024, 4, 2, 9),
      durationMs: 1000,
    }),
  ];
  // The file name quotes the redacted app, so the import's entry is withheld.
  await importFile({
    db: t.session.db,
    path: t.write(`${SECRET}-report.ndjson`, lines),
    deviceId: t.deviceId,
  });
  // The entries so far (case, device, import) become scheme 1, as a case written before payload
  // hashing holds them.
  const db = t.session.db;
  rewriteAuditAsScheme1(db);
  // Scheme 2: one annotation naming the app (withheld), one that does not (published).
  annotate(db, { target: 's:1:A1', note: `${SECRET} used the camera at night` });
  annotate(db, { target: 's:1:B1', note: 'an ordinary drive' });
  expect(verifyAudit(db).intact).toBe(true);

  const pair = attackableEd25519();
  examiner = {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: fingerprint(pair.publicKey),
  };
  const path = join(t.dir, 'bundle.zip');
  await exportBundle(t.session, {
    out: path,
    filter: {},
    version: '1.0.0',
    key: examiner,
    redact: { contexts: false, apps: [SECRET] },
  });
  original = await withZip(path, async (zip) => {
    const out: [string, Buffer][] = [];
    for (const e of zip.entries) out.push([e.name, Buffer.from(await zip.readEntry(e))]);
    return out;
  });
});
afterAll(() => t.cleanup());

function manifest(): Manifest {
  const bytes = original.find(([n]) => n === 'manifest.json')![1];
  return JSON.parse(bytes.toString('utf8')) as Manifest;
}

function entryOf(m: Manifest, seq: number): ManifestAuditEntry {
  const e = m.audit.entries.find((x) => x.seq === seq);
  if (!e) throw new Error(`no audit entry ${seq}`);
  return e;
}

/** The bundle with this manifest text, signed by the examiner's own key. */
function resigned(text: string | Buffer): { path: string; bytes: Buffer } {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const path = join(t.dir, `resigned-${++counter}.zip`);
  const entries = original.map(([name, data]) => ({
    name,
    data:
      name === 'manifest.json'
        ? bytes
        : name === 'manifest.sig'
          ? Buffer.from(signBytes(examiner, bytes) + '\n')
          : data,
  }));
  // Each entry keeps the time the export gave it: the signed export instant.
  const manifestText = original.find(([n]) => n === 'manifest.json')![1].toString('utf8');
  const at = new Date((JSON.parse(manifestText) as { exportedAt: string }).exportedAt);
  writeFileSync(path, buildZip(entries, { modified: at }));
  return { path, bytes };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const text = (m: unknown): string => JSON.stringify(m, null, 2) + '\n';

/**
 * Verify refuses each bundle for its audit chain alone (signer, fingerprint and files hold) with
 * one problem matching its reason, and the documented script stops too, at the same entry (all
 * manifests go to one run of the script).
 */
async function expectChainRefused(
  ...cases: [manifestText: string | Buffer, reason: RegExp][]
): Promise<void> {
  const named: (string | undefined)[] = [];
  const manifests: Buffer[] = [];
  for (const [manifestText, reason] of cases) {
    const { path, bytes } = resigned(manifestText);
    const check = await verifyBundle(path, examiner.fingerprint);
    expect(check.fingerprint).toBe(examiner.fingerprint);
    expect(check.files.every((f) => f.status === 'ok')).toBe(true);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([expect.stringMatching(reason)]);
    named.push(/breaks at (entry \d+|item \d+ of audit\.entries)/.exec(check.problems[0]!)?.[1]);
    manifests.push(bytes);
  }
  const py = runDocChainScript(manifests);
  py?.forEach((answer, i) => {
    expect(answer.code, `the documented script accepts what verify refuses: ${cases[i]![1]}`).toBe(
      1,
    );
    if (named[i] !== undefined) expect(answer.message).toContain(`breaks at ${named[i]}:`);
  });
}

describe('verify recomputes the audit chain published in the manifest', () => {
  it('accepts the real bundle, noting the withheld entry written before payload hashing', async () => {
    const m = manifest();
    expect(m.audit.entries.map((e) => [e.seq, e.scheme, e.redacted])).toEqual([
      [1, 1, false],
      [2, 1, false],
      [3, 1, true],
      [4, 2, true],
      [5, 2, false],
    ]);
    expect(m.audit.unverifiableEntries).toEqual([3]);
    const { path, bytes } = resigned(text(m));
    const check = await verifyBundle(path, examiner.fingerprint);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.notes).toEqual([
      'Audit entry 3 is withheld and was written before Snoopscope hashed payloads (scheme 1): linked into the chain, but not recomputed from the bundle.',
    ]);
    const cli = await runCli(['verify', path, '--fingerprint', examiner.fingerprint]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`\nnote: ${check.notes[0]}\n`);
    const json = await runCli(['verify', path, '--json']);
    expect((JSON.parse(json.stdout) as { notes: string[] }).notes).toEqual(check.notes);
    const py = runDocChainScript([bytes]);
    if (py) {
      expect(py[0]).toMatchObject({ code: 0, message: '' });
      expect(py[0]!.notes).toEqual([
        'note: entries [3] are withheld scheme-1 entries: linked, not recomputed',
      ]);
    }
  });

  it('names a published scheme-2 entry whose details were edited', async () => {
    const m = manifest();
    const e = entryOf(m, 5);
    e.details = e.details!.replace('an ordinary drive', 'a night drive');
    const edited = text(m);
    // With the payload hash recomputed from the salt, the entry's own hash no longer holds.
    e.payloadSha256 = sha256(`${e.salt}\n${e.details}`);
    await expectChainRefused(
      [
        edited,
        /^manifest\.json: the audit chain breaks at entry 5: its salt and details do not give its payloadSha256/,
      ],
      [
        text(m),
        /^manifest\.json: the audit chain breaks at entry 5: its hash does not match its seq, at, action and payloadSha256\.$/,
      ],
    );
  });

  it('names a published scheme-1 entry whose details were edited', async () => {
    const m = manifest();
    const e = entryOf(m, 2);
    e.details = e.details!.replace('Phone A', 'Phone B');
    await expectChainRefused([
      text(m),
      /^manifest\.json: the audit chain breaks at entry 2: its hash does not match its seq, at, action and details\.$/,
    ]);
  });

  it('names a withheld entry whose time or action was edited', async () => {
    const m = manifest();
    entryOf(m, 4).at += 3_600_000;
    const n = manifest();
    entryOf(n, 4).action = 'import';
    await expectChainRefused(
      [text(m), /breaks at entry 4: its hash does not match/],
      [text(n), /breaks at entry 4: its hash does not match/],
    );
  });

  it('catches a withheld scheme-1 entry whose hash was replaced at the next entry', async () => {
    const m = manifest();
    entryOf(m, 3).hash = sha256('another entry');
    await expectChainRefused([
      text(m),
      /^manifest\.json: the audit chain breaks at entry 4: its prevHash is not the hash of entry 3\.$/,
    ]);
  });

  it('names removed, reordered and renumbered entries, and a first entry not linked to 64 zeros', async () => {
    const removed = manifest();
    removed.audit.entries.splice(1, 1);
    const swapped = manifest();
    const [four, five] = swapped.audit.entries.splice(3, 2);
    swapped.audit.entries.push(five!, four!);
    const renumbered = manifest();
    entryOf(renumbered, 5).seq = 6;
    renumbered.audit.total = 6;
    const unlinked = manifest();
    entryOf(unlinked, 1).prevHash = 'f'.repeat(64);
    await expectChainRefused(
      [text(removed), /breaks at entry 3: it follows entry 1, so it should be entry 2/],
      [text(swapped), /breaks at entry 5: it follows entry 3/],
      [text(renumbered), /breaks at entry 6: it follows entry 4/],
      [
        text(unlinked),
        /breaks at entry 1: it is the first entry of the case, but its prevHash is not 64 zeros/,
      ],
    );
  });

  it('catches entries cut from the end, and lists that do not describe the entries', async () => {
    const cut = manifest();
    cut.audit.entries.pop();
    const unlisted = manifest();
    unlisted.audit.unverifiableEntries = [];
    const miscounted = manifest();
    miscounted.redaction.auditEntriesRedacted = 1;
    // Withholding one more entry without saying so.
    const hidden = manifest();
    Object.assign(entryOf(hidden, 5), { details: null, salt: null, redacted: true });
    hidden.redaction.auditEntriesRedacted = 3;
    await expectChainRefused(
      [
        text(cut),
        /^manifest\.json: audit\.total is 5, but the last published audit entry is entry 4/,
      ],
      [
        text(unlisted),
        /^manifest\.json: audit\.unverifiableEntries does not list exactly the withheld scheme-1 entries \(3\)\.$/,
      ],
      [text(miscounted), /redaction\.auditEntriesRedacted is not 2/],
      [
        text(hidden),
        /^manifest\.json: audit\.redactedEntries does not list exactly the entries that withhold their details \(3, 4, 5\)\.$/,
      ],
    );
  });

  it('refuses entries whose fields could be read two ways', async () => {
    const edits: [(e: Record<string, unknown>) => void, RegExp][] = [
      [(e) => (e.at = String(e.at)), /breaks at entry 5: at is not a whole number/],
      [(e) => (e.at = (e.at as number) + 0.5), /breaks at entry 5: at is not a whole number/],
      [(e) => (e.at = 2 ** 53), /breaks at entry 5: at is not a whole number/],
      [(e) => (e.seq = true), /breaks at item 5 of audit\.entries: seq is not a whole number/],
      [(e) => (e.action = 'annotation\nx'), /breaks at entry 5: action is not a one-line text/],
      [(e) => (e.details = '{"note":"\ud800"}'), /breaks at entry 5: details is neither a text/],
      [(e) => (e.salt = (e.salt as string).toUpperCase()), /breaks at entry 5: salt is not 32/],
      [(e) => (e.redacted = true), /breaks at entry 5: it is marked redacted but publishes/],
      [(e) => (e.scheme = 3), /breaks at entry 5: scheme is neither 1 nor 2/],
      [(e) => delete e.payloadSha256, /breaks at entry 5: payloadSha256 is not 64/],
    ];
    const cases = edits.map(([edit, reason]): [string, RegExp] => {
      const m = manifest();
      edit(entryOf(m, 5) as unknown as Record<string, unknown>);
      return [text(m), reason];
    });
    const m = manifest();
    (m.audit.entries as unknown[])[2] = 'entry 3';
    await expectChainRefused(...cases, [
      text(m),
      /breaks at item 3 of audit\.entries: it is not an object/,
    ]);
  });

  it('refuses a manifest not in UTF-8, without its audit log, of an unknown version, or claiming version 1 to skip the check', async () => {
    const none = manifest() as unknown as Record<string, unknown>;
    delete none.audit;
    const newer = manifest();
    newer.formatVersion = 4;
    const older = manifest();
    older.formatVersion = 1;
    entryOf(older, 5).details = '{"note":"edited"}';
    // A byte that is not UTF-8 inside the case name: read leniently it would become U+FFFD.
    const latin1 = Buffer.from(text(manifest()).replace('"name": "case"', '"name": "case\u0000"'));
    latin1[latin1.indexOf(0)] = 0xff;
    await expectChainRefused(
      [latin1, /^manifest\.json is not valid JSON in UTF-8\.$/],
      [text(none), /^manifest\.json has no audit log \(audit\.entries\)/],
      [text(newer), /^manifest\.json is format version 4; this Snoopscope reads versions 1 to 3/],
      [
        text(older),
        /^manifest\.json says format version 1, yet its audit entries carry the inputs/,
      ],
    );
  });

  it('notes, without failing, what a manifest of version 1 and an altered case cannot show', async () => {
    const m = manifest() as unknown as Record<string, unknown> & Manifest;
    m.formatVersion = 1;
    // Version 1 entries: {seq, at, action, details, hash}, newest first.
    (m.audit as unknown as { entries: unknown[] }).entries = m.audit.entries
      .map((e) => ({ seq: e.seq, at: e.at, action: e.action, details: {}, hash: e.hash }))
      .reverse();
    const old = await verifyBundle(resigned(text(m)).path, examiner.fingerprint);
    expect(old.ok).toBe(true);
    expect(old.notes).toEqual([
      expect.stringMatching(
        /^manifest\.json is format version 1, .* its chain cannot be recomputed from the bundle/,
      ),
      expect.stringMatching(/^manifest\.json is format version 1, whose entries' times in the zip/),
    ]);
    const altered = manifest();
    altered.audit.check = { ...altered.audit.check, intact: false, firstBroken: 2 };
    const check = await verifyBundle(resigned(text(altered)).path, examiner.fingerprint);
    expect(check.ok).toBe(true);
    expect(check.notes[0]).toBe(
      "At export, the examiner's case found its own audit log altered at entry 2.",
    );
  });

  it("checks every entry's time against the signed export instant from version 3, and notes that version 2 does not bind them", async () => {
    const m = manifest();
    const at = new Date(m.exportedAt);
    const later = new Date(at.getTime() + 86_400_000);
    // The bundle with this manifest, signed by the examiner, each entry with the time given.
    const zipWith = (times: (name: string) => Date, manifestText = text(m)): string => {
      const bytes = Buffer.from(manifestText, 'utf8');
      const content = (name: string, data: Buffer): Buffer =>
        name === 'manifest.json'
          ? bytes
          : name === 'manifest.sig'
            ? Buffer.from(signBytes(examiner, bytes) + '\n')
            : data;
      const path = join(t.dir, `times-${++counter}.zip`);
      writeFileSync(
        path,
        buildZip(
          original.map(([name, data]) => ({
            name,
            data: content(name, data),
            modified: times(name),
          })),
        ),
      );
      return path;
    };
    // The export's own times hold.
    expect(
      await verifyBundle(
        zipWith(() => at),
        examiner.fingerprint,
      ),
    ).toMatchObject({
      ok: true,
      problems: [],
    });
    // One file's date moved a day, in both headers: verify names it.
    const moved = await verifyBundle(
      zipWith((name) => (name === 'events.csv' ? later : at)),
      examiner.fingerprint,
    );
    expect(moved.ok).toBe(false);
    expect(moved.problems).toEqual([
      expect.stringMatching(
        /^events\.csv has the time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d in the zip, not the export time the signed manifest states \(.* UTC\): the zip was changed after export\.$/,
      ),
    ]);
    // A manifest without a readable export instant cannot have its entries' times checked.
    const undated = { ...m, exportedAt: 'yesterday' };
    const noInstant = await verifyBundle(
      zipWith(() => at, text(undated)),
      examiner.fingerprint,
    );
    expect(noInstant.problems).toEqual([
      "manifest.json gives no export time as an ISO-8601 UTC instant (exportedAt), so its entries' times cannot be checked.",
    ]);
    // Version 2 carried the exporting machine's clock: any times pass, with a note.
    const v2 = { ...m, formatVersion: 2 };
    const older = await verifyBundle(
      zipWith((name) => (name === 'events.csv' ? later : at), text(v2)),
      examiner.fingerprint,
    );
    expect(older.ok).toBe(true);
    expect(older.notes).toContainEqual(
      expect.stringMatching(
        /^manifest\.json is format version 2, whose entries' times in the zip are not bound/,
      ),
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  countStatuses,
  fileStatusLabel,
  fingerprintLooksValid,
  missingSignerNote,
  normaliseFingerprint,
  sortFiles,
  verdict,
  type VerifyResult,
} from './verify-model';

const FP = 'ab12 cd34 ef56 7890 ab12 cd34 ef56 7890 ab12 cd34 ef56 7890 ab12 cd34 ef56 7890';

describe('verdict', () => {
  it('calls a clean bundle intact', () => {
    const r: VerifyResult = {
      ok: true,
      fingerprint: FP,
      notes: [],
      problems: [],
      files: [
        { name: 'events.csv', status: 'ok' },
        { name: 'manifest.json', status: 'ok' },
      ],
    };
    expect(verdict(r)).toEqual({
      intact: true,
      title: 'Intact',
      detail: 'The signature is valid and all 2 listed files match the manifest.',
    });
  });

  it('counts problems and file statuses when not intact', () => {
    const r: VerifyResult = {
      ok: false,
      fingerprint: null,
      notes: [],
      problems: ['events.csv was changed', 'x.txt is in the bundle but not in the manifest'],
      files: [
        { name: 'events.csv', status: 'changed' },
        { name: 'x.txt', status: 'unlisted' },
        { name: 'report.pdf', status: 'ok' },
      ],
    };
    const v = verdict(r);
    expect(v.intact).toBe(false);
    expect(v.title).toBe('NOT intact');
    expect(v.detail).toBe(
      '2 problems found (files: 1 changed, 1 added). Do not rely on this bundle.',
    );
  });

  it('is not intact even with no file listed (an unreadable zip)', () => {
    const v = verdict({
      ok: false,
      fingerprint: null,
      problems: ['cannot read'],
      notes: [],
      files: [],
    });
    expect(v.detail).toBe('1 problem found. Do not rely on this bundle.');
  });
});

describe('a missing signer', () => {
  it('says whether the bundle was not read at all or its key was refused', () => {
    expect(
      missingSignerNote({
        ok: false,
        fingerprint: null,
        notes: [],
        problems: ['/x.zip does not exist.'],
        files: [],
      }),
    ).toMatch(/^The bundle could not be checked/);
    expect(
      missingSignerNote({
        ok: false,
        fingerprint: null,
        notes: [],
        problems: [
          'signer.pub.pem holds an RSA key; Snoopscope bundles are signed with Ed25519 only.',
        ],
        files: [{ name: 'events.csv', status: 'ok' }],
      }),
    ).toMatch(/^No valid Ed25519 signer key was found/);
  });
});

describe('files', () => {
  it('puts problems first and labels every status in words', () => {
    const files: VerifyResult['files'] = [
      { name: 'b.csv', status: 'ok' },
      { name: 'z.csv', status: 'missing' },
      { name: 'a.csv', status: 'ok' },
      { name: 'c.csv', status: 'changed' },
    ];
    expect(sortFiles(files).map((f) => f.name)).toEqual(['c.csv', 'z.csv', 'a.csv', 'b.csv']);
    expect(countStatuses(files)).toEqual({
      ok: 2,
      changed: 1,
      missing: 1,
      unlisted: 0,
      ambiguous: 0,
    });
    expect(fileStatusLabel('ok')).toBe('Matches');
    expect(fileStatusLabel('unlisted')).toMatch(/ADDED/);
    expect(fileStatusLabel('ambiguous')).toMatch(/AMBIGUOUS/);
  });

  it('counts a file that zip tools could read differently as ambiguous, never as matching', () => {
    const r: VerifyResult = {
      ok: false,
      fingerprint: FP,
      notes: [],
      problems: ['The name "events.csv" appears 2 times in the archive.'],
      files: [
        { name: 'events.csv', status: 'ambiguous' },
        { name: 'network.csv', status: 'ok' },
      ],
    };
    expect(sortFiles(r.files)[0]).toEqual({ name: 'events.csv', status: 'ambiguous' });
    expect(verdict(r).detail).toBe(
      '1 problem found (files: 1 ambiguous). Do not rely on this bundle.',
    );
  });
});

describe('fingerprints', () => {
  it('ignores spacing, colons and case', () => {
    expect(normaliseFingerprint('AB:12 cd')).toBe('ab12cd');
    expect(fingerprintLooksValid(FP.toUpperCase())).toBe(true);
    expect(fingerprintLooksValid('ab12')).toBe(false);
  });
});

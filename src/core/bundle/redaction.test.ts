import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportBundle } from './export-bundle';
import { createRedactor } from './redaction';
import { installationKey } from './signing-key';

let t: TempCase;
beforeEach(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({
      app: 'com.evil',
      category: 'photos',
      id: 'A',
      ms: Date.UTC(2024, 4, 1),
      durationMs: 1,
    }),
    ...accessPair({
      app: 'com.evil.helper',
      category: 'camera',
      id: 'B',
      ms: Date.UTC(2024, 4, 1, 2),
      durationMs: 1,
    }),
  ];
  await importFile({ db: t.session.db, path: t.write('apr.ndjson', lines), deviceId: t.deviceId });
  t.session.db
    .prepare("UPDATE apps SET display_name = 'Spy (Pro)' WHERE identifier = 'com.evil'")
    .run();
  t.session.db
    .prepare('UPDATE devices SET serial = ?, udid = ? WHERE id = ?')
    .run('F2LXK1234567', '00008030-001A2B3C4D5E6F70', t.deviceId);
});
afterEach(() => t.cleanup());

describe('createRedactor', () => {
  it('replaces an app and its display name in any case, inside longer text, in one pass', () => {
    const r = createRedactor(
      t.session.db,
      { contexts: false, apps: ['COM.EVIL', 'com.evil'] },
      {
        unmask: true,
      },
    );
    expect(r.apps).toBe(1);
    expect(r.text('com.Evil.helper talks to api.COM.EVIL.net for spy (pro)')).toBe(
      'redacted-app-1.helper talks to api.redacted-app-1.net for redacted-app-1',
    );
    // Regular-expression characters in a name are matched literally.
    expect(r.text('Spy Pro')).toBe('Spy Pro');
    expect(r.mentions('x SPY (PRO) y')).toBe(true);
    expect(r.mentions('com.other')).toBe(false);
    expect(r.deep({ 'com.evil': ['a', 'Com.Evil'], n: 3, b: null })).toEqual({
      'redacted-app-1': ['a', 'redacted-app-1'],
      n: 3,
      b: null,
    });
  });

  it('numbers apps in the order given and never rewrites one alias into another', () => {
    const r = createRedactor(
      t.session.db,
      { contexts: false, apps: ['com.evil.helper', 'com.evil', 'redacted-app-1'] },
      { unmask: true },
    );
    expect(r.text('com.evil.helper com.evil')).toBe('redacted-app-1 redacted-app-2');
  });

  it('masks device identifiers in free text unless unmasked, and blanks contexts when asked', () => {
    const masked = createRedactor(t.session.db, { contexts: true, apps: [] }, { unmask: false });
    expect(masked.text('/backups/00008030-001A2B3C4D5E6F70/Manifest.db')).toBe(
      '/backups/••••••••-••••••••••••6F70/Manifest.db',
    );
    expect(masked.mentions('serial f2lxk1234567')).toBe(true);
    expect(masked.context('https://secret.example')).toBe('[redacted]');
    expect(masked.context(null)).toBeNull();
    const shown = createRedactor(t.session.db, { contexts: false, apps: [] }, { unmask: true });
    expect(shown.text('F2LXK1234567')).toBe('F2LXK1234567');
    expect(shown.context('https://a.example')).toBe('https://a.example');
  });
});

describe('exportBundle', () => {
  it('refuses a redaction with copies of the sources (INVALID_INPUT) and writes nothing', async () => {
    const out = join(t.dir, 'b.zip');
    for (const redact of [
      { contexts: true, apps: [] },
      { contexts: false, apps: ['com.evil'] },
    ])
      await expect(
        exportBundle(t.session, {
          out,
          filter: {},
          version: '1',
          key: installationKey(join(t.dir, 'user')),
          redact,
          includeSources: true,
        }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/cannot include copies of the sources/),
      });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});

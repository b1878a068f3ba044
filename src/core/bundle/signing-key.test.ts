import { createHash, generateKeyPairSync } from 'node:crypto';
import type * as nodeFs from 'node:fs';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/test-support';
import { createCoreApp } from '../create-core-app';
import { CaseSession } from '../services/case-service';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import {
  fingerprint,
  installationKey,
  keyCreatedMessage,
  readSignerKey,
  SIGNING_KEY_FILE,
} from './signing-key';

// existsSync is wrapped so a test can make the key file appear between the check and the write,
// as when two exports create the key at the same moment.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof nodeFs>();
  return { ...fs, existsSync: vi.fn(fs.existsSync) };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-key-'));
});
afterEach(() => {
  delete process.env.SNOOPSCOPE_USER_DATA;
  rmSync(dir, { recursive: true, force: true });
});

describe('the signer key a bundle carries', () => {
  it('accepts the PEM Snoopscope writes (LF or CRLF) and keeps the fingerprint old bundles were given', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const der = publicKey.export({ format: 'der', type: 'spki' });
    // The fingerprint published for bundles made before the stricter checks.
    const before = (
      createHash('sha256').update(der.subarray(-32)).digest('hex').match(/.{4}/g) ?? []
    ).join(' ');
    for (const text of [pem, pem.replace(/\n/g, '\r\n'), pem.trimEnd()]) {
      const key = readSignerKey(text);
      expect(key).toMatchObject({ ok: true, fingerprint: before });
    }
    expect(fingerprint(publicKey)).toBe(before);
  });

  it('names the type of any other key, and takes no fingerprint of it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const ed448 = generateKeyPairSync('ed448').publicKey;
    const x25519 = generateKeyPairSync('x25519').publicKey;
    const cases = [
      [rsa, 'an RSA key'],
      [ec, 'an EC (elliptic-curve) key'],
      [ed448, 'an Ed448 key'],
      [x25519, 'an X25519 key'],
    ] as const;
    for (const [key, name] of cases) {
      const text = key.export({ format: 'pem', type: 'spki' }).toString();
      expect(readSignerKey(text)).toEqual({
        ok: false,
        reason: `signer.pub.pem holds ${name}; Snoopscope bundles are signed with Ed25519 only.`,
      });
      expect(() => fingerprint(key)).toThrow(/Ed25519 keys only/);
    }
  });
});

describe('the installation key', () => {
  it('says when it was created, once, and names the file', () => {
    const user = join(dir, 'user');
    const first = installationKey(user);
    expect(first.created).toBe(true);
    expect(first.file).toBe(join(user, SIGNING_KEY_FILE));
    expect(keyCreatedMessage(first)).toBe(
      `Created this installation's signing key ${join(user, SIGNING_KEY_FILE)} with fingerprint ${first.fingerprint}: back the file up (a lost key cannot be recovered) and publish the fingerprint so readers can check bundles with verify --fingerprint.`,
    );
    const again = installationKey(user);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('uses the key another export created at the same moment instead of failing', () => {
    const user = join(dir, 'user');
    const theirs = installationKey(user);
    vi.mocked(existsSync).mockReturnValueOnce(false);
    const mine = installationKey(user);
    expect(mine.created).toBe(false);
    expect(mine.fingerprint).toBe(theirs.fingerprint);
  });

  it('refuses a key file that holds another type of key', () => {
    const user = join(dir, 'user');
    mkdirSync(user);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    writeFileSync(join(user, SIGNING_KEY_FILE), rsa.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => installationKey(user)).toThrow(
      `${join(user, SIGNING_KEY_FILE)} holds an RSA key; Snoopscope signs with Ed25519 keys only.`,
    );
  });
});

describe('announcing a new key on export', () => {
  async function newCase(): Promise<string> {
    const casePath = join(dir, 'c.snoopcase');
    const session = CaseSession.create(casePath);
    try {
      const device = session.createDevice({ label: 'A', platform: 'ios' });
      const apr = join(dir, 'apr.ndjson');
      writeFileSync(
        apr,
        accessPair({
          app: 'com.example',
          category: 'photos',
          id: 'A',
          ms: Date.UTC(2024, 4, 1, 1),
          durationMs: 5000,
        }).join('\n') + '\n',
      );
      await importFile({ db: session.db, path: apr, deviceId: device.id });
    } finally {
      session.close();
    }
    return casePath;
  }

  it('the CLI says on stderr, in one line, on the export that created the key only', async () => {
    process.env.SNOOPSCOPE_USER_DATA = join(dir, 'user');
    const casePath = await newCase();
    const first = await runCli(['export', casePath, '--out', join(dir, 'a.zip')]);
    expect(first.code).toBe(0);
    const file = join(dir, 'user', SIGNING_KEY_FILE);
    const lines = first.stderr.split('\n').filter((l) => l.includes('signing key'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^snoopscope: Created this installation's signing key ${file.replace(/[.\\/]/g, '\\$&')} with fingerprint [0-9a-f ]{79}: back the file up .* publish the fingerprint`,
        ),
      ),
    ]);
    const second = await runCli(['export', casePath, '--out', join(dir, 'b.zip')]);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toMatch(/signing key/);
  });

  it('the app returns a keyCreated notice with the first export only', async () => {
    const casePath = await newCase();
    const core = createCoreApp({ userDataDir: join(dir, 'app'), host: 'cli', version: '0' });
    try {
      const h = core.handlers;
      await h.openCase({ path: casePath });
      const first = await h.exportBundle({ path: join(dir, 'a.zip'), filter: {} });
      expect(first.keyCreated).toEqual({
        path: join(dir, 'app', SIGNING_KEY_FILE),
        fingerprint: first.fingerprint,
      });
      const second = await h.exportBundle({ path: join(dir, 'b.zip'), filter: {} });
      expect(second.keyCreated).toBeUndefined();
    } finally {
      await core.dispose();
    }
  });
});

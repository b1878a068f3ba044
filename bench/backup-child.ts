// Backup figures: listing, parsing (the importers alone, no case) and importing through the one
// import pipeline a generated backup with a 10,000-row Manifest.db (plain and encrypted),
// decryption throughput once the keys are known, and the key-derivation time of a real backup's
// iteration counts estimated from this machine's measured PBKDF2 rate.
// Usage: backup-child.ts <workdir>
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  decryptFile,
  decryptFileChunks,
  estimateDerivationSeconds,
  measurePbkdf2Rate,
} from '../src/core/formats/ios-backup-crypto';
import {
  createTestBackupKeys,
  encryptTestFile,
} from '../src/core/formats/ios-backup-crypto/test-backup';
import { importBackupDevice } from '../src/core/services/backup-import';
import { listBackups } from '../src/core/importers/ios-backup/discover';
import { driveBackup, mapCache } from '../src/core/importers/ios-backup/parse-driver';
import { CaseSession } from '../src/core/services/case-service';
import { writeDemoBackup } from '../src/core/testing/ios-backup-demo';

const work = mkdtempSync(join(process.argv[2] ?? '.', 'backup-'));
const ROWS = 10_000;
const lines: string[] = [];
const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
};
/** The best of three runs. */
const best = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
  let min = Infinity;
  for (let i = 0; i < 3; i += 1) min = Math.min(min, (await time(fn))[1]);
  return min;
};

try {
  for (const password of [undefined, 'bench-pass']) {
    const dir = join(work, password ? 'encrypted' : 'plain');
    // The demo artifacts plus filler rows: about 10,000 Manifest.db rows in all.
    writeDemoBackup(dir, { password, fillerRows: ROWS - 10 });
    const [list, listMs] = await time(() => listBackups([dir]));
    const session = CaseSession.create(join(work, `${password ? 'enc' : 'plain'}.snoopcase`));
    // The floor: the container and member importers' parse alone, without a case.
    const [, parseMs] = await time(() => driveBackup(dir, { password, cache: mapCache() }));
    const [r, importMs] = await time(() => importBackupDevice(session, dir, { password }));
    session.close();
    const records = r.artifacts.reduce((n, o) => n + o.counts.records, 0);
    lines.push(
      `${(password ? 'encrypted' : 'plain').padEnd(9)} list ${listMs.toFixed(0).padStart(5)} ms (${list.length} backup, size read)` +
        `  parse ${parseMs.toFixed(0).padStart(5)} ms` +
        `  import ${importMs.toFixed(0).padStart(5)} ms through the pipeline (${(importMs / parseMs).toFixed(1)}x the parse; ` +
        `${r.artifacts.length} artifacts, ${records} records${password ? ', test keybag with 10 iterations' : ''})`,
    );
  }

  const keys = createTestBackupKeys({ password: 'x' });
  const plain = randomBytes(64 << 20);
  const enc = encryptTestFile(plain, keys, 3);
  const memMs = await best(() =>
    decryptFile(enc.ciphertext, enc.encryptionKey, 3, keys.classKeys, enc.size),
  );
  const file = join(work, 'payload');
  writeFileSync(file, enc.ciphertext);
  const streamMs = await best(async () => {
    let n = 0;
    for await (const c of decryptFileChunks(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      enc.encryptionKey,
      3,
      keys.classKeys,
      enc.size,
    ))
      n += c.length;
    return n;
  });
  const mb = plain.length / 1e6;
  lines.push(
    `decrypt   ${(mb / (memMs / 1000)).toFixed(0)} MB/s in memory, ${(mb / (streamMs / 1000)).toFixed(0)} MB/s streamed from disk (AES-256-CBC, ${mb.toFixed(0)} MB file)`,
  );
  const rate = await measurePbkdf2Rate();
  const seconds = estimateDerivationSeconds(
    { ...keys.keybag, iterations: 10_000, dpic: 10_000_000 },
    rate,
  );
  lines.push(
    `derive    ~${seconds.toFixed(1)} s estimated for a real backup keybag (10,000,000 PBKDF2-SHA256 + 10,000 PBKDF2-SHA1 rounds; ` +
      `${Math.round(rate.sha256).toLocaleString('en-US')} SHA-256 rounds/s measured)`,
  );
  console.log(JSON.stringify({ report: lines.join('\n') }));
} finally {
  rmSync(work, { recursive: true, force: true });
}

// One measurement in its own process, so peak memory (maxRSS) belongs to it alone.
// Usage: import-child.ts floor|import|bound <export> <workdir> (bound after import, in the same workdir)
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CaseSession } from '../src/core/services/case-service';
import { importFile } from '../src/core/services/import-run';
import { measureBound } from './storage-bound';

const [mode, file, work] = process.argv.slice(2) as [string, string, string];

/**
 * The floor: stream + sha256 of the file + JSON.parse + batched prepared inserts of every row,
 * raw line included, into an unindexed table.
 */
async function floor(): Promise<number> {
  const path = join(work, 'floor.sqlite');
  rmSync(path, { force: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE rows (type TEXT, app TEXT, category TEXT, identifier TEXT, kind TEXT, ts TEXT, line INTEGER, raw TEXT)',
  );
  const insert = db.prepare('INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  let n = 0;
  db.exec('BEGIN');
  const hash = createHash('sha256');
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  input.on('data', (c) => hash.update(c));
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    n += 1;
    if (line === '') continue;
    const o = JSON.parse(line) as Record<string, unknown> & { accessor?: { identifier?: string } };
    insert.run(
      String(o.type),
      String(o.accessor?.identifier ?? o.bundleID ?? ''),
      String(o.category ?? o.domain ?? ''),
      String(o.identifier ?? ''),
      String(o.kind ?? ''),
      String(o.timeStamp ?? ''),
      n,
      line,
    );
  }
  db.exec('COMMIT');
  db.close();
  hash.digest('hex');
  return n;
}

async function fullImport(): Promise<number> {
  const path = join(work, 'import.snoopcase');
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const c = CaseSession.create(path);
  const d = c.createDevice({ label: 'bench' });
  const o = await importFile({ db: c.db, path: file, deviceId: d.id });
  if (o.status !== 'imported') throw new Error(`import ${o.status}: ${o.error}`);
  c.db.pragma('wal_checkpoint(TRUNCATE)');
  c.close();
  sessions = o.counts.sessions;
  caseBytes = statSync(path).size;
  return o.counts.lines;
}

/**
 * The storage bound (see storage-bound.ts) of the import that wrote `import.snoopcase` here: the
 * floor's reading (stream, sha256, `JSON.parse` of each line) with the lines kept in compressed
 * blocks, then the rows the views read stored with their keys and indexed by one sort each.
 */
async function bound(): Promise<void> {
  const figures = await measureBound(
    join(work, 'import.snoopcase'),
    join(work, 'bound.sqlite'),
    async (keep) => {
      const hash = createHash('sha256');
      const input = createReadStream(file, { highWaterMark: 1 << 20 });
      input.on('data', (c) => hash.update(c));
      let n = 0;
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        n += 1;
        if (line === '') continue;
        JSON.parse(line);
        keep(line);
      }
      hash.digest('hex');
      return n;
    },
  );
  process.stdout.write(
    JSON.stringify({ mode, ...figures, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
}

let sessions = 0;
let caseBytes = 0;

if (mode === 'bound') await bound();
else {
  const t0 = process.hrtime.bigint();
  const lines = mode === 'floor' ? await floor() : await fullImport();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    JSON.stringify({
      mode,
      lines,
      seconds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      sessions,
      caseBytes,
    }) + '\n',
  );
}

import type { Db } from '../db/open';
import { caseVersion } from './case-memo';

/**
 * The session stats' blobs a timeline reads, kept in memory per connection until the case
 * changes. A view that counts a minimum duration the rollup does not hold reads every blob of its
 * range: the whole year's four-week blobs of the 10M-session case are 21.5 MB, which SQLite hands
 * over in 10-30 ms each time (its page cache holds the pages, but each blob is copied out of its
 * overflow pages again). Kept here, the next view of the same range, or of an overlapping one,
 * reads only the blobs it has not read yet. At most `STATS_BLOB_BYTES` are kept, the ones read
 * longest ago let go first.
 */
export const STATS_BLOB_BYTES = 32 << 20;

interface Kept {
  /** What the case was when the blobs were read ({@link caseVersion}). */
  version: string;
  blobs: Map<string, Uint8Array>;
  bytes: number;
}

const kept = new WeakMap<Db, Kept>();

/**
 * The stats blobs of `level` in `fromBucket..toBucket` (of `devices` only, when given), as
 * `[device, bucket, blob]` in the table's order (device, then bucket within a level). Read in one
 * transaction: the blobs listed and those read are of one state of the case, and kept ones are
 * used only while the case is what it was when they were read.
 */
export function statsBlobs(
  db: Db,
  level: number,
  fromBucket: number,
  toBucket: number,
  devices: readonly number[] | null,
  limit = STATS_BLOB_BYTES,
): [number, number, Uint8Array][] {
  return db.transaction(() => {
    const listed = db
      .prepare(
        `SELECT device_id, bucket FROM session_stats WHERE level = ? AND bucket >= ? AND bucket <= ?
         ${devices ? `AND device_id IN (${devices.map(() => '?').join(', ')})` : ''}`,
      )
      .raw()
      .all(level, fromBucket, toBucket, ...(devices ?? [])) as [number, number][];
    const version = caseVersion(db);
    let k = kept.get(db);
    if (!k || k.version !== version) {
      k = { version, blobs: new Map(), bytes: 0 };
      kept.set(db, k);
    }
    const read = db.prepare(
      'SELECT cells FROM session_stats WHERE level = ? AND device_id = ? AND bucket = ?',
    );
    const out: [number, number, Uint8Array][] = [];
    for (const [deviceId, bucket] of listed) {
      const key = `${level}:${deviceId}:${bucket}`;
      let blob = k.blobs.get(key);
      if (blob) {
        // Most recently read last: the first is the one to let go.
        k.blobs.delete(key);
        k.blobs.set(key, blob);
      } else {
        const cells = read.pluck().get(level, deviceId, bucket) as Uint8Array | null | undefined;
        // Not a blob (a crafted case): read as no cells, as the stats' readers read bad bytes.
        blob = cells instanceof Uint8Array ? cells : new Uint8Array(0);
        k.blobs.set(key, blob);
        k.bytes += blob.length;
        // Let go of the least recently read (this one too, when it alone is over the limit).
        for (const [old, b] of k.blobs) {
          if (k.bytes <= limit) break;
          k.blobs.delete(old);
          k.bytes -= b.length;
        }
      }
      out.push([deviceId, bucket, blob]);
    }
    return out;
  })();
}

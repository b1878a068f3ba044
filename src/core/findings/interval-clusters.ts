import { toCategory, type Category } from '../../contract/categories';
import type { Finding } from '../../contract/findings';
import type { Db } from '../db/open';
import { deviceSourcesList } from '../db/sources-stamp';
import { resourceName } from './common';

/** How far from the shared length (in whole seconds) an interval may be and still count. */
export const CLUSTER_TOLERANCE_S = 2;
/** How many apps must share the length. */
export const CLUSTER_MIN_APPS = 3;
/** The fewest closed intervals an app needs for its share to count. */
export const CLUSTER_MIN_INTERVALS = 3;

/** A length most of several apps' intervals of one resource have on a device. */
export interface IntervalCluster {
  category: Category;
  /** The shared length, whole seconds. */
  seconds: number;
  /** The apps whose intervals mostly have it (app ids of the device). */
  appIds: number[];
  /** The share of all closed intervals of the resource on the device within the tolerance. */
  share: number;
  /** What the cluster means and does not mean, in words. */
  note: string;
}

/** Closed intervals of one resource on a device: app id -> whole seconds -> how many. */
export type IntervalHistogram = Map<number, Map<number, number>>;

/**
 * The shared length of one resource's intervals, or null: a length L such that at least
 * {@link CLUSTER_MIN_APPS} apps (each with {@link CLUSTER_MIN_INTERVALS} closed intervals or more)
 * have more than half of their intervals within ±{@link CLUSTER_TOLERANCE_S} s of L. Of several,
 * the one most apps share, then the one most intervals are near, then the most common length.
 */
export function findCluster(
  hist: IntervalHistogram,
): { seconds: number; appIds: number[]; share: number } | null {
  const totals = new Map<number, number>();
  let all = 0;
  const perApp: { appId: number; bins: Map<number, number>; total: number }[] = [];
  for (const [appId, bins] of hist) {
    let total = 0;
    for (const [s, n] of bins) {
      total += n;
      totals.set(s, (totals.get(s) ?? 0) + n);
    }
    all += total;
    if (total >= CLUSTER_MIN_INTERVALS) perApp.push({ appId, bins, total });
  }
  if (perApp.length < CLUSTER_MIN_APPS) return null;
  // The lengths that are most common are the only candidates worth testing (bounded work).
  const candidates = [...totals]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 64)
    .map(([s]) => s);
  const near = (bins: Map<number, number>, L: number): number => {
    let n = 0;
    for (let s = L - CLUSTER_TOLERANCE_S; s <= L + CLUSTER_TOLERANCE_S; s += 1)
      n += bins.get(s) ?? 0;
    return n;
  };
  let best: { seconds: number; appIds: number[]; within: number } | null = null;
  for (const L of candidates) {
    const appIds = perApp.filter((a) => near(a.bins, L) * 2 > a.total).map((a) => a.appId);
    if (appIds.length < CLUSTER_MIN_APPS) continue;
    const within = near(totals, L);
    // Candidates come most common first, so of equal ones the most common length wins.
    if (
      !best ||
      appIds.length > best.appIds.length ||
      (appIds.length === best.appIds.length && within > best.within)
    )
      best = { seconds: L, appIds: appIds.sort((a, b) => a - b), within };
  }
  return best ? { seconds: best.seconds, appIds: best.appIds, share: best.within / all } : null;
}

/** What a shared interval length means, in words (never "read for N seconds"). */
export function clusterNote(category: Category, seconds: number, apps: number): string {
  return `On this device ${apps} apps' intervals of ${resourceName(category)} mostly last about ${seconds} s: a length the system's record-keeping gives such intervals, shared across apps. It shows when the system recorded an access as open, not how long the app used ${resourceName(category)} or how much it took; intervals of this length say nothing about one app beyond the others.`;
}

/** Clusters computed per connection and device, with the stamp of the device's sources. */
const cache = new WeakMap<Db, Map<number, { stamp: string; clusters: IntervalCluster[] }>>();

/**
 * The shared interval lengths of a device, per resource (closed intervals only). Kept per
 * connection until the device's sources change: the grouping reads every session of the device.
 */
export function deviceIntervalClusters(db: Db, deviceId: number): IntervalCluster[] {
  const stamp = deviceSourcesList(db, deviceId);
  let perDevice = cache.get(db);
  if (!perDevice) cache.set(db, (perDevice = new Map()));
  const kept = perDevice.get(deviceId);
  if (kept && kept.stamp === stamp) return kept.clusters;
  const clusters = computeClusters(db, deviceId);
  perDevice.set(deviceId, { stamp, clusters });
  return clusters;
}

function computeClusters(db: Db, deviceId: number): IntervalCluster[] {
  const rows = db
    .prepare(
      `SELECT category, app_id AS appId, duration_ms / 1000 AS s, COUNT(*) AS n
       FROM access_sessions
       WHERE device_id = ? AND open = 0 AND duration_ms IS NOT NULL AND duration_ms >= 0
       GROUP BY category, app_id, duration_ms / 1000`,
    )
    .all(deviceId) as { category: string; appId: number; s: number; n: number }[];
  const byCategory = new Map<string, IntervalHistogram>();
  for (const r of rows) {
    let h = byCategory.get(r.category);
    if (!h) byCategory.set(r.category, (h = new Map()));
    let bins = h.get(r.appId);
    if (!bins) h.set(r.appId, (bins = new Map()));
    bins.set(Number(r.s), r.n);
  }
  const out: IntervalCluster[] = [];
  for (const [raw, hist] of [...byCategory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const category = toCategory(raw);
    if (category === 'other') continue;
    const c = findCluster(hist);
    if (c) out.push({ category, ...c, note: clusterNote(category, c.seconds, c.appIds.length) });
  }
  return out;
}

/** A device's clusters and its apps' ids by identifier, as {@link applyIntervalClusters} read them. */
export type ClusterMemo = Map<number, { clusters: IntervalCluster[]; appIds: Map<string, number> }>;

/**
 * Marks the findings of apps whose intervals share a device's cluster of their resource:
 * `details.intervalLength` (seconds) and `details.intervalNote`. A caller marking findings a few
 * at a time within one read snapshot passes one `memo`, so each device's are read once.
 */
export function applyIntervalClusters(
  db: Db,
  findings: Finding[],
  memo: ClusterMemo = new Map(),
): void {
  const byDevice = new Map<number, Finding[]>();
  for (const f of findings)
    if (f.app !== null && f.category !== null) {
      const list = byDevice.get(f.deviceId);
      if (list) list.push(f);
      else byDevice.set(f.deviceId, [f]);
    }
  for (const [deviceId, list] of byDevice) {
    let known = memo.get(deviceId);
    if (!known) {
      const clusters = deviceIntervalClusters(db, deviceId);
      const appIds = new Map(
        clusters.length === 0
          ? []
          : (
              db.prepare('SELECT id, identifier FROM apps WHERE device_id = ?').all(deviceId) as {
                id: number;
                identifier: string;
              }[]
            ).map((a) => [a.identifier, a.id]),
      );
      known = { clusters, appIds };
      memo.set(deviceId, known);
    }
    const { clusters, appIds } = known;
    if (clusters.length === 0) continue;
    for (const f of list) {
      const c = clusters.find((x) => x.category === f.category);
      const id = appIds.get(f.app!);
      if (!c || id === undefined || !c.appIds.includes(id)) continue;
      f.details.intervalLength = c.seconds;
      f.details.intervalNote = c.note;
    }
  }
}

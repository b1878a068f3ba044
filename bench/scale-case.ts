// A generated study-sized case written straight into the tables: devices × one year of access
// sessions, one App Privacy Report source a week per device with its network snapshot, permission
// records, and for the Android half of the devices reported app states, screen on/off usage
// records and background rejects. The sessions' derived columns, the rollup and the session stats
// are filled as an import would fill them, and their access lines are kept as an import keeps
// them: in compressed blocks per source (LineStore), the rows' raw-line columns left NULL.
import { rmSync } from 'node:fs';
import { LineStore } from '../src/core/db/line-store';
import { rebuildRollup } from '../src/core/db/rollup';
import { CaseSession } from '../src/core/services/case-service';
import { accessPair, intervalId, networkLine, seededRandom } from '../src/core/testing/apr-fixture';
import { drawState, sessionInserter } from './synthetic-case';

export const SCALE_APPS = 30;
export const SCALE_CATEGORIES = [
  'photos',
  'location',
  'contacts',
  'camera',
  'microphone',
  'mediaLibrary',
  'screenRecording',
];
export const SCALE_START = Date.UTC(2024, 0, 1);
const WEEK_MS = 7 * 86_400_000;
export const SCALE_WEEKS = 52;
const SPAN_MS = SCALE_WEEKS * WEEK_MS;
/** Domains each app contacts; each weekly snapshot lists every one of them. */
const DOMAINS_PER_APP = 30;

export interface ScaleOptions {
  devices: number;
  perDevice: number;
  seed: number;
  /** Progress on stderr. */
  log?: (line: string) => void;
}

const offsetAt = (ms: number): number =>
  ms > Date.UTC(2024, 2, 31, 1) && ms < Date.UTC(2024, 9, 27, 1) ? 120 : 60;

/** Device `d` (1-based) is Android when in the second half of the devices. */
export const isAndroid = (d: number, devices: number): boolean => d > Math.ceil(devices / 2);

/** Builds the case at `path` (replacing any file there). */
export function buildScaleCase(path: string, o: ScaleOptions): void {
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const c = CaseSession.create(path);
  const db = c.db;
  db.pragma('synchronous = OFF');
  const rnd = seededRandom(o.seed);
  const log = o.log ?? (() => undefined);
  const appIds: number[][] = [];
  const sourceIds: number[][] = [];
  db.transaction(() => {
    const addDevice = db.prepare(
      'INSERT INTO devices (label, platform, created_at) VALUES (?, ?, 0)',
    );
    const addSource = db.prepare(
      `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256,
         imported_at, data_from, data_to, access_rows, network_rows)
       VALUES (?, ?, '1', ?, ?, 0, ?, 0, ?, ?, 1, ?)`,
    );
    const addApp = db.prepare(
      'INSERT INTO apps (device_id, identifier, display_name) VALUES (?, ?, ?)',
    );
    for (let d = 1; d <= o.devices; d += 1) {
      const android = isAndroid(d, o.devices);
      addDevice.run(`Phone ${String(d).padStart(2, '0')}`, android ? 'android' : 'ios');
      const sources: number[] = [];
      for (let w = 0; w < SCALE_WEEKS; w += 1) {
        const name = `week-${String(w + 1).padStart(2, '0')}.ndjson`;
        sources.push(
          Number(
            addSource.run(
              d,
              android ? 'android-dumpsys' : 'ios-app-privacy-report',
              `/study/phone-${d}/${name}`,
              name,
              `scale-${o.seed}-${d}-${w}`,
              SCALE_START + w * WEEK_MS,
              SCALE_START + (w + 1) * WEEK_MS - 1,
              android ? 0 : SCALE_APPS * DOMAINS_PER_APP,
            ).lastInsertRowid,
          ),
        );
      }
      sourceIds.push(sources);
      appIds.push(
        Array.from({ length: SCALE_APPS }, (_, a) =>
          Number(
            addApp.run(d, `com.example.app${a}`, a % 3 === 0 ? `App ${a}` : null).lastInsertRowid,
          ),
        ),
      );
    }
  })();

  const insert = sessionInserter(db);
  for (let d = 1; d <= o.devices; d += 1) {
    const android = isAndroid(d, o.devices);
    const t0 = Date.now();
    db.transaction(() => {
      // A device's sessions come in time order, so each weekly source gets its lines in order,
      // one source after another, as an import of that source would read them.
      let lines: LineStore | null = null;
      let linesOf = -1;
      for (let i = 0; i < o.perDevice; i += 1) {
        const ms = SCALE_START + Math.floor((i / o.perDevice) * SPAN_MS + rnd() * 60_000);
        const offset = offsetAt(ms);
        const dur = rnd() < 0.05 ? 0 : Math.floor(rnd() * rnd() * 300_000);
        const app = Math.floor(rnd() * rnd() * SCALE_APPS);
        const cat = SCALE_CATEGORIES[Math.floor(rnd() * SCALE_CATEGORIES.length)]!;
        const key = android ? `aop:${intervalId(i, d)}` : intervalId(i, d);
        const [b, e] = accessPair({
          app: `com.example.app${app}`,
          category: cat,
          id: key,
          ms,
          durationMs: dur,
          offsetMin: offset,
        });
        const open = rnd() < 0.02;
        const source =
          sourceIds[d - 1]![Math.min(SCALE_WEEKS - 1, Math.floor((ms - SCALE_START) / WEEK_MS))]!;
        if (source !== linesOf) {
          lines?.finish();
          lines = new LineStore(db, source);
          linesOf = source;
        }
        const beginHeld = lines!.hold(i * 2 + 1, b);
        const endHeld = !open && lines!.hold(i * 2 + 2, e);
        insert({
          deviceId: d,
          key,
          appId: appIds[d - 1]![app]!,
          category: cat,
          ms,
          offset,
          durationMs: dur,
          open,
          sourceId: source,
          index: i,
          begin: beginHeld ? null : b,
          end: endHeld ? null : e,
          ...drawState(rnd, android),
        });
      }
      lines?.finish();
    })();
    log(
      `device ${d}: ${o.perDevice.toLocaleString('en-US')} sessions in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }

  db.transaction(() => {
    const net = db.prepare(
      `INSERT INTO network_observations (device_id, app_id, source_id, line, domain, domain_lower, domain_owner,
         domain_type, initiated_type, context, hits, first_ms, first_offset, last_ms, last_offset,
         context_verification_type, domain_classification, raw_line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'AppInitiated', '', ?, ?, ?, ?, ?, 0, 1, ?)`,
    );
    const perm = db.prepare(
      `INSERT INTO permission_records (device_id, app_id, source_id, origin, raw, category, status, time_ms,
         time_offset, locator, raw_fields)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')`,
    );
    const usage = db.prepare(
      `INSERT INTO usage_records (device_id, app_id, source_id, record_key, type, time_ms, time_offset, line, raw_line)
       VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const reject = db.prepare(
      `INSERT INTO reject_records (device_id, app_id, source_id, record_key, op, category, time_ms, time_offset,
         state, line, raw_line)
       VALUES (?, ?, ?, ?, 'android:camera', ?, ?, ?, ?, ?, '')`,
    );
    for (let d = 1; d <= o.devices; d += 1) {
      const android = isAndroid(d, o.devices);
      const sources = sourceIds[d - 1]!;
      for (let w = 0; w < SCALE_WEEKS; w += 1) {
        const weekStart = SCALE_START + w * WEEK_MS;
        if (!android) {
          let line = 1;
          for (let a = 0; a < SCALE_APPS; a += 1)
            for (let k = 0; k < DOMAINS_PER_APP; k += 1) {
              const domain = `d${k}.tracker${a % 7}.example`;
              const first = weekStart + Math.floor(rnd() * WEEK_MS * 0.5);
              const last = first + Math.floor(rnd() * WEEK_MS * 0.5);
              const type = k % 10 === 0 ? 1 : 2;
              const hits = 1 + Math.floor(rnd() * 50);
              net.run(
                d,
                appIds[d - 1]![a]!,
                sources[w]!,
                line,
                domain,
                domain,
                k % 4 === 0 ? `Owner ${k % 5}` : null,
                type,
                hits,
                first,
                offsetAt(first),
                last,
                offsetAt(last),
                networkLine({
                  app: `com.example.app${a}`,
                  domain,
                  firstMs: first,
                  lastMs: last,
                  hits,
                  domainType: type,
                  offsetMin: offsetAt(first),
                }),
              );
              line += 1;
            }
        } else {
          // Screen off and on again about every two hours; a few background rejects a week.
          let line = 1;
          for (let t = weekStart + 3_600_000; t < weekStart + WEEK_MS; t += 7_200_000) {
            const off = t + Math.floor(rnd() * 600_000);
            const on = off + Math.floor(rnd() * 5_400_000);
            for (const [type, at] of [
              ['SCREEN_NON_INTERACTIVE', off],
              ['SCREEN_INTERACTIVE', on],
            ] as const) {
              usage.run(
                d,
                sources[w]!,
                `${w}:${line}`,
                type,
                at,
                offsetAt(at),
                line,
                `type=${type}`,
              );
              line += 1;
            }
          }
          for (let k = 0; k < 5; k += 1) {
            const at = weekStart + Math.floor(rnd() * WEEK_MS);
            const a = Math.floor(rnd() * SCALE_APPS);
            reject.run(
              d,
              appIds[d - 1]![a]!,
              sources[w]!,
              `r${w}:${k}`,
              'camera',
              at,
              offsetAt(at),
              rnd() < 0.5 ? 'background' : 'foreground',
              10_000 + k,
            );
          }
        }
      }
      // Permission grants: every app, two categories, granted over the year.
      for (let a = 0; a < SCALE_APPS; a += 1)
        for (const cat of ['photos', 'location']) {
          const at = SCALE_START + Math.floor(rnd() * SPAN_MS);
          perm.run(
            d,
            appIds[d - 1]![a]!,
            sources[SCALE_WEEKS - 1]!,
            android ? 'android-package' : 'tcc',
            cat === 'photos' ? 'kTCCServicePhotos' : 'kTCCServiceLocation',
            cat,
            rnd() < 0.2 ? 'limited' : 'granted',
            at,
            offsetAt(at),
            `access:${a}:${cat}`,
          );
        }
    }
  })();
  const t1 = Date.now();
  db.transaction(() => rebuildRollup(db))();
  log(`rollup and session stats rebuilt in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  c.close();
}

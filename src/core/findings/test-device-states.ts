import type { Db } from '../db/open';
import { seededRandom } from '../testing/apr-fixture';
import { FINDINGS_CASE_START } from '../testing/findings-case';

const SPAN = 14 * 86_400_000;
const VALUES = {
  screen: ['on', 'off', 'off', 'dim'],
  lock: ['locked', 'unlocked', 'locked', 'locked', '2'],
  foreground: ['com.a.one', 'com.b.two', 'com.apple.lock-screen', 'com.c.three'],
} as const;
const TABLES = {
  screen: 'PLSpringBoardAgent_EventForward_SBBlank',
  lock: 'PLSpringBoardAgent_EventForward_SBLock',
  foreground: 'PLScreenStateAgent_EventForward_ScreenState',
} as const;

/**
 * Adds random device states to the devices of a generated findings case: per device up to two
 * state sources (PowerLog or usagestats), each with coverage windows per kind that may leave gaps,
 * and intervals of each kind that may overlap, leave gaps, run past their coverage or hold open
 * (no end), with a few values outside each kind's words; some devices get none.
 */
export function fillDeviceStates(db: Db, devices: readonly number[], seed: number): void {
  const rnd = seededRandom(seed ^ 0x5eed);
  const at = (): number => FINDINGS_CASE_START + Math.floor(rnd() * SPAN);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const source = db.prepare(
    `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
     VALUES (?, ?, '1', ?, ?, 0, ?, 0)`,
  );
  const state = db.prepare(
    `INSERT OR IGNORE INTO device_states (device_id, source_id, kind, value, from_ms, from_offset, to_ms, to_offset, basis, locator)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
  );
  const window = db.prepare(
    `INSERT INTO device_state_coverage (device_id, source_id, kind, basis, from_ms, to_ms) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const deviceId of devices) {
      if (rnd() < 0.2) continue;
      const sources = 1 + Math.floor(rnd() * 2);
      for (let k = 0; k < sources; k += 1) {
        const basis = pick(['powerlog', 'powerlog', 'usagestats']);
        const name = basis === 'powerlog' ? `powerlog-${k}.PLSQL` : `usagestats-${k}.txt`;
        const sourceId = Number(
          source.run(deviceId, `ios-${basis}`, name, name, `ds-${seed}-${deviceId}-${k}`)
            .lastInsertRowid,
        );
        let row = 1;
        for (const kind of ['screen', 'lock', 'foreground'] as const) {
          for (let w = 0; w < 1 + Math.floor(rnd() * 3); w += 1) {
            const from = at();
            window.run(
              deviceId,
              sourceId,
              kind,
              basis,
              from,
              from + Math.floor(rnd() * SPAN * 0.6),
            );
          }
          let t = at() - Math.floor(SPAN / 4);
          for (let i = 0; i < Math.floor(rnd() * 40); i += 1) {
            t += Math.floor(rnd() * 12 * 3_600_000);
            const end = rnd() < 0.1 ? null : t + Math.floor(rnd() * 14 * 3_600_000);
            const locator =
              basis === 'powerlog' ? `${TABLES[kind]} rowid ${row}` : `usagestats line ${row}`;
            row += 1;
            state.run(
              deviceId,
              sourceId,
              kind,
              pick(VALUES[kind]),
              t,
              end,
              end === null ? null : 0,
              basis,
              locator,
            );
          }
        }
      }
    }
  })();
}

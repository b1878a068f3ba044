import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daily, writeSessions } from '../findings/test-sessions';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportSessionsCsv, sessionCsvLines } from './export-service';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

describe('the sessions CSV', () => {
  it('holds every line, in order, across the megabytes it is written in', () => {
    // About 10,000 sessions: several megabyte-sized writes and a partial last one.
    const apps = Array.from({ length: 100 }, (_, i) => `com.example.app${i}`);
    writeSessions(
      t.session.db,
      t.deviceId,
      apps.flatMap((app, i) => daily(app, i % 2 ? 'photos' : 'camera', 100, (i * 37) % 1440, 30)),
      100,
    );
    const path = join(t.dir, 'sessions.csv');
    const r = exportSessionsCsv(t.session, { filter: {}, path, version: '1' });
    const expected = [...sessionCsvLines(t.session, {})].join('');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(2 * (1 << 20));
    const written = readFileSync(path);
    expect(written.toString('utf8')).toBe(expected);
    expect(r.rows).toBe(10_000);
    expect(r.sha256).toBe(createHash('sha256').update(written).digest('hex'));
    expect(existsSync(`${path}.partial`)).toBe(false);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareRowSchema } from '../contract/records';
import { accessPair } from '../core/testing/apr-fixture';
import { writeAndroidCapture } from '../core/testing/android-capture';
import { runCli } from './test-support';

let dir: string;
let casePath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-compare-'));
  casePath = join(dir, 'c.snoopcase');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const DAY = Date.UTC(2024, 4, 1);

/** An export with `n` WeChat photo reads a day for `days` days, the first of each day at 01:00 UTC. */
function exportOf(name: string, days: number, perDay: number, seconds: number): string {
  const lines: string[] = [];
  for (let d = 0; d < days; d += 1)
    for (let i = 0; i < perDay; i += 1)
      lines.push(
        ...accessPair({
          app: 'com.tencent.xin',
          category: 'photos',
          id: `${name}-${d}-${i}`,
          ms: DAY + d * 86_400_000 + (1 + i * 5) * 3_600_000,
          durationMs: seconds * 1000 * (i + 1),
          offsetMin: 0,
        }),
      );
  const path = join(dir, `${name}.ndjson`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const rows = (stdout: string) =>
  (JSON.parse(stdout) as unknown[]).map((r) => compareRowSchema.parse(r));

describe('compare', () => {
  it('compares devices per observed day, with night sessions, durations and no state for iOS', async () => {
    await runCli(['import', casePath, exportOf('a', 4, 3, 10), '--device', 'A']);
    await runCli(['import', casePath, exportOf('b', 2, 1, 30), '--device', 'B']);
    const r = await runCli(['compare', casePath, '--devices', 'A,B', '--json']);
    expect(r.code).toBe(0);
    const [wechat] = rows(r.stdout);
    expect(wechat).toMatchObject({ app: 'com.tencent.xin', category: 'photos' });
    expect(wechat!.columns).toEqual([
      {
        label: 'A',
        observedDays: 4,
        sessions: 12,
        sessionsPerDay: 3,
        nightSessions: 4,
        medianSeconds: 20,
        longestSeconds: 30,
        backgroundShare: null,
        knownStateSessions: 0,
        closedSessions: 12,
        lockedShare: null,
        knownLockSessions: 0,
      },
      {
        label: 'B',
        observedDays: 2,
        sessions: 2,
        sessionsPerDay: 1,
        nightSessions: 2,
        medianSeconds: 30,
        longestSeconds: 30,
        backgroundShare: null,
        knownStateSessions: 0,
        closedSessions: 2,
        lockedShare: null,
        knownLockSessions: 0,
      },
    ]);
    const table = await runCli(['compare', casePath, '--devices', 'A,B']);
    expect(table.stdout).toMatch(/observed days: A 4, B 2/);
    // Sample sizes beside the shares and the median.
    expect(table.stdout).toMatch(/4 of 12 +20 \(12\) +n\/a/);
  });

  it('defines change for devices as the spread, whatever the order of the columns', async () => {
    await runCli(['import', casePath, exportOf('a', 4, 3, 10), '--device', 'A']);
    await runCli(['import', casePath, exportOf('b', 2, 1, 30), '--device', 'B']);
    const changes = async (devices: string) => {
      const r = await runCli(['compare', casePath, '--devices', devices, '--json']);
      return (JSON.parse(r.stdout) as { change: unknown }[]).map((x) => x.change);
    };
    const spread = { kind: 'spread', sessionsPerDay: 2, high: ['A'], low: ['B'] };
    expect(await changes('A,B')).toEqual([spread]);
    expect(await changes('B,A')).toEqual([spread]);
    const ab = (await runCli(['compare', casePath, '--devices', 'A,B'])).stdout;
    const ba = (await runCli(['compare', casePath, '--devices', 'B,A'])).stdout;
    for (const out of [ab, ba]) {
      expect(out).toMatch(/spread \/day/);
      expect(out).toMatch(/ 2 \(A high, B low\)\n/);
      expect(out).toMatch(/Spread: Highest column minus lowest/);
    }
  });

  it('defines change for periods as the last minus the first', async () => {
    await runCli(['import', casePath, exportOf('a', 2, 2, 10), '--device', 'A']);
    const later = exportOf('b', 4, 3, 10);
    await runCli(['import', casePath, later, '--device', 'A']);
    const run = async (periods: string) =>
      (
        JSON.parse(
          (await runCli(['compare', casePath, '--periods', periods, '--json'])).stdout,
        ) as { change: { kind: string; sessionsPerDay: number } }[]
      )[0]!.change;
    // Five a day on May 1–2 (both exports), three on May 3–4: the later period is lower, and
    // turning the columns round turns the sign round.
    expect(await run('A:..2024-05-03,A:2024-05-03..')).toMatchObject({
      kind: 'last-minus-first',
      sessionsPerDay: -2,
    });
    expect(await run('A:2024-05-03..,A:..2024-05-03')).toMatchObject({ sessionsPerDay: 2 });
    const table = (
      await runCli(['compare', casePath, '--periods', 'A:..2024-05-02,A:2024-05-03..'])
    ).stdout;
    expect(table).toMatch(/change \/day \(last - first\)/);
    expect(table).toMatch(/Change \(last − first\): The last period minus the first/);
  });

  it('says why an Android column’s rates are a floor and why a device without sessions reads no data', async () => {
    await runCli(['import', casePath, exportOf('a', 2, 1, 10), '--device', 'A']);
    await runCli(['import', casePath, writeAndroidCapture(join(dir, 'cap')), '--device', 'P']);
    const out = (await runCli(['compare', casePath, '--devices', 'A,P'])).stdout;
    expect(out).toMatch(
      /note: P is an Android phone: appops keeps only the last access per app, operation, state and flag/,
    );
    expect(out).toMatch(/what one capture caught/);
    expect(out).not.toMatch(/note: A /);
  });

  it('compares two periods of one device, and paired apps across platforms as one row', async () => {
    await runCli(['import', casePath, exportOf('a', 4, 2, 10), '--device', 'A']);
    const periods = await runCli([
      'compare',
      casePath,
      '--periods',
      'A:..2024-05-03,A:2024-05-03..',
      '--json',
    ]);
    expect(
      rows(periods.stdout)[0]!.columns.map((c) => [c.label, c.observedDays, c.sessions]),
    ).toEqual([
      ['A:..2024-05-03', 2, 4],
      ['A:2024-05-03..', 2, 4],
    ]);
    await runCli(['import', casePath, writeAndroidCapture(join(dir, 'cap')), '--device', 'P']);
    expect((await runCli(['pair', casePath, 'com.tencent.xin', 'com.example.social'])).code).toBe(
      0,
    );
    const paired = rows((await runCli(['compare', casePath, '--devices', 'A,P', '--json'])).stdout);
    const photos = paired.find((r) => r.category === 'photos')!;
    expect(photos.apps).toEqual(['com.example.social', 'com.tencent.xin']);
    expect(photos.columns.map((c) => c.sessions)).toEqual([8, 2]);
    expect(photos.columns[1]!.backgroundShare).toBe(0.5);
    expect(photos.columns[0]!.backgroundShare).toBeNull();
  });

  it('refuses a single column, an unknown device and a reversed period', async () => {
    await runCli(['import', casePath, exportOf('a', 1, 1, 10), '--device', 'A']);
    expect((await runCli(['compare', casePath, '--devices', 'A'])).code).toBe(2);
    expect((await runCli(['compare', casePath, '--devices', 'A,Z'])).code).toBe(1);
    expect(
      (await runCli(['compare', casePath, '--periods', 'A:2024-05-03..2024-05-01,A:..'])).code,
    ).toBe(2);
  });
});

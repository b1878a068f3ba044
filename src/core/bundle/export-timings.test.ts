import { describe, expect, it } from 'vitest';
import { exportTimings, exportTimingsWanted } from './export-timings';

describe('export stage times', () => {
  it('are asked for by SNOOPSCOPE_EXPORT_TIMINGS set to anything but empty or 0', () => {
    expect(exportTimingsWanted({ SNOOPSCOPE_EXPORT_TIMINGS: '1' })).toBe(true);
    expect(exportTimingsWanted({ SNOOPSCOPE_EXPORT_TIMINGS: 'yes' })).toBe(true);
    expect(exportTimingsWanted({ SNOOPSCOPE_EXPORT_TIMINGS: '0' })).toBe(false);
    expect(exportTimingsWanted({ SNOOPSCOPE_EXPORT_TIMINGS: '' })).toBe(false);
    expect(exportTimingsWanted({})).toBe(false);
  });

  it('print one line per stage, mark and total when asked, with time, CPU and memory', async () => {
    const lines: string[] = [];
    const clock = exportTimings((l) => lines.push(l), true);
    expect(clock.stage('findings', () => 7)).toBe(7);
    expect(await clock.stage('report.pdf', () => Promise.resolve('pdf'))).toBe('pdf');
    clock.mark('sources');
    clock.total();
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^export: findings \d+\.\d\d s \(cpu \d+\.\d\d s, thread \d+\.\d\d s, rss \d+ MB\)\n$/,
    );
    expect(lines[1]).toMatch(/^export: report\.pdf /);
    expect(lines[2]).toMatch(/^export: sources /);
    expect(lines[3]).toMatch(/^export: total \d+\.\d\d s \(peak rss \d+ MB\)\n$/);
  });

  it('time a stage that fails and pass its error on', async () => {
    const lines: string[] = [];
    const clock = exportTimings((l) => lines.push(l), true);
    await expect(
      clock.stage('events.csv', () => Promise.reject(new Error('disk full'))),
    ).rejects.toThrow('disk full');
    expect(() =>
      clock.stage('network.csv', () => {
        throw new Error('bad row');
      }),
    ).toThrow('bad row');
    expect(lines).toHaveLength(1);
  });

  it('print nothing and only run the stages when not asked', async () => {
    const lines: string[] = [];
    const clock = exportTimings((l) => lines.push(l), false);
    expect(clock.stage('findings', () => 1)).toBe(1);
    expect(await clock.stage('pdf', () => Promise.resolve(2))).toBe(2);
    clock.mark('x');
    clock.total();
    expect(lines).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { RollupDeltas } from './rollup';

describe('RollupDeltas', () => {
  it('sums 200,000 day cells in distinct weeks into week and four-week cells', () => {
    const deltas = new RollupDeltas();
    // One day in each of 200,000 weeks: as many week cells, more than a call takes as arguments.
    for (let w = 0; w < 200_000; w += 1) deltas.add(1, 1, 'photos', w * 7, 600, 1000, 1);
    const levels = (deltas as unknown as { allLevels(): { level: number }[] }).allLevels();
    expect(levels.filter((d) => d.level === 1)).toHaveLength(200_000);
    expect(levels.filter((d) => d.level === 7)).toHaveLength(200_000);
    expect(levels.filter((d) => d.level === 28)).toHaveLength(50_000);
  });
});

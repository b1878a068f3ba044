import { describe, expect, it } from 'vitest';
import type { TimelineSession } from '../../../contract/api';
import { visibleSessions } from './session-list';

const s = (id: string, startMs: number | null, endMs: number | null): TimelineSession => ({
  id,
  lane: 'L',
  category: 'camera',
  startMs,
  endMs,
  anchorMs: startMs ?? endMs ?? 0,
  offsetMin: 0,
  open: startMs === null || endMs === null,
  state: 'unknown',
  stateSource: null,
});

describe('visibleSessions', () => {
  it('keeps overlapping sessions in start order', () => {
    const list = [
      s('c', 500, 600),
      s('a', 50, 150),
      s('out', 2000, 2100),
      s('b', null, 120),
      s('d', 900, null),
    ];
    expect(visibleSessions(list, { fromMs: 100, toMs: 1000 }).map((x) => x.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });
});

import type { NetworkSpan, TimelineResult } from '../../../contract/api';
import { binList } from '../../../contract/timeline-bins';
import { indexBins, indexNetwork, type BinIndex } from './draw';
import { indexSessions, type SessionIndex } from './hit-test';
import { buildLayout, type LaneLayout } from './lane-layout';
import { indexMarks, markCounts, type MarkIndex } from './marks';

/** A timeline answer arranged for drawing and hit-testing: the lanes' layout and lookups. */
export interface TimelineIndex {
  layout: LaneLayout;
  sessions: SessionIndex;
  bins: BinIndex;
  maxBinCount: number;
  network: Map<string, NetworkSpan[]>;
  maxHits: number;
  marks: MarkIndex;
  markCounts: Map<string, number>;
}

/** Builds the lookups once per answer (callers memoise on the result). */
export function indexTimeline(result: TimelineResult): TimelineIndex {
  const marks = indexMarks(result.marks);
  return {
    layout: buildLayout(result),
    sessions: indexSessions(result.sessions),
    bins: indexBins(binList(result.bins)),
    maxBinCount: result.bins.count.reduce((m, c) => Math.max(m, c), 0),
    network: indexNetwork(result.network),
    maxHits: result.network.reduce((m, n) => Math.max(m, n.hits), 0),
    marks,
    markCounts: markCounts(marks),
  };
}

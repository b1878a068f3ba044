import type { TimelineResult } from '../../../contract/api';
import { EmptyState } from '../../shared/EmptyState';
import type { TimeMode } from '../../shared/format';
import { NoDataLegend } from '../../shared/NoDataLegend';
import { CategoryLegend } from './CategoryLegend';
import type { LaneLayout } from './lane-layout';
import { MarkLegend } from './MarkLegend';
import type { StateMarkKind } from './state-mark';
import { StateLegend } from './StateLegend';

interface FootProps {
  result: TimelineResult | null;
  layout: LaneLayout | null;
  /** Part of the timeline lies outside the imported sources (hatched). */
  noData: boolean;
  stateKinds: ReadonlySet<StateMarkKind>;
  timeMode: TimeMode;
}

/** Under the timeline: the legends of what is drawn, and the keys and gestures. */
export function TimelineFoot({ result, layout, noData, stateKinds, timeMode }: FootProps) {
  return (
    <div className="timeline-foot">
      {noData ? <NoDataLegend /> : null}
      <CategoryLegend
        categories={
          layout
            ? [
                ...new Set([
                  ...[...layout.tracks.values()].flat(),
                  ...(result?.marks ?? []).map((m) => m.category),
                ]),
              ]
            : []
        }
        openKey={(result?.sessions.length ?? 0) + (result?.bins.count.length ?? 0) > 0}
      />
      {result && result.marks.length > 0 ? (
        <MarkLegend statuses={result.marks.map((m) => m.status)} />
      ) : null}
      <StateLegend kinds={stateKinds} />
      <span className="muted small">
        Wheel: zoom · Shift+wheel: scroll lanes · Drag: pan · Drag on the axis: zoom to range · Keys
        + − ← → 0{timeMode === 'local' ? ' · Shaded: 00:00–06:00 device-local' : ''} · Grey strip:
        network activity
      </span>
    </div>
  );
}

interface EmptyProps {
  caseHasSessions: boolean;
  /** The filter or the lane search narrows what is shown. */
  narrowed: boolean;
  /** Part of the window lies outside the imported sources. */
  outsideSources: boolean;
}

/** The timeline without lanes: why, and what to do. */
export function TimelineEmpty({ caseHasSessions, narrowed, outsideSources }: EmptyProps) {
  return (
    <EmptyState
      title={caseHasSessions ? 'Nothing matches the filter' : 'No access sessions yet'}
      testId="timeline-empty"
    >
      {caseHasSessions
        ? narrowed
          ? 'Loosen the filter or clear the lane search to see sessions.'
          : outsideSources
            ? 'No sessions in this window, and part of it lies outside the imported sources: no access could have been recorded there, so it is not a quiet stretch.'
            : 'No sessions in this window.'
        : 'Import an App Privacy Report export or an Android capture to see which apps accessed what, and when.'}
    </EmptyState>
  );
}

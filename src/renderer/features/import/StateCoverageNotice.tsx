import type { SourceInfo } from '../../../contract/records';
import { useCase } from '../../app/workspace/use-workspace';
import { Notice } from '../../shared/Notice';
import { stateCoverageGaps, stateCoverageMessage } from './state-coverage';

interface Props {
  sources: readonly SourceInfo[];
  /** The devices to check (every device with sources when absent). */
  deviceIds?: readonly number[];
}

/** Warns for each device whose App Privacy Report and PowerLog cover no common time. */
export function StateCoverageNotice({ sources, deviceIds }: Props) {
  const { devices } = useCase();
  const gaps = stateCoverageGaps(sources, deviceIds);
  if (gaps.length === 0) return null;
  const label = (id: number): string => devices.find((d) => d.id === id)?.label ?? `Device ${id}`;
  return (
    <>
      {gaps.map((g) => (
        <Notice key={g.deviceId} tone="warning" testId="state-coverage-gap">
          {stateCoverageMessage(g, label(g.deviceId))}
        </Notice>
      ))}
    </>
  );
}

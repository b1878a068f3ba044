import type { DeviceKeyFindings, KeyFinding, OtherFinding } from '../../../contract/key-findings';
import type { FindingPlace } from '../findings/timeline-target';

/** Whether any device has a finding (a key one or another). */
export function hasAnyFinding(devices: readonly DeviceKeyFindings[]): boolean {
  return devices.some((d) => d.key.length > 0 || d.others.length > 0);
}

/** The place of a key finding, for "Show on timeline". */
export function placeOfKey(k: KeyFinding): FindingPlace {
  return {
    deviceId: k.deviceId,
    app: k.app,
    category: k.category,
    window: k.window,
    first: k.first,
    last: k.last,
  };
}

/** The place of a finding listed under the key ones. */
export function placeOfOther(deviceId: number, app: string | null, f: OtherFinding): FindingPlace {
  return {
    deviceId,
    app,
    category: f.category,
    window: f.window,
    first: f.first,
    last: f.last,
  };
}

/** "High", "Medium"… */
export const severityWord = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "1 finding", "3 findings". */
export const findingCount = (n: number): string => `${n} ${n === 1 ? 'finding' : 'findings'}`;

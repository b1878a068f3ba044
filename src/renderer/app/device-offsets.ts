import type { Device } from '../../contract/records';

/** The UTC offset of each device's latest record (devices without records are left out). */
export function deviceOffsetsFrom(devices: readonly Device[]): Map<number, number> {
  return new Map(
    devices.flatMap((d) => (d.offsetMin === null ? [] : [[d.id, d.offsetMin] as const])),
  );
}

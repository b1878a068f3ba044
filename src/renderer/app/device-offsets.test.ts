import { describe, expect, it } from 'vitest';
import type { Device } from '../../contract/records';
import { deviceOffsetsFrom } from './device-offsets';

const device = (id: number, offsetMin: number | null): Device => ({
  id,
  label: `d${id}`,
  platform: 'ios',
  model: null,
  osVersion: null,
  timeZone: null,
  offsetMin,
  identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
  sources: 1,
  createdAt: 0,
});

describe('deviceOffsetsFrom', () => {
  it('maps each device to the offset of its latest record and skips devices without records', () => {
    expect([...deviceOffsetsFrom([device(1, 120), device(2, -300), device(3, null)])]).toEqual([
      [1, 120],
      [2, -300],
    ]);
  });
});

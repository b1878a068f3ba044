import { describe, expect, it } from 'vitest';
import {
  addedLabel,
  capturePhaseLabel,
  captureWorking,
  countdownLabel,
  examinerClockLabel,
  phoneLabel,
  phoneReady,
  phoneStateLabel,
  phoneStateTone,
} from './android-format';

describe('phones', () => {
  it('names a phone by model, else product, else a plain word', () => {
    expect(phoneLabel({ model: 'Pixel 7', product: 'panther' })).toBe('Pixel 7');
    expect(phoneLabel({ model: '  ', product: 'panther' })).toBe('panther');
    expect(phoneLabel({ model: null, product: null })).toBe('Android phone');
  });

  it('is ready only when connected and allowed, with nothing to do', () => {
    expect(phoneReady({ state: 'device', problem: null })).toBe(true);
    expect(phoneReady({ state: 'unauthorized', problem: 'Allow USB debugging' })).toBe(false);
    expect(phoneReady({ state: 'device', problem: 'Something else' })).toBe(false);
  });

  it('words adb states and colours them', () => {
    expect(phoneStateLabel('device')).toBe('Ready');
    expect(phoneStateLabel('unauthorized')).toBe('Not allowed yet');
    expect(phoneStateLabel('no permissions')).toBe('No USB permission');
    expect(phoneStateLabel('recovery')).toBe('In recovery mode');
    expect(phoneStateLabel('host')).toBe('host');
    expect(phoneStateTone('device')).toBe('ok');
    expect(phoneStateTone('unauthorized')).toBe('warn');
    expect(phoneStateTone('offline')).toBe('bad');
  });
});

describe('capture progress', () => {
  it('words phases, ending a single capture and a watch differently', () => {
    expect(capturePhaseLabel('capturing', true)).toBe('Capturing from the phone');
    expect(capturePhaseLabel('importing', false)).toBe('Importing the capture');
    expect(capturePhaseLabel('waiting', true)).toBe('Waiting for the next capture');
    expect(capturePhaseLabel('waiting', false)).toBe('Finishing');
    expect(capturePhaseLabel('stopped', true)).toBe('Watch stopped');
    expect(capturePhaseLabel('stopped', false)).toBe('Capture finished');
  });

  it('counts reading and importing as work, not the wait between captures', () => {
    expect(captureWorking('capturing')).toBe(true);
    expect(captureWorking('importing')).toBe(true);
    expect(captureWorking('waiting')).toBe(false);
    expect(captureWorking('stopped')).toBe(false);
  });

  it('says what a capture added, leaving out kinds with nothing new', () => {
    expect(addedLabel({ access: 12, reject: 1, usage: 0, permission: 2 })).toBe(
      '12 accesses · 1 refused access · 2 permissions',
    );
    expect(addedLabel({ access: 1, usage: 1_234 })).toBe('1 access · 1,234 usage events');
    expect(addedLabel({ access: 0, reject: 0, usage: 0, permission: 0 })).toBe('Nothing new');
    expect(addedLabel({ access: 2, network: 3 })).toBe('2 accesses · network 3');
  });

  it('counts down in minutes and seconds, then hours', () => {
    expect(countdownLabel(14 * 60_000 + 5_000)).toBe('14:05');
    expect(countdownLabel(59_001)).toBe('1:00');
    expect(countdownLabel(999)).toBe('0:01');
    expect(countdownLabel(3_600_000 + 2 * 60_000 + 9_000)).toBe('1:02:09');
    expect(countdownLabel(0)).toBe('due now');
    expect(countdownLabel(-5_000)).toBe('due now');
    expect(countdownLabel(Number.NaN)).toBe('due now');
  });

  it('shows the examiner clock: time of day today, the date otherwise', () => {
    const plus2 = () => 120;
    const now = Date.UTC(2025, 5, 18, 20, 0, 0); // 22:00 at +02:00
    expect(examinerClockLabel(Date.UTC(2025, 5, 18, 20, 15, 30), now, plus2)).toBe('22:15:30');
    // 22:30 UTC is already the next day at +02:00.
    expect(examinerClockLabel(Date.UTC(2025, 5, 18, 22, 30, 0), now, plus2)).toBe(
      '2025-06-19 00:30:00',
    );
    expect(examinerClockLabel(Date.UTC(2025, 5, 18, 22, 30, 0), now, () => 0)).toBe('22:30:00');
  });
});

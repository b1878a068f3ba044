import { describe, expect, it } from 'vitest';
import type { DeviceState } from '../../../contract/records';
import { DEVICE_STATE_UNKNOWN, deviceStateSentence, foregroundText } from './device-state-text';

const BLANK = 'PLSpringBoardAgent_EventForward_SBBlank';
const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';

describe('deviceStateSentence', () => {
  it('says screen off and locked with the rows it rests on', () => {
    const s: DeviceState = {
      screen: 'off',
      locked: true,
      foregroundApp: null,
      basis: 'powerlog',
      sources: [
        { sourceId: 1, locator: `${BLANK} rowid 12` },
        { sourceId: 1, locator: `${LOCK} rowid 3` },
      ],
    };
    expect(deviceStateSentence(s)).toBe(
      `Screen off, locked (PowerLog, table ${BLANK} row 12; table ${LOCK} row 3)`,
    );
  });

  it('names unknown fields and system surfaces', () => {
    const s: DeviceState = {
      screen: null,
      locked: false,
      foregroundApp: 'com.apple.lock-screen',
      basis: 'powerlog',
      sources: [],
    };
    expect(deviceStateSentence(s)).toBe(
      'Screen unknown, unlocked, in front: the lock screen (com.apple.lock-screen), not an app (PowerLog)',
    );
    expect(foregroundText('com.example.app')).toBe('com.example.app');
  });

  it('says unknown when nothing covers the moment or the answer has no state', () => {
    expect(deviceStateSentence(undefined)).toBe(DEVICE_STATE_UNKNOWN);
    expect(
      deviceStateSentence({
        screen: null,
        locked: null,
        foregroundApp: null,
        basis: null,
        sources: [],
      }),
    ).toBe(DEVICE_STATE_UNKNOWN);
  });
});

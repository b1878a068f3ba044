import { describe, expect, it } from 'vitest';
import type { AppItem, Device } from '../../../contract/api';
import type { AppPairing } from '../../../contract/records';
import { suggestPairings } from './pairing-suggestions';

function device(id: number, platform: Device['platform']): Device {
  return {
    id,
    label: `D${id}`,
    platform,
    model: null,
    osVersion: null,
    timeZone: null,
    offsetMin: null,
    identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
    sources: 1,
    createdAt: 0,
  };
}

let nextId = 1;
function app(deviceId: number, identifier: string, displayName: string | null): AppItem {
  nextId += 1;
  return { id: nextId, deviceId, identifier, displayName, sessions: 1 };
}

const IOS = 1;
const ANDROID = 2;
const IOS2 = 3;
const UNKNOWN = 4;
const devices = [
  device(IOS, 'ios'),
  device(ANDROID, 'android'),
  device(IOS2, 'ios'),
  device(UNKNOWN, 'unknown'),
];
const pairing = (a: string, b: string): AppPairing => ({ a, b, createdAt: 1 });

describe('suggestPairings', () => {
  it('offers an iOS and an Android app with the same display name, iOS first', () => {
    const apps = [
      app(IOS, 'com.tencent.xin', 'WeChat'),
      app(ANDROID, 'com.tencent.mm', 'WeChat'),
      app(IOS, 'com.google.Maps', 'Google Maps'),
      app(ANDROID, 'com.google.android.apps.maps', 'Maps'),
    ];
    expect(suggestPairings(apps, devices, [])).toEqual([
      { name: 'WeChat', a: 'com.tencent.xin', b: 'com.tencent.mm' },
    ]);
    // The order of the app list does not change which side is which.
    expect(suggestPairings([...apps].reverse(), devices, [])).toEqual([
      { name: 'WeChat', a: 'com.tencent.xin', b: 'com.tencent.mm' },
    ]);
  });

  it('matches names case-insensitively and after trimming, keeping the first spelling seen', () => {
    const apps = [
      app(ANDROID, 'org.telegram.messenger', '  telegram '),
      app(IOS, 'ph.telegra.Telegraph', 'Telegram'),
    ];
    expect(suggestPairings(apps, devices, [])).toEqual([
      { name: 'telegram', a: 'ph.telegra.Telegraph', b: 'org.telegram.messenger' },
    ]);
  });

  it('skips the same identifier on both platforms, apps without a name and unknown platforms', () => {
    const apps = [
      app(IOS, 'com.whatsapp', 'WhatsApp'),
      app(ANDROID, 'com.whatsapp', 'WhatsApp'),
      app(IOS, 'com.a', null),
      app(ANDROID, 'com.b', null),
      app(IOS, 'com.c', '   '),
      app(ANDROID, 'com.d', '   '),
      app(UNKNOWN, 'com.x.unknown', 'Xapp'),
      app(ANDROID, 'com.x.android', 'Xapp'),
      app(99, 'com.y.ios', 'Yapp'),
      app(ANDROID, 'com.y.android', 'Yapp'),
    ];
    expect(suggestPairings(apps, devices, [])).toEqual([]);
  });

  it('needs both platforms: two iOS devices with the same name are not offered', () => {
    const apps = [
      app(IOS, 'com.tencent.xin', 'WeChat'),
      app(IOS2, 'com.tencent.xin.lite', 'WeChat'),
    ];
    expect(suggestPairings(apps, devices, [])).toEqual([]);
  });

  it('leaves out pairs already stored, in either order', () => {
    const apps = [
      app(IOS, 'com.tencent.xin', 'WeChat'),
      app(ANDROID, 'com.tencent.mm', 'WeChat'),
      app(IOS, 'com.burbn.instagram', 'Instagram'),
      app(ANDROID, 'com.instagram.android', 'Instagram'),
    ];
    expect(suggestPairings(apps, devices, [pairing('com.tencent.mm', 'com.tencent.xin')])).toEqual([
      { name: 'Instagram', a: 'com.burbn.instagram', b: 'com.instagram.android' },
    ]);
    expect(
      suggestPairings(apps, devices, [pairing('com.burbn.instagram', 'com.instagram.android')]),
    ).toEqual([{ name: 'WeChat', a: 'com.tencent.xin', b: 'com.tencent.mm' }]);
  });

  it('offers every iOS × Android combination once, even when an app is on several devices', () => {
    const apps = [
      app(IOS, 'com.x.one', 'Xy'),
      app(IOS2, 'com.x.one', 'Xy'),
      app(IOS2, 'com.x.two', 'Xy'),
      app(ANDROID, 'com.x.android', 'Xy'),
    ];
    expect(suggestPairings(apps, devices, [])).toEqual([
      { name: 'Xy', a: 'com.x.one', b: 'com.x.android' },
      { name: 'Xy', a: 'com.x.two', b: 'com.x.android' },
    ]);
  });

  it('sorts by name and offers at most twelve', () => {
    const names = Array.from({ length: 15 }, (_, i) => `App ${String.fromCharCode(79 - i)}`);
    const apps = names.flatMap((n, i) => [
      app(IOS, `ios.${i}`, n),
      app(ANDROID, `android.${i}`, n),
    ]);
    const out = suggestPairings(apps, devices, []);
    expect(out).toHaveLength(12);
    expect(out.map((s) => s.name)).toEqual(
      ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'].map((c) => `App ${c}`),
    );
    expect(out[0]).toEqual({ name: 'App A', a: 'ios.14', b: 'android.14' });
  });

  it('offers nothing without apps or devices', () => {
    expect(suggestPairings([], devices, [])).toEqual([]);
    expect(
      suggestPairings(
        [app(IOS, 'com.tencent.xin', 'WeChat'), app(ANDROID, 'com.tencent.mm', 'WeChat')],
        [],
        [],
      ),
    ).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { CATEGORIES } from './categories';
import { TCC_SERVICES, tccCategory, tccServiceInfo, tccServiceLabel } from './tcc-services';

describe('tccCategory', () => {
  it.each([
    ['kTCCServicePhotos', 'photos'],
    ['kTCCServicePhotosAdd', 'photos'],
    ['kTCCServiceCamera', 'camera'],
    ['kTCCServiceMicrophone', 'microphone'],
    ['kTCCServiceAddressBook', 'contacts'],
    ['kTCCServiceCalendar', 'calendar'],
    ['kTCCServiceReminders', 'calendar'],
    ['kTCCServiceMediaLibrary', 'mediaLibrary'],
    ['kTCCServiceMotion', 'bodySensors'],
    ['kTCCServiceLocation', 'location'],
    ['kTCCServiceBluetoothAlways', 'other'],
    ['kTCCServiceUserTracking', 'other'],
    ['kTCCServiceSpeechRecognition', 'other'],
    ['kTCCServiceFaceID', 'other'],
    ['kTCCServiceWillow', 'other'],
    ['kTCCServiceFocusStatus', 'other'],
    ['kTCCServiceNearbyInteraction', 'other'],
    ['kTCCServiceExposureNotification', 'other'],
  ])('maps %s to %s', (raw, category) => {
    expect(tccCategory(raw)).toBe(category);
  });

  it('maps unknown names, prototype keys and the empty string to other', () => {
    for (const raw of ['kTCCServiceSomethingNew', 'constructor', '__proto__', 'toString', '']) {
      expect(tccCategory(raw)).toBe('other');
      expect(tccServiceInfo(raw)).toBeNull();
    }
  });

  it('uses only project categories', () => {
    for (const info of TCC_SERVICES.values()) {
      expect(CATEGORIES).toContain(info.category);
    }
  });
});

describe('tccServiceLabel', () => {
  it('labels known services', () => {
    expect(tccServiceLabel('kTCCServicePhotos')).toBe('Photos');
    expect(tccServiceLabel('kTCCServicePhotosAdd')).toBe('Photos (add only)');
    expect(tccServiceLabel('kTCCServiceUserTracking')).toBe('Tracking (ATT)');
    expect(tccServiceLabel('kTCCServiceWillow')).toBe('HomeKit (Home data)');
    expect(tccServiceLabel('kTCCServiceAddressBook')).toBe('Contacts');
  });

  it('strips the prefix from unknown services and keeps other strings', () => {
    expect(tccServiceLabel('kTCCServiceSomethingNew')).toBe('SomethingNew');
    expect(tccServiceLabel('kTCCService')).toBe('kTCCService');
    expect(tccServiceLabel('com.example.custom')).toBe('com.example.custom');
    expect(tccServiceLabel('constructor')).toBe('constructor');
  });

  it('gives every known service a non-empty label', () => {
    for (const [raw, info] of TCC_SERVICES) {
      expect(raw.startsWith('kTCCService')).toBe(true);
      expect(info.label.length).toBeGreaterThan(0);
    }
  });
});

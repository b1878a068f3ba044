import type { Category } from './categories';

/** What the project knows about one TCC service name. */
export interface TccServiceInfo {
  /** A short human label, as Settings › Privacy & Security would name it. */
  label: string;
  /** The access-model category the service feeds; `other` when none fits. */
  category: Category;
}

const PREFIX = 'kTCCService';

// iOS TCC.db `access.service` values (reference ios-backup.md §10). Services without a
// matching resource category go to `other`; their raw name is always kept by callers.
const SERVICES: ReadonlyArray<readonly [string, string, Category]> = [
  ['kTCCServicePhotos', 'Photos', 'photos'],
  ['kTCCServicePhotosAdd', 'Photos (add only)', 'photos'],
  ['kTCCServiceCamera', 'Camera', 'camera'],
  ['kTCCServiceMicrophone', 'Microphone', 'microphone'],
  ['kTCCServiceAddressBook', 'Contacts', 'contacts'],
  ['kTCCServiceContactsLimited', 'Contacts (limited)', 'contacts'],
  ['kTCCServiceCalendar', 'Calendars', 'calendar'],
  // Reminders live in the same EventKit store as calendars.
  ['kTCCServiceReminders', 'Reminders', 'calendar'],
  ['kTCCServiceMediaLibrary', 'Media & Apple Music', 'mediaLibrary'],
  ['kTCCServiceMotion', 'Motion & Fitness', 'bodySensors'],
  ['kTCCServiceFallDetection', 'Fall detection', 'bodySensors'],
  ['kTCCServiceLocation', 'Location', 'location'],
  ['kTCCServiceBluetoothAlways', 'Bluetooth', 'other'],
  ['kTCCServiceBluetoothPeripheral', 'Bluetooth (peripheral, legacy)', 'other'],
  ['kTCCServiceUserTracking', 'Tracking (ATT)', 'other'],
  ['kTCCServiceSpeechRecognition', 'Speech recognition', 'other'],
  ['kTCCServiceSiri', 'Siri & Dictation', 'other'],
  ['kTCCServiceFaceID', 'Face ID', 'other'],
  ['kTCCServiceWillow', 'HomeKit (Home data)', 'other'],
  ['kTCCServiceFocusStatus', 'Focus status', 'other'],
  ['kTCCServiceNearbyInteraction', 'Nearby interactions', 'other'],
  ['kTCCServiceExposureNotification', 'Exposure notifications', 'other'],
  ['kTCCServiceKeyboardNetwork', 'Keyboard network access', 'other'],
  ['kTCCServiceUbiquity', 'iCloud', 'other'],
  ['kTCCServiceGameCenterFriends', 'Game Center friends', 'other'],
  ['kTCCServiceWebKitIntelligentTrackingPrevention', 'Cross-website tracking (WebKit)', 'other'],
  ['kTCCServiceTwitter', 'Twitter account (legacy)', 'other'],
  ['kTCCServiceFacebook', 'Facebook account (legacy)', 'other'],
  ['kTCCServiceSinaWeibo', 'Sina Weibo account (legacy)', 'other'],
  ['kTCCServiceTencentWeibo', 'Tencent Weibo account (legacy)', 'other'],
  ['kTCCServiceLinkedIn', 'LinkedIn account (legacy)', 'other'],
];

/** The known TCC services by raw name; a Map, so names such as `constructor` are plain misses. */
export const TCC_SERVICES: ReadonlyMap<string, TccServiceInfo> = new Map(
  SERVICES.map(([raw, label, category]) => [raw, { label, category }]),
);

/** The known service info for a raw TCC service name, or null when the name is not in the table. */
export function tccServiceInfo(raw: string): TccServiceInfo | null {
  return TCC_SERVICES.get(raw) ?? null;
}

/**
 * A human label for a raw TCC service name.
 * Unknown names lose the `kTCCService` prefix (`kTCCServiceFoo` → `Foo`); anything else is returned as is.
 */
export function tccServiceLabel(raw: string): string {
  const known = TCC_SERVICES.get(raw);
  if (known) return known.label;
  return raw.startsWith(PREFIX) && raw.length > PREFIX.length ? raw.slice(PREFIX.length) : raw;
}

/** The access-model category of a raw TCC service name; unknown names become `other`. */
export function tccCategory(raw: string): Category {
  return TCC_SERVICES.get(raw)?.category ?? 'other';
}

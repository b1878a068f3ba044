import type { Category } from './categories';

/** What the project knows about one Android app op. */
export interface AndroidOpInfo {
  /** A short human label, close to what Settings › Privacy would say. */
  label: string;
  /** The access-model category the op feeds; `other` when none fits. */
  category: Category;
}

/**
 * The op-to-category table for Android app ops (`dumpsys appops`, reference android-sources.md §1).
 *
 * Keys are the op names as `dumpsys appops` prints them (AOSP `AppOpsManager.opToName`, Android 7–16),
 * e.g. `READ_MEDIA_IMAGES`, `RECEIVE_SOUNDTRIGGER_AUDIO`. Summary of the mapping:
 *
 * | Category | Ops |
 * |---|---|
 * | camera | CAMERA, PHONE_CALL_CAMERA, CAMERA_SANDBOXED, SCENE_UNDERSTANDING_COARSE/FINE |
 * | microphone | RECORD_AUDIO, PHONE_CALL_MICROPHONE, RECORD_AUDIO_HOTWORD, RECORD_INCOMING_PHONE_AUDIO, RECEIVE_SOUNDTRIGGER_AUDIO (= RECEIVE_AMBIENT_TRIGGER_AUDIO), RECEIVE_EXPLICIT_USER_INTERACTION_AUDIO, RECORD_AUDIO_SANDBOXED, RECEIVE_SANDBOX_TRIGGER_AUDIO |
 * | location | COARSE_LOCATION, FINE_LOCATION, GPS, MONITOR_LOCATION, MONITOR_HIGH_POWER_LOCATION, ACCESS_MEDIA_LOCATION, FINE/COARSE_LOCATION_SOURCE, EMERGENCY_LOCATION, WIFI_SCAN, NEIGHBORING_CELLS, READ_CELL_IDENTITY, READ_CELL_INFO |
 * | photos | READ/WRITE_MEDIA_IMAGES, READ/WRITE_MEDIA_VIDEO, READ_MEDIA_VISUAL_USER_SELECTED |
 * | mediaLibrary | READ/WRITE_EXTERNAL_STORAGE, READ/WRITE_MEDIA_AUDIO, MANAGE_EXTERNAL_STORAGE, MANAGE_MEDIA |
 * | contacts | READ/WRITE_CONTACTS, GET_ACCOUNTS, MANAGE_CONTACTS |
 * | calendar | READ/WRITE_CALENDAR |
 * | callLog | READ/WRITE_CALL_LOG, PROCESS_OUTGOING_CALLS |
 * | sms | READ/WRITE/RECEIVE/SEND_SMS, RECEIVE_MMS, RECEIVE_WAP_PUSH, RECEIVE_EMERGENCY_BROADCAST, READ_CELL_BROADCASTS, READ/WRITE_ICC_SMS, SMS_FINANCIAL_TRANSACTIONS, READ_OTP_SMS |
 * | phoneState | READ_PHONE_STATE, READ_PHONE_NUMBERS, READ_DEVICE_IDENTIFIERS, CALL_PHONE, ANSWER_PHONE_CALLS, ACCEPT_HANDOVER, MANAGE_ONGOING_CALLS, USE_SIP, ADD_VOICEMAIL |
 * | bodySensors | BODY_SENSORS, BODY_SENSORS_WRIST_TEMPERATURE, ACTIVITY_RECOGNITION(_SOURCE), READ_WRITE_HEALTH_DATA, READ_HEART_RATE and the other health reads, eye/face/hand/head tracking |
 * | screenRecording | PROJECT_MEDIA, RECORD_AUDIO_OUTPUT (capture of what the phone plays), READ_SCREEN_CONTEXT |
 * | other | everything else (wake locks, overlays, notifications, clipboard, Bluetooth, VPN, MOCK_LOCATION, OEM ops such as `VENDOROP(10001)`, …) |
 *
 * Judgement calls: WIFI_SCAN, NEIGHBORING_CELLS and the cell-info ops reveal position and Android
 * gates them behind the location permission, so they count as location; READ_DEVICE_IDENTIFIERS
 * (IMEI, serial) counts as phone state. Unknown names are `other`; callers keep the raw name.
 */
const OPS: ReadonlyArray<readonly [string, string, Category]> = [
  // Location.
  ['COARSE_LOCATION', 'Approximate location', 'location'],
  ['FINE_LOCATION', 'Precise location', 'location'],
  ['GPS', 'GPS', 'location'],
  ['MONITOR_LOCATION', 'Location monitoring', 'location'],
  ['MONITOR_HIGH_POWER_LOCATION', 'High-power location monitoring', 'location'],
  ['ACCESS_MEDIA_LOCATION', 'Location in media', 'location'],
  ['FINE_LOCATION_SOURCE', 'Precise location (source)', 'location'],
  ['COARSE_LOCATION_SOURCE', 'Approximate location (source)', 'location'],
  ['EMERGENCY_LOCATION', 'Emergency location', 'location'],
  ['WIFI_SCAN', 'Wi-Fi scan', 'location'],
  ['NEIGHBORING_CELLS', 'Neighbouring cells', 'location'],
  ['READ_CELL_IDENTITY', 'Cell identity', 'location'],
  ['READ_CELL_INFO', 'Cell info', 'location'],
  // Camera.
  ['CAMERA', 'Camera', 'camera'],
  ['PHONE_CALL_CAMERA', 'Camera (in a call)', 'camera'],
  ['CAMERA_SANDBOXED', 'Camera (sandboxed)', 'camera'],
  ['SCENE_UNDERSTANDING_COARSE', 'Scene understanding (coarse)', 'camera'],
  ['SCENE_UNDERSTANDING_FINE', 'Scene understanding (fine)', 'camera'],
  // Microphone.
  ['RECORD_AUDIO', 'Microphone', 'microphone'],
  ['PHONE_CALL_MICROPHONE', 'Microphone (in a call)', 'microphone'],
  ['RECORD_AUDIO_HOTWORD', 'Microphone (hotword)', 'microphone'],
  ['RECORD_INCOMING_PHONE_AUDIO', 'Incoming call audio', 'microphone'],
  // Printed as RECEIVE_SOUNDTRIGGER_AUDIO; RECEIVE_AMBIENT_TRIGGER_AUDIO is its API name.
  ['RECEIVE_SOUNDTRIGGER_AUDIO', 'Microphone (ambient trigger)', 'microphone'],
  ['RECEIVE_AMBIENT_TRIGGER_AUDIO', 'Microphone (ambient trigger)', 'microphone'],
  ['RECEIVE_EXPLICIT_USER_INTERACTION_AUDIO', 'Microphone (user interaction)', 'microphone'],
  ['RECORD_AUDIO_SANDBOXED', 'Microphone (sandboxed)', 'microphone'],
  ['RECEIVE_SANDBOX_TRIGGER_AUDIO', 'Microphone (sandboxed trigger)', 'microphone'],
  // Photos and videos.
  ['READ_MEDIA_IMAGES', 'Read images', 'photos'],
  ['WRITE_MEDIA_IMAGES', 'Write images', 'photos'],
  ['READ_MEDIA_VIDEO', 'Read videos', 'photos'],
  ['WRITE_MEDIA_VIDEO', 'Write videos', 'photos'],
  ['READ_MEDIA_VISUAL_USER_SELECTED', 'Selected photos and videos', 'photos'],
  // Shared storage and audio files.
  ['READ_EXTERNAL_STORAGE', 'Read shared storage', 'mediaLibrary'],
  ['WRITE_EXTERNAL_STORAGE', 'Write shared storage', 'mediaLibrary'],
  ['READ_MEDIA_AUDIO', 'Read audio files', 'mediaLibrary'],
  ['WRITE_MEDIA_AUDIO', 'Write audio files', 'mediaLibrary'],
  ['MANAGE_EXTERNAL_STORAGE', 'All files access', 'mediaLibrary'],
  ['MANAGE_MEDIA', 'Manage media', 'mediaLibrary'],
  // Contacts and accounts.
  ['READ_CONTACTS', 'Read contacts', 'contacts'],
  ['WRITE_CONTACTS', 'Write contacts', 'contacts'],
  ['GET_ACCOUNTS', 'Accounts', 'contacts'],
  ['MANAGE_CONTACTS', 'Manage contacts', 'contacts'],
  // Calendar.
  ['READ_CALENDAR', 'Read calendar', 'calendar'],
  ['WRITE_CALENDAR', 'Write calendar', 'calendar'],
  // Call log.
  ['READ_CALL_LOG', 'Read call log', 'callLog'],
  ['WRITE_CALL_LOG', 'Write call log', 'callLog'],
  ['PROCESS_OUTGOING_CALLS', 'Outgoing calls', 'callLog'],
  // SMS and MMS.
  ['READ_SMS', 'Read SMS', 'sms'],
  ['WRITE_SMS', 'Write SMS', 'sms'],
  ['RECEIVE_SMS', 'Receive SMS', 'sms'],
  ['SEND_SMS', 'Send SMS', 'sms'],
  ['RECEIVE_MMS', 'Receive MMS', 'sms'],
  ['RECEIVE_WAP_PUSH', 'Receive WAP push', 'sms'],
  ['RECEIVE_EMERGENCY_BROADCAST', 'Emergency broadcasts', 'sms'],
  // Older releases print this misspelt name for the same op.
  ['RECEIVE_EMERGECY_SMS', 'Emergency broadcasts', 'sms'],
  ['READ_CELL_BROADCASTS', 'Cell broadcasts', 'sms'],
  ['READ_ICC_SMS', 'Read SIM SMS', 'sms'],
  ['WRITE_ICC_SMS', 'Write SIM SMS', 'sms'],
  ['SMS_FINANCIAL_TRANSACTIONS', 'SMS financial transactions', 'sms'],
  ['READ_OTP_SMS', 'Read one-time-password SMS', 'sms'],
  // Phone.
  ['READ_PHONE_STATE', 'Phone state', 'phoneState'],
  ['READ_PHONE_NUMBERS', 'Phone numbers', 'phoneState'],
  ['READ_DEVICE_IDENTIFIERS', 'Device identifiers', 'phoneState'],
  ['CALL_PHONE', 'Make calls', 'phoneState'],
  ['ANSWER_PHONE_CALLS', 'Answer calls', 'phoneState'],
  ['ACCEPT_HANDOVER', 'Continue a call', 'phoneState'],
  ['MANAGE_ONGOING_CALLS', 'Manage ongoing calls', 'phoneState'],
  ['USE_SIP', 'SIP calls', 'phoneState'],
  ['ADD_VOICEMAIL', 'Add voicemail', 'phoneState'],
  // Body sensors, activity and health.
  ['BODY_SENSORS', 'Body sensors', 'bodySensors'],
  ['BODY_SENSORS_WRIST_TEMPERATURE', 'Wrist temperature', 'bodySensors'],
  ['ACTIVITY_RECOGNITION', 'Physical activity', 'bodySensors'],
  ['ACTIVITY_RECOGNITION_SOURCE', 'Physical activity (source)', 'bodySensors'],
  ['READ_WRITE_HEALTH_DATA', 'Health data', 'bodySensors'],
  ['READ_HEART_RATE', 'Heart rate', 'bodySensors'],
  ['READ_HEART_RATE_VARIABILITY', 'Heart rate variability', 'bodySensors'],
  ['READ_SKIN_TEMPERATURE', 'Skin temperature', 'bodySensors'],
  ['READ_OXYGEN_SATURATION', 'Oxygen saturation', 'bodySensors'],
  ['READ_BLOOD_PRESSURE', 'Blood pressure', 'bodySensors'],
  ['READ_RESPIRATORY_RATE', 'Respiratory rate', 'bodySensors'],
  ['READ_VO2_MAX', 'VO2 max', 'bodySensors'],
  ['EYE_TRACKING_COARSE', 'Eye tracking (coarse)', 'bodySensors'],
  ['EYE_TRACKING_FINE', 'Eye tracking (fine)', 'bodySensors'],
  ['FACE_TRACKING', 'Face tracking', 'bodySensors'],
  ['HAND_TRACKING', 'Hand tracking', 'bodySensors'],
  ['HEAD_TRACKING', 'Head tracking', 'bodySensors'],
  // Screen capture.
  ['PROJECT_MEDIA', 'Screen capture', 'screenRecording'],
  ['RECORD_AUDIO_OUTPUT', 'Capture of played audio', 'screenRecording'],
  ['READ_SCREEN_CONTEXT', 'Screen context', 'screenRecording'],
  // No resource category.
  ['MOCK_LOCATION', 'Mock location', 'other'],
  ['VIBRATE', 'Vibrate', 'other'],
  ['POST_NOTIFICATION', 'Post notifications', 'other'],
  ['WRITE_SETTINGS', 'Modify system settings', 'other'],
  ['SYSTEM_ALERT_WINDOW', 'Display over other apps', 'other'],
  ['ACCESS_NOTIFICATIONS', 'Notification access', 'other'],
  ['PLAY_AUDIO', 'Play audio', 'other'],
  ['READ_CLIPBOARD', 'Read clipboard', 'other'],
  ['WRITE_CLIPBOARD', 'Write clipboard', 'other'],
  ['TAKE_MEDIA_BUTTONS', 'Media buttons', 'other'],
  ['TAKE_AUDIO_FOCUS', 'Audio focus', 'other'],
  ['AUDIO_MASTER_VOLUME', 'Master volume', 'other'],
  ['AUDIO_VOICE_VOLUME', 'Voice volume', 'other'],
  ['AUDIO_RING_VOLUME', 'Ring volume', 'other'],
  ['AUDIO_MEDIA_VOLUME', 'Media volume', 'other'],
  ['AUDIO_ALARM_VOLUME', 'Alarm volume', 'other'],
  ['AUDIO_NOTIFICATION_VOLUME', 'Notification volume', 'other'],
  ['AUDIO_BLUETOOTH_VOLUME', 'Bluetooth volume', 'other'],
  ['AUDIO_ACCESSIBILITY_VOLUME', 'Accessibility volume', 'other'],
  ['WAKE_LOCK', 'Keep awake', 'other'],
  ['GET_USAGE_STATS', 'Usage access', 'other'],
  ['LOADER_USAGE_STATS', 'Loader usage stats', 'other'],
  ['MUTE_MICROPHONE', 'Mute microphone', 'other'],
  ['TOAST_WINDOW', 'Toast window', 'other'],
  ['ACTIVATE_VPN', 'Activate VPN', 'other'],
  ['ACTIVATE_PLATFORM_VPN', 'Activate platform VPN', 'other'],
  ['ESTABLISH_VPN_SERVICE', 'Establish VPN (service)', 'other'],
  ['ESTABLISH_VPN_MANAGER', 'Establish VPN (manager)', 'other'],
  ['WRITE_WALLPAPER', 'Set wallpaper', 'other'],
  ['ASSIST_STRUCTURE', 'Assistant: screen structure', 'other'],
  ['ASSIST_SCREENSHOT', 'Assistant: screenshot', 'other'],
  ['USE_FINGERPRINT', 'Fingerprint', 'other'],
  ['USE_BIOMETRIC', 'Biometrics', 'other'],
  ['TURN_SCREEN_ON', 'Turn screen on', 'other'],
  ['RUN_IN_BACKGROUND', 'Run in background', 'other'],
  ['RUN_ANY_IN_BACKGROUND', 'Run any in background', 'other'],
  ['REQUEST_INSTALL_PACKAGES', 'Install unknown apps', 'other'],
  ['REQUEST_DELETE_PACKAGES', 'Request app deletion', 'other'],
  ['PICTURE_IN_PICTURE', 'Picture-in-picture', 'other'],
  ['INSTANT_APP_START_FOREGROUND', 'Instant app foreground', 'other'],
  ['CHANGE_WIFI_STATE', 'Change Wi-Fi state', 'other'],
  ['BIND_ACCESSIBILITY_SERVICE', 'Accessibility service', 'other'],
  ['ACCESS_ACCESSIBILITY', 'Accessibility access', 'other'],
  ['CREATE_ACCESSIBILITY_OVERLAY', 'Accessibility overlay', 'other'],
  ['MANAGE_IPSEC_TUNNELS', 'IPsec tunnels', 'other'],
  ['START_FOREGROUND', 'Foreground service', 'other'],
  ['FOREGROUND_SERVICE_SPECIAL_USE', 'Foreground service (special use)', 'other'],
  ['BLUETOOTH_SCAN', 'Bluetooth scan', 'other'],
  ['BLUETOOTH_CONNECT', 'Bluetooth connect', 'other'],
  ['BLUETOOTH_ADVERTISE', 'Bluetooth advertise', 'other'],
  ['UWB_RANGING', 'UWB ranging', 'other'],
  ['RANGING', 'Ranging', 'other'],
  ['NEARBY_WIFI_DEVICES', 'Nearby Wi-Fi devices', 'other'],
  ['ACCESS_LOCAL_NETWORK', 'Local network', 'other'],
  ['LEGACY_STORAGE', 'Legacy storage', 'other'],
  ['NO_ISOLATED_STORAGE', 'No isolated storage', 'other'],
  ['QUERY_ALL_PACKAGES', 'Query all apps', 'other'],
  ['INTERACT_ACROSS_PROFILES', 'Interact across profiles', 'other'],
  ['AUTO_REVOKE_PERMISSIONS_IF_UNUSED', 'Auto-revoke if unused', 'other'],
  ['AUTO_REVOKE_MANAGED_BY_INSTALLER', 'Auto-revoke managed by installer', 'other'],
  ['MANAGE_CREDENTIALS', 'Manage credentials', 'other'],
  ['USE_ICC_AUTH_WITH_DEVICE_IDENTIFIER', 'SIM authentication', 'other'],
  ['SCHEDULE_EXACT_ALARM', 'Exact alarms', 'other'],
  ['ACCESS_RESTRICTED_SETTINGS', 'Restricted settings', 'other'],
  ['RUN_USER_INITIATED_JOBS', 'User-initiated jobs', 'other'],
  ['RUN_LONG_JOBS', 'Long jobs', 'other'],
  ['SYSTEM_EXEMPT_FROM_SUSPENSION', 'Exempt from suspension', 'other'],
  [
    'SYSTEM_EXEMPT_FROM_DISMISSIBLE_NOTIFICATIONS',
    'Exempt from dismissible notifications',
    'other',
  ],
  ['SYSTEM_EXEMPT_FROM_POWER_RESTRICTIONS', 'Exempt from power restrictions', 'other'],
  ['SYSTEM_EXEMPT_FROM_HIBERNATION', 'Exempt from hibernation', 'other'],
  [
    'SYSTEM_EXEMPT_FROM_ACTIVITY_BG_START_RESTRICTION',
    'Exempt from background start restriction',
    'other',
  ],
  ['CAPTURE_CONSENTLESS_BUGREPORT_ON_USERDEBUG_BUILD', 'Consentless bug report', 'other'],
  ['USE_FULL_SCREEN_INTENT', 'Full-screen notifications', 'other'],
  ['MEDIA_ROUTING_CONTROL', 'Media routing', 'other'],
  ['ENABLE_MOBILE_DATA_BY_USER', 'Enable mobile data', 'other'],
  ['RAPID_CLEAR_NOTIFICATIONS_BY_LISTENER', 'Rapid notification clearing', 'other'],
  ['READ_SYSTEM_GRAMMATICAL_GENDER', 'Grammatical gender', 'other'],
  ['ARCHIVE_ICON_OVERLAY', 'Archive icon overlay', 'other'],
  ['UNARCHIVAL_CONFIRMATION', 'Unarchival confirmation', 'other'],
  ['RECEIVE_SENSITIVE_NOTIFICATIONS', 'Sensitive notifications', 'other'],
  ['WRITE_SYSTEM_PREFERENCES', 'System preferences', 'other'],
  ['CONTROL_AUDIO', 'Control audio', 'other'],
  ['CONTROL_AUDIO_PARTIAL', 'Control audio (partial)', 'other'],
  ['POST_PROMOTED_NOTIFICATIONS', 'Promoted notifications', 'other'],
  ['SYSTEM_APPLICATION_OVERLAY', 'System application overlay', 'other'],
];

/** The known app ops by printed name; a Map, so names such as `constructor` are plain misses. */
export const ANDROID_OPS: ReadonlyMap<string, AndroidOpInfo> = new Map(
  OPS.map(([raw, label, category]) => [raw, { label, category }]),
);

// Public op strings (`android:monitor_location_high_power`) that do not upper-case to the printed name.
const PUBLIC_NAME_ALIASES: ReadonlyMap<string, string> = new Map([
  ['MONITOR_LOCATION_HIGH_POWER', 'MONITOR_HIGH_POWER_LOCATION'],
  ['INSTANT_APP_START_FOREGROUND_SERVICE', 'INSTANT_APP_START_FOREGROUND'],
]);

function normaliseOp(op: string): string {
  const trimmed = op.trim();
  if (!trimmed.startsWith('android:')) return trimmed;
  const upper = trimmed.slice('android:'.length).toUpperCase();
  return PUBLIC_NAME_ALIASES.get(upper) ?? upper;
}

const opLookups = new Map<string, AndroidOpInfo | null>();

/**
 * The table entry for an op, or null when the op is not in the table.
 * Accepts the printed name (`CAMERA`) and the public op string (`android:camera`).
 */
export function androidOpInfo(op: string): AndroidOpInfo | null {
  const known = opLookups.get(op);
  if (known !== undefined) return known;
  const info = ANDROID_OPS.get(normaliseOp(op)) ?? null;
  // A capture names a few dozen ops a million times: the answers are kept.
  if (opLookups.size >= 1024) opLookups.clear();
  opLookups.set(op, info);
  return info;
}

/** The access-model category of an op; unknown and OEM ops (`VENDOROP(10001)`) become `other`. */
export function androidOpCategory(op: string): Category {
  return androidOpInfo(op)?.category ?? 'other';
}

/** True when the op touches a resource category (anything but `other`). */
export function isSensitiveAndroidOp(op: string): boolean {
  return androidOpCategory(op) !== 'other';
}

const PERMISSION_PREFIX = 'android.permission.';
const HEALTH_PREFIX = 'android.permission.health.';

// Runtime (dangerous) permissions and the few special permissions that govern the same data.
const PERMISSIONS: ReadonlyArray<readonly [string, Category]> = [
  ['CAMERA', 'camera'],
  ['RECORD_AUDIO', 'microphone'],
  ['CAPTURE_AUDIO_HOTWORD', 'microphone'],
  ['ACCESS_FINE_LOCATION', 'location'],
  ['ACCESS_COARSE_LOCATION', 'location'],
  ['ACCESS_BACKGROUND_LOCATION', 'location'],
  ['ACCESS_MEDIA_LOCATION', 'location'],
  ['READ_MEDIA_IMAGES', 'photos'],
  ['READ_MEDIA_VIDEO', 'photos'],
  ['READ_MEDIA_VISUAL_USER_SELECTED', 'photos'],
  ['READ_EXTERNAL_STORAGE', 'mediaLibrary'],
  ['WRITE_EXTERNAL_STORAGE', 'mediaLibrary'],
  ['MANAGE_EXTERNAL_STORAGE', 'mediaLibrary'],
  ['READ_MEDIA_AUDIO', 'mediaLibrary'],
  ['MANAGE_MEDIA', 'mediaLibrary'],
  ['READ_CONTACTS', 'contacts'],
  ['WRITE_CONTACTS', 'contacts'],
  ['GET_ACCOUNTS', 'contacts'],
  ['READ_CALENDAR', 'calendar'],
  ['WRITE_CALENDAR', 'calendar'],
  ['READ_CALL_LOG', 'callLog'],
  ['WRITE_CALL_LOG', 'callLog'],
  ['PROCESS_OUTGOING_CALLS', 'callLog'],
  ['READ_SMS', 'sms'],
  ['SEND_SMS', 'sms'],
  ['RECEIVE_SMS', 'sms'],
  ['RECEIVE_MMS', 'sms'],
  ['RECEIVE_WAP_PUSH', 'sms'],
  ['READ_CELL_BROADCASTS', 'sms'],
  ['SMS_FINANCIAL_TRANSACTIONS', 'sms'],
  ['READ_PHONE_STATE', 'phoneState'],
  ['READ_PHONE_NUMBERS', 'phoneState'],
  ['READ_PRIVILEGED_PHONE_STATE', 'phoneState'],
  ['CALL_PHONE', 'phoneState'],
  ['ANSWER_PHONE_CALLS', 'phoneState'],
  ['ACCEPT_HANDOVER', 'phoneState'],
  ['MANAGE_OWN_CALLS', 'phoneState'],
  ['USE_SIP', 'phoneState'],
  ['ADD_VOICEMAIL', 'phoneState'],
  ['BODY_SENSORS', 'bodySensors'],
  ['BODY_SENSORS_BACKGROUND', 'bodySensors'],
  ['BODY_SENSORS_WRIST_TEMPERATURE', 'bodySensors'],
  ['ACTIVITY_RECOGNITION', 'bodySensors'],
];

const PERMISSION_CATEGORIES: ReadonlyMap<string, Category> = new Map(PERMISSIONS);

// Permissions named outside `android.permission.` that still map to a category.
const QUALIFIED_PERMISSIONS: ReadonlyMap<string, Category> = new Map([
  ['com.android.voicemail.permission.ADD_VOICEMAIL', 'phoneState'],
  ['com.google.android.gms.permission.ACTIVITY_RECOGNITION', 'bodySensors'],
]);

/**
 * The access-model category of an Android permission name (`android.permission.CAMERA`, or the bare
 * `CAMERA`). Health Connect permissions (`android.permission.health.*`) are body sensors; unknown
 * names, normal permissions and install-time permissions become `other`.
 */
export function androidPermissionCategory(name: string): Category {
  const trimmed = name.trim();
  const qualified = QUALIFIED_PERMISSIONS.get(trimmed);
  if (qualified) return qualified;
  if (trimmed.startsWith(HEALTH_PREFIX) && trimmed.length > HEALTH_PREFIX.length) {
    return 'bodySensors';
  }
  const bare = trimmed.startsWith(PERMISSION_PREFIX)
    ? trimmed.slice(PERMISSION_PREFIX.length)
    : trimmed.includes('.')
      ? null
      : trimmed;
  if (bare === null) return 'other';
  return PERMISSION_CATEGORIES.get(bare) ?? 'other';
}

/** The app state of an access, derived from the raw uid state. */
export type AndroidAppState = 'foreground' | 'background' | 'unknown';

/**
 * The app state for a raw uid state of `dumpsys appops` (reference android-sources.md §1.2):
 * `top`, `fg`, `fgsvc`, `fgsvcl` and `pers` (a persistent system process) are foreground;
 * `bg` and `cch` (cached) are background; anything else, or null, is unknown.
 */
export function androidUidState(raw: string | null): AndroidAppState {
  if (raw === null) return 'unknown';
  switch (raw.trim()) {
    case 'top':
    case 'fg':
    case 'fgsvc':
    case 'fgsvcl':
    case 'pers':
      return 'foreground';
    case 'bg':
    case 'cch':
      return 'background';
    default:
      return 'unknown';
  }
}

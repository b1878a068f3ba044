import { describe, expect, it } from 'vitest';
import {
  ANDROID_OPS,
  androidOpCategory,
  androidOpInfo,
  androidPermissionCategory,
  androidUidState,
  isSensitiveAndroidOp,
} from './android-ops';
import { CATEGORIES } from './categories';

describe('androidOpCategory', () => {
  it.each([
    ['CAMERA', 'camera'],
    ['PHONE_CALL_CAMERA', 'camera'],
    ['RECORD_AUDIO', 'microphone'],
    ['PHONE_CALL_MICROPHONE', 'microphone'],
    ['RECORD_AUDIO_HOTWORD', 'microphone'],
    ['RECEIVE_SOUNDTRIGGER_AUDIO', 'microphone'],
    ['RECEIVE_AMBIENT_TRIGGER_AUDIO', 'microphone'],
    ['FINE_LOCATION', 'location'],
    ['COARSE_LOCATION', 'location'],
    ['MONITOR_LOCATION', 'location'],
    ['MONITOR_HIGH_POWER_LOCATION', 'location'],
    ['ACCESS_MEDIA_LOCATION', 'location'],
    ['MOCK_LOCATION', 'other'],
    ['READ_MEDIA_IMAGES', 'photos'],
    ['READ_MEDIA_VIDEO', 'photos'],
    ['READ_MEDIA_VISUAL_USER_SELECTED', 'photos'],
    ['WRITE_MEDIA_IMAGES', 'photos'],
    ['WRITE_MEDIA_VIDEO', 'photos'],
    ['READ_EXTERNAL_STORAGE', 'mediaLibrary'],
    ['WRITE_EXTERNAL_STORAGE', 'mediaLibrary'],
    ['READ_MEDIA_AUDIO', 'mediaLibrary'],
    ['WRITE_MEDIA_AUDIO', 'mediaLibrary'],
    ['MANAGE_EXTERNAL_STORAGE', 'mediaLibrary'],
    ['READ_CONTACTS', 'contacts'],
    ['WRITE_CONTACTS', 'contacts'],
    ['GET_ACCOUNTS', 'contacts'],
    ['READ_CALENDAR', 'calendar'],
    ['WRITE_CALENDAR', 'calendar'],
    ['READ_CALL_LOG', 'callLog'],
    ['WRITE_CALL_LOG', 'callLog'],
    ['PROCESS_OUTGOING_CALLS', 'callLog'],
    ['READ_SMS', 'sms'],
    ['WRITE_SMS', 'sms'],
    ['RECEIVE_SMS', 'sms'],
    ['SEND_SMS', 'sms'],
    ['RECEIVE_MMS', 'sms'],
    ['RECEIVE_WAP_PUSH', 'sms'],
    ['READ_CELL_BROADCASTS', 'sms'],
    ['READ_ICC_SMS', 'sms'],
    ['WRITE_ICC_SMS', 'sms'],
    ['READ_PHONE_STATE', 'phoneState'],
    ['READ_PHONE_NUMBERS', 'phoneState'],
    ['CALL_PHONE', 'phoneState'],
    ['ANSWER_PHONE_CALLS', 'phoneState'],
    ['USE_SIP', 'phoneState'],
    ['ADD_VOICEMAIL', 'phoneState'],
    ['BODY_SENSORS', 'bodySensors'],
    ['ACTIVITY_RECOGNITION', 'bodySensors'],
    ['READ_HEART_RATE', 'bodySensors'],
    ['PROJECT_MEDIA', 'screenRecording'],
    ['WAKE_LOCK', 'other'],
    ['SYSTEM_ALERT_WINDOW', 'other'],
    ['RUN_IN_BACKGROUND', 'other'],
    ['READ_CLIPBOARD', 'other'],
  ])('maps %s to %s', (op, category) => {
    expect(androidOpCategory(op)).toBe(category);
  });

  it('maps OEM ops, unknown names, prototype keys and the empty string to other', () => {
    for (const op of [
      'VENDOROP(10001)',
      'SOMETHING_NEW',
      'constructor',
      '__proto__',
      'toString',
      '',
    ]) {
      expect(androidOpCategory(op)).toBe('other');
      expect(androidOpInfo(op)).toBeNull();
      expect(isSensitiveAndroidOp(op)).toBe(false);
    }
  });

  it('accepts public op strings (android:…), including the renamed high-power location op', () => {
    expect(androidOpCategory('android:camera')).toBe('camera');
    expect(androidOpCategory('android:read_media_images')).toBe('photos');
    expect(androidOpCategory('android:monitor_location_high_power')).toBe('location');
    expect(androidOpCategory('android:receive_ambient_trigger_audio')).toBe('microphone');
  });

  it('gives labels and uses only project categories', () => {
    expect(androidOpInfo('READ_MEDIA_IMAGES')).toEqual({
      label: 'Read images',
      category: 'photos',
    });
    expect(ANDROID_OPS.size).toBeGreaterThan(150);
    for (const [op, info] of ANDROID_OPS) {
      expect(CATEGORIES).toContain(info.category);
      expect(info.label.length, op).toBeGreaterThan(0);
      expect(op).toMatch(/^[A-Z0-9_]+$/);
    }
  });

  it('calls an op sensitive exactly when its category is not other', () => {
    expect(isSensitiveAndroidOp('CAMERA')).toBe(true);
    expect(isSensitiveAndroidOp('READ_MEDIA_IMAGES')).toBe(true);
    expect(isSensitiveAndroidOp('WAKE_LOCK')).toBe(false);
    expect(isSensitiveAndroidOp('MOCK_LOCATION')).toBe(false);
    for (const [op, info] of ANDROID_OPS) {
      expect(isSensitiveAndroidOp(op)).toBe(info.category !== 'other');
    }
  });
});

describe('androidPermissionCategory', () => {
  it.each([
    ['android.permission.CAMERA', 'camera'],
    ['android.permission.RECORD_AUDIO', 'microphone'],
    ['android.permission.ACCESS_FINE_LOCATION', 'location'],
    ['android.permission.ACCESS_COARSE_LOCATION', 'location'],
    ['android.permission.ACCESS_BACKGROUND_LOCATION', 'location'],
    ['android.permission.ACCESS_MEDIA_LOCATION', 'location'],
    ['android.permission.READ_MEDIA_IMAGES', 'photos'],
    ['android.permission.READ_MEDIA_VIDEO', 'photos'],
    ['android.permission.READ_MEDIA_VISUAL_USER_SELECTED', 'photos'],
    ['android.permission.READ_MEDIA_AUDIO', 'mediaLibrary'],
    ['android.permission.READ_EXTERNAL_STORAGE', 'mediaLibrary'],
    ['android.permission.READ_CONTACTS', 'contacts'],
    ['android.permission.GET_ACCOUNTS', 'contacts'],
    ['android.permission.WRITE_CALENDAR', 'calendar'],
    ['android.permission.READ_CALL_LOG', 'callLog'],
    ['android.permission.RECEIVE_SMS', 'sms'],
    ['android.permission.READ_PHONE_STATE', 'phoneState'],
    ['com.android.voicemail.permission.ADD_VOICEMAIL', 'phoneState'],
    ['android.permission.BODY_SENSORS', 'bodySensors'],
    ['android.permission.ACTIVITY_RECOGNITION', 'bodySensors'],
    ['android.permission.health.READ_HEART_RATE', 'bodySensors'],
    ['READ_MEDIA_IMAGES', 'photos'],
    ['ACCESS_FINE_LOCATION', 'location'],
    ['android.permission.INTERNET', 'other'],
    ['android.permission.WAKE_LOCK', 'other'],
    ['android.permission.health.', 'other'],
    ['com.example.permission.CAMERA', 'other'],
    ['', 'other'],
  ])('maps %s to %s', (name, category) => {
    expect(androidPermissionCategory(name)).toBe(category);
  });
});

describe('androidUidState', () => {
  it.each([
    ['top', 'foreground'],
    ['fg', 'foreground'],
    ['fgsvc', 'foreground'],
    ['fgsvcl', 'foreground'],
    ['pers', 'foreground'],
    ['pers ', 'foreground'],
    ['bg', 'background'],
    ['cch', 'background'],
    ['unknown', 'unknown'],
    ['', 'unknown'],
    ['BG', 'unknown'],
  ] as const)('maps %j to %s', (raw, state) => {
    expect(androidUidState(raw)).toBe(state);
  });

  it('maps null to unknown', () => {
    expect(androidUidState(null)).toBe('unknown');
  });
});

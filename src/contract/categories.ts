import { z } from 'zod';

/**
 * Resource categories of the one access model shared by every platform.
 * iOS App Privacy Report names map one to one; other raw names map through importer tables.
 */
export const CATEGORIES = [
  'photos',
  'camera',
  'microphone',
  'contacts',
  'location',
  'mediaLibrary',
  'screenRecording',
  'calendar',
  'callLog',
  'sms',
  'phoneState',
  'bodySensors',
  'other',
] as const;

export type Category = (typeof CATEGORIES)[number];
export const categorySchema = z.enum(CATEGORIES);

/** Human-readable names for the categories. */
export const CATEGORY_LABELS: Record<Category, string> = {
  photos: 'Photos',
  camera: 'Camera',
  microphone: 'Microphone',
  contacts: 'Contacts',
  location: 'Location',
  mediaLibrary: 'Media library',
  screenRecording: 'Screen recording',
  calendar: 'Calendar',
  callLog: 'Call log',
  sms: 'SMS',
  phoneState: 'Phone state',
  bodySensors: 'Body sensors',
  other: 'Other',
};

/** Maps a raw category name to a category; unknown names become `other` (the raw name is kept by callers). */
export function toCategory(raw: string): Category {
  return (CATEGORIES as readonly string[]).includes(raw) && raw !== 'other'
    ? (raw as Category)
    : 'other';
}

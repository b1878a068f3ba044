import { isValidTimeZone } from '../backups/backup-flow';

/**
 * Zones offered first as suggestions: one or two per populated region, so the list stays short
 * enough to scan. Any other IANA name can still be typed.
 */
export const COMMON_TIME_ZONES: readonly string[] = [
  'UTC',
  'Europe/London',
  'Europe/Lisbon',
  'Europe/Dublin',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Zurich',
  'Europe/Amsterdam',
  'Europe/Brussels',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Istanbul',
  'Europe/Kyiv',
  'Europe/Moscow',
  'Africa/Cairo',
  'Africa/Lagos',
  'Africa/Nairobi',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Tehran',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Singapore',
  'Asia/Manila',
  'Asia/Seoul',
  'Asia/Tokyo',
  'Australia/Perth',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'America/Buenos_Aires',
  'America/Bogota',
  'America/Mexico_City',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
];

/** The suggestions: the examiner's own zone first (often the phone's too), then the common ones. */
export function zoneSuggestions(own: string | null): string[] {
  const out: string[] = [];
  if (own && isValidTimeZone(own)) out.push(own);
  for (const z of COMMON_TIME_ZONES) if (!out.includes(z)) out.push(z);
  return out;
}

/** This machine's IANA zone, or null when the runtime does not say. */
export function examinerZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

export type ZoneCheck = { ok: true; zone: string | undefined } | { ok: false; problem: string };

/**
 * A time-zone field's text as the `timeZone` of a request: undefined when empty, the trimmed IANA
 * name when this runtime knows it, else why not.
 */
export function checkTimeZone(text: string, required = false): ZoneCheck {
  const zone = text.trim();
  if (zone.length === 0)
    return required
      ? { ok: false, problem: 'Give the phone’s time zone (e.g. Europe/Lisbon).' }
      : { ok: true, zone: undefined };
  if (!isValidTimeZone(zone))
    return { ok: false, problem: `“${zone}” is not a time zone name (e.g. Europe/Lisbon).` };
  return { ok: true, zone };
}

/**
 * Masks a device identifier (serial, UDID, IMEI, phone number) for display and export: every
 * letter and digit but the last four becomes `•`, separators stay, so a reader can still match it
 * against the last characters shown on the phone.
 */
export function maskIdentifier(value: string | null): string | null {
  if (value === null) return null;
  const visible = 4;
  let seen = 0;
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    if (!/[0-9A-Za-z]/.test(chars[i]!)) continue;
    seen += 1;
    if (seen > visible) chars[i] = '•';
  }
  return chars.join('');
}

import type { DeviceState } from '../../../contract/records';

// Words for the device's own state at an access: what is known, from which rows, and "unknown"
// where no device-state record covers the moment (never guessed).

/** The sentence shown where no device-state record covers the moment. */
export const DEVICE_STATE_UNKNOWN = 'Unknown — no device-state record covers this moment';

const SURFACES: Readonly<Record<string, string>> = {
  'com.apple.lock-screen': 'the lock screen',
  'com.apple.springboard.home-screen': 'the home screen',
  'com.apple.springboard.passcode': 'the passcode screen',
};

const BASIS_NAMES: Readonly<Record<string, string>> = {
  powerlog: 'PowerLog',
  usagestats: 'usagestats',
  batterystats: 'batterystats',
};

/** True when nothing of the state is known. */
export function deviceStateUnknown(s: DeviceState | undefined): boolean {
  return s === undefined || (s.screen === null && s.locked === null && s.foregroundApp === null);
}

/** What was in front, in words: a system surface by name, or the app's identifier. */
export function foregroundText(app: string): string {
  const surface = SURFACES[app];
  return surface === undefined ? app : `${surface} (${app}), not an app`;
}

/** A stored locator in words: `<table> rowid 12` becomes `table <table> row 12`. */
export function locatorText(locator: string): string {
  const m = /^(\S+) rowid (\d+)$/.exec(locator);
  return m ? `table ${m[1]} row ${m[2]}` : locator;
}

/** The basis in words: `powerlog+usagestats` becomes `PowerLog and usagestats`. */
export function basisText(basis: string | null): string {
  if (basis === null) return '—';
  return basis
    .split('+')
    .map((b) => BASIS_NAMES[b] ?? b)
    .join(' and ');
}

/**
 * One sentence: "Screen off, locked (PowerLog, table … row …)", or the unknown sentence. Fields not
 * covered are named as unknown rather than left out.
 */
export function deviceStateSentence(s: DeviceState | undefined): string {
  if (s === undefined || deviceStateUnknown(s)) return DEVICE_STATE_UNKNOWN;
  const parts = [
    s.screen === null ? 'Screen unknown' : `Screen ${s.screen}`,
    s.locked === null ? 'lock unknown' : s.locked ? 'locked' : 'unlocked',
  ];
  if (s.foregroundApp !== null) parts.push(`in front: ${foregroundText(s.foregroundApp)}`);
  const rows = s.sources.map((x) => locatorText(x.locator)).join('; ');
  return `${parts.join(', ')} (${basisText(s.basis)}${rows === '' ? '' : `, ${rows}`})`;
}

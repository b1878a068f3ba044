import type { AndroidDevice } from '../../../contract/api';
import type { AndroidCaptureStatus } from '../../../contract/events';
import { formatWallClock, plural } from '../../shared/format';

/** How a phone is named in the list: its model, else its product name, else a plain word. */
export function phoneLabel(phone: Pick<AndroidDevice, 'model' | 'product'>): string {
  const model = phone.model?.trim();
  if (model) return model;
  const product = phone.product?.trim();
  if (product) return product;
  return 'Android phone';
}

/** True when adb lists the phone as connected and allowed, so a capture can start. */
export function phoneReady(phone: Pick<AndroidDevice, 'state' | 'problem'>): boolean {
  return phone.state === 'device' && phone.problem === null;
}

/** adb's state of a phone in words (`unauthorized` → `Not allowed yet`). */
export function phoneStateLabel(state: string): string {
  switch (state) {
    case 'device':
      return 'Ready';
    case 'unauthorized':
    case 'authorizing':
      return 'Not allowed yet';
    case 'offline':
      return 'Offline';
    case 'no permissions':
      return 'No USB permission';
    case 'connecting':
      return 'Connecting';
    case 'recovery':
    case 'sideload':
    case 'rescue':
    case 'bootloader':
      return `In ${state} mode`;
    default:
      return state;
  }
}

/** The tone of a phone's state tag. */
export function phoneStateTone(state: string): 'ok' | 'warn' | 'bad' {
  if (state === 'device') return 'ok';
  if (state === 'unauthorized' || state === 'authorizing' || state === 'connecting') return 'warn';
  return 'bad';
}

/** A capture's phase in words; a single capture and a watch end differently. */
export function capturePhaseLabel(phase: AndroidCaptureStatus['phase'], watch: boolean): string {
  switch (phase) {
    case 'capturing':
      return 'Capturing from the phone';
    case 'importing':
      return 'Importing the capture';
    case 'waiting':
      return watch ? 'Waiting for the next capture' : 'Finishing';
    case 'stopped':
      return watch ? 'Watch stopped' : 'Capture finished';
    default: {
      const never: never = phase;
      return String(never);
    }
  }
}

/** True while the phone is read or its capture imported (work in flight, not the wait between). */
export function captureWorking(phase: AndroidCaptureStatus['phase']): boolean {
  return phase === 'capturing' || phase === 'importing';
}

const ADDED_NOUNS: Record<string, [string, string]> = {
  access: ['access', 'accesses'],
  reject: ['refused access', 'refused accesses'],
  usage: ['usage event', 'usage events'],
  permission: ['permission', 'permissions'],
};

/**
 * What one capture added, in words: `12 accesses · 2 usage events`; kinds with nothing new are
 * left out, and a capture that added nothing says so.
 */
export function addedLabel(added: Readonly<Record<string, number>>): string {
  const parts: string[] = [];
  const known = Object.keys(ADDED_NOUNS);
  const keys = [
    ...known,
    ...Object.keys(added)
      .filter((k) => !known.includes(k))
      .sort(),
  ];
  for (const key of keys) {
    const n = added[key];
    if (n === undefined || n <= 0) continue;
    const nouns = ADDED_NOUNS[key];
    parts.push(nouns ? plural(n, nouns[0], nouns[1]) : `${key} ${n}`);
  }
  return parts.length > 0 ? parts.join(' · ') : 'Nothing new';
}

/** Time left until the next capture as a countdown: `14:05`, `1:02:09`, or `due now`. */
export function countdownLabel(msLeft: number): string {
  if (!Number.isFinite(msLeft) || msLeft <= 0) return 'due now';
  const total = Math.ceil(msLeft / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * An instant on the examiner's clock: the time of day when it falls on the same local day as
 * `nowMs`, else the date too. `offsetAt` gives the examiner's UTC offset (minutes) at an instant.
 */
export function examinerClockLabel(
  ms: number,
  nowMs: number,
  offsetAt: (ms: number) => number,
): string {
  const full = formatWallClock(ms, offsetAt(ms));
  const today = formatWallClock(nowMs, offsetAt(nowMs)).slice(0, 10);
  return full.slice(0, 10) === today ? full.slice(11) : full;
}
